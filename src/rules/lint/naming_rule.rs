//! The naming family (ENUM_PASCAL_CASE, FIELD_LOWER_SNAKE_CASE, …): one element's name must be
//! in one style. Each rule names its element kind and style; this module words and anchors the
//! finding the same way for all (at the name, as buf does), with the converted name as the
//! suggestion.

use crate::schema::Element;

use super::LintCtx;

/// `DescriptorProto.name`, `EnumDescriptorProto.name`, … : every named element keeps its name
/// in field 1.
const NAME: i32 = 1;

/// A name style: how to test a name and how to convert one.
pub(crate) struct Style {
    pub label: &'static str,
    pub is: fn(&str) -> bool,
    pub convert: fn(&str) -> String,
}

pub(crate) const PASCAL: Style = Style {
    label: "PascalCase",
    is: super::naming::is_pascal,
    convert: super::naming::to_pascal,
};

pub(crate) const LOWER_SNAKE: Style = Style {
    label: "lower_snake_case",
    is: super::naming::is_lower_snake,
    convert: super::naming::to_lower_snake,
};

pub(crate) const UPPER_SNAKE: Style = Style {
    label: "UPPER_SNAKE_CASE",
    is: super::naming::is_upper_snake,
    convert: super::naming::to_upper_snake,
};

/// Reports `element` (a `what`, e.g. "Message") unless its `name` is in `style`.
pub(crate) fn check(
    ctx: &mut LintCtx,
    element: &impl Element,
    what: &str,
    name: &str,
    full_name: &str,
    style: &Style,
) {
    if (style.is)(name) {
        return;
    }
    let suggestion = (style.convert)(name);
    let at = ctx.schema.locate_part(element, &[NAME]);
    let finding = ctx.report(
        format!(
            "{what} name \"{name}\" is not {}; it would be \"{suggestion}\".",
            style.label
        ),
        at,
        full_name.to_owned(),
    );
    finding.help = Some(format!(
        "rename it to \"{suggestion}\" (a rename breaks generated code; for a published schema, \
         add the new name beside the old one and deprecate the old)"
    ));
}
