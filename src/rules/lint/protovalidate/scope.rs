//! Where a protovalidate finding is: the element, the path of the rules inside its options, and
//! the rules' name as a user writes it (`(buf.validate.field).repeated.items`).

use prost_reflect::FileDescriptor;

use crate::schema::Element;

use super::super::LintCtx;

/// An element by file and `SourceCodeInfo` path, for locating parts of its options.
struct Place {
    file: FileDescriptor,
    path: Vec<i32>,
}

impl Element for Place {
    fn file(&self) -> FileDescriptor {
        self.file.clone()
    }
    fn path(&self) -> &[i32] {
        &self.path
    }
}

/// One set of rules on one element: a field's `(buf.validate.field)`, the rules of its
/// repeated items or map keys, a message's `(buf.validate.message)`.
pub struct Scope {
    place: Place,
    /// Path of these rules below the element (`[8, 1159]` for a field's rules).
    option: Vec<i32>,
    /// The rules' name in option syntax: `(buf.validate.field)`, `(buf.validate.field).map.keys`.
    pub name: String,
    /// How messages name the element: `Field "acme.v1.User.email"`.
    pub subject: String,
    /// The element's full name (a finding's identity starts with it).
    id: String,
}

impl Scope {
    pub fn new(
        file: FileDescriptor,
        path: &[i32],
        option: &[i32],
        name: &str,
        subject: String,
        id: &str,
    ) -> Scope {
        Scope {
            place: Place {
                file,
                path: path.to_vec(),
            },
            option: option.to_vec(),
            name: name.to_owned(),
            subject,
            id: id.to_owned(),
        }
    }

    /// The rules nested at `numbers` below these, named `<name>.<suffix>`.
    pub fn nested(&self, numbers: &[i32], suffix: &str) -> Scope {
        Scope {
            place: Place {
                file: self.place.file.clone(),
                path: self.place.path.clone(),
            },
            option: [self.option.as_slice(), numbers].concat(),
            name: format!("{}.{suffix}", self.name),
            subject: self.subject.clone(),
            id: self.id.clone(),
        }
    }

    /// A rule's name below these rules: `rule("string.min_len")`.
    pub fn rule(&self, suffix: &str) -> String {
        if suffix.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{suffix}", self.name)
        }
    }

    /// Reports `message` at the rule `sub` (a path below these rules), about the rule named
    /// `suffix` (which, with the element, is the finding's identity across revisions).
    pub fn report(&self, ctx: &mut LintCtx, sub: &[i32], suffix: &str, message: String) {
        let path = [self.option.as_slice(), sub].concat();
        let at = ctx.schema.locate_nearest(&self.place, &path);
        ctx.report(message, at, format!("{}#{}", self.id, self.rule(suffix)));
    }
}
