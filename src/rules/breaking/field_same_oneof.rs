//! FIELD_SAME_ONEOF: a field stays in the same oneof (by name), or outside every oneof. The
//! synthetic oneof of a proto3 `optional` field counts as no oneof, as in buf. A single field
//! with explicit presence moved into a new oneof breaks only generated code: it is reported when
//! the rule runs for FILE or PACKAGE (or by its ID), not for WIRE or WIRE_JSON alone.

use prost_reflect::OneofDescriptor;

use crate::rules::Ctx;
use crate::schema::field::{AnyField, FieldLike};
use crate::schema::resolved::{cardinality, Cardinality};

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    let (message, help) = match (real_oneof(old), real_oneof(new)) {
        (None, None) => return,
        (Some(a), Some(b)) if a.name() == b.name() => return,
        (Some(a), Some(b)) => {
            // A oneof renamed in place has no namesake on the other side.
            let renamed = !new
                .containing_message()
                .oneofs()
                .any(|o| o.name() == a.name())
                && !old
                    .containing_message()
                    .oneofs()
                    .any(|o| o.name() == b.name());
            (
                format!(
                    "Field \"{}\" moved from oneof \"{}\" to oneof \"{}\".",
                    new.full_name(),
                    a.name(),
                    b.name()
                ),
                renamed.then(|| {
                    format!(
                        "if the oneof was only renamed, keep its previous name: `oneof {} {{ ... }}`",
                        a.name()
                    )
                }),
            )
        }
        (None, Some(b)) if alone_in_new_oneof(ctx, old, &b) => {
            // The language guide: moving a single field with explicit presence into a new oneof
            // is binary- and JSON-compatible (the field is written, and read, the same way).
            if !ctx.generated_code {
                return;
            }
            (
                format!(
                    "Field \"{}\" moved into the new oneof \"{}\" as its only member: binary and JSON data are unchanged (a single field with explicit presence), but generated code now reaches it through the oneof, so code that used it directly no longer compiles.",
                    new.full_name(),
                    b.name()
                ),
                None,
            )
        }
        (None, Some(b)) => {
            let consequence = if b.fields().count() > 1 {
                format!(
                    "setting another member of \"{}\" now clears it, and data written with both set is read back with only one of them",
                    b.name()
                )
            } else if cardinality(ctx.old, old) == Cardinality::Implicit {
                "it had no presence, so a zero value, which was not written before, is now written and read back as set; and generated code now reaches it through the oneof".to_owned()
            } else {
                "generated code now reaches it through the oneof, so code that used it directly no longer compiles".to_owned()
            };
            (
                format!(
                    "Field \"{}\" moved into oneof \"{}\": {consequence}.",
                    new.full_name(),
                    b.name()
                ),
                None,
            )
        }
        (Some(a), None) => {
            let consequence = if a.fields().count() > 1 {
                format!(
                    "it can now be set together with the remaining members of \"{}\", and readers of the previous revision keep only one of them",
                    a.name()
                )
            } else {
                "generated code no longer reaches it through the oneof, so code that used the oneof no longer compiles".to_owned()
            };
            (
                format!(
                    "Field \"{}\" moved out of oneof \"{}\": {consequence}.",
                    new.full_name(),
                    a.name()
                ),
                None,
            )
        }
    };
    let finding = ctx.changed(message, ctx.new.locate(new), ctx.old.locate(old));
    if help.is_some() {
        finding.help = help;
    }
}

/// Returns `true` if `old` had explicit presence and is now the only member of `oneof`, which
/// its message did not have before.
fn alone_in_new_oneof(ctx: &Ctx, old: &AnyField, oneof: &OneofDescriptor) -> bool {
    let existed = old
        .containing_message()
        .oneofs()
        .any(|o| !o.is_synthetic() && o.name() == oneof.name());
    !existed && oneof.fields().count() == 1 && cardinality(ctx.old, old) == Cardinality::Explicit
}

/// The oneof a field was declared in; a proto3 `optional` field's synthetic oneof is none.
fn real_oneof(field: &impl FieldLike) -> Option<OneofDescriptor> {
    field.containing_oneof().filter(|o| !o.is_synthetic())
}
