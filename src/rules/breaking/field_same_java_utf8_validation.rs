//! FIELD_SAME_JAVA_UTF8_VALIDATION: a string field keeps whether Java generated code rejects
//! invalid UTF-8 in it: always for proto3 strings, and for proto2 strings when the file sets
//! `java_string_check_utf8`. The string keys and values of a map field are checked too.

use super::field_same_utf8_validation::string_parts;
use super::NAME;
use crate::finding::Location;
use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};
use crate::schema::origin;
use crate::schema::resolved::{java_utf8_validation, validates_utf8, JavaUtf8Validation};
use crate::schema::Schema;

/// `FileDescriptorProto.options`, then `FileOptions.java_string_check_utf8`.
const JAVA_STRING_CHECK_UTF8: [i32; 2] = [8, 27];

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    for (what, was, now) in string_parts(old, new) {
        let (from, to) = (java_verifies(ctx.old, &was), java_verifies(ctx.new, &now));
        if from == to {
            continue;
        }
        let consequence = if to {
            "Java parsers and setters now reject invalid UTF-8 that they accepted before"
        } else {
            "Java parsers no longer reject invalid UTF-8, so readers of the previous revision may fail on data written now"
        };
        // The language-independent validation decides when it changed; else Java's own feature
        // (which proto2 and proto3 files set with `java_string_check_utf8`, not a feature: only
        // explained between editions files).
        let origin = if validates_utf8(ctx.old, &was) != validates_utf8(ctx.new, &now) {
            origin::fields((ctx.old, &was), (ctx.new, &now), |f| f.utf8_validation)
        } else if ctx.old.edition(&was.parent_file()).is_editions()
            && ctx.new.edition(&now.parent_file()).is_editions()
        {
            origin::fields((ctx.old, &was), (ctx.new, &now), |f| f.java_utf8_validation)
        } else {
            String::new()
        };
        ctx.changed(
            format!(
                "{what} changed Java UTF-8 validation from \"{}\" to \"{}\": {consequence}.{origin}",
                describe(from),
                describe(to)
            ),
            anchor(ctx, ctx.new, new, &was, &now),
            anchor(ctx, ctx.old, old, &was, &now),
        );
    }
}

/// Returns `true` if Java checks the field: it asks for it, or every runtime must.
fn java_verifies(schema: &Schema, field: &impl FieldLike) -> bool {
    java_utf8_validation(schema, field) == JavaUtf8Validation::Verify
        || validates_utf8(schema, field)
}

/// Where `field` (of either revision) is reported: at its file's `java_string_check_utf8` when
/// that option is what changed and is written there, else at the field.
fn anchor(
    ctx: &Ctx,
    schema: &Schema,
    field: &impl FieldLike,
    was: &impl FieldLike,
    now: &impl FieldLike,
) -> Location {
    let file = field.parent_file();
    let written = file
        .file_descriptor_proto()
        .options
        .as_ref()
        .is_some_and(|o| o.java_string_check_utf8.is_some());
    if written && java_utf8_validation(ctx.old, was) != java_utf8_validation(ctx.new, now) {
        schema.locate_path(&file, &JAVA_STRING_CHECK_UTF8)
    } else {
        schema.locate_part(field, &[NAME])
    }
}

fn describe(verifies: bool) -> &'static str {
    if verifies {
        "VERIFY"
    } else {
        "NONE"
    }
}
