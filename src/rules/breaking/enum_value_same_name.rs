//! ENUM_VALUE_SAME_NAME: every name an enum gave a number is still among its names for that number
//! (adding an alias is fine), so generated constants and JSON strings keep working.

use prost_reflect::EnumValueDescriptor;

use super::{quoted_names, NAME};
use crate::pairs::EnumValuePair;
use crate::rules::Ctx;
use crate::schema::resolved::enum_default;

pub fn check(ctx: &mut Ctx, pair: &EnumValuePair) {
    let (old, new) = (declared(&pair.old), declared(&pair.new));
    let has = |values: &[EnumValueDescriptor], name: &str| values.iter().any(|v| v.name() == name);
    let Some(lost) = old.iter().find(|v| !has(&new, v.name())) else {
        return;
    };
    // Anchor at the name that replaced the lost one; when names were only removed, at the
    // number's remaining name.
    let added = new.iter().find(|v| !has(&old, v.name()));
    let shown = added.unwrap_or(&new[0]);
    let names = if old.len() > 1 || new.len() > 1 {
        "names"
    } else {
        "name"
    };
    let (old_names, new_names) = (quoted_names(&old), quoted_names(&new));
    let is_default =
        |schema, enum_| enum_default(schema, enum_).is_some_and(|d| d.number() == pair.number);
    let message = if is_default(ctx.old, pair.old_enum) && is_default(ctx.new, pair.new_enum) {
        // An unset field reads as this value, so the rename reaches every message that leaves the
        // field out. JSON and text formats print the first name declared for the number.
        let which = if pair.number == 0 {
            "zero value"
        } else {
            "default value"
        };
        format!(
            "The {which} of enum \"{}\" changed {names} from {old_names} to {new_names}: every field left unset now reads as \"{}\".",
            pair.new_enum.full_name(),
            new[0].name()
        )
    } else {
        format!(
            "Enum value {} on enum \"{}\" changed {names} from {old_names} to {new_names}; the binary encoding is unaffected (it carries the number), but JSON, which writes the name, and generated code that use the old name break.",
            pair.number,
            pair.new_enum.full_name()
        )
    };
    let (number, old_name) = (pair.number, lost.name());
    let help = match added {
        Some(added) => format!(
            "keep the old name and declare the new one as an alias after it: `option allow_alias = true;` then `{old_name} = {number};` and `{} = {number};`",
            added.name()
        ),
        None => format!(
            "keep the old name as an alias: `{old_name} = {number};` (with `option allow_alias = true;`)"
        ),
    };
    ctx.changed(
        message,
        ctx.new.locate_part(shown, &[NAME]),
        ctx.old.locate_part(lost, &[NAME]),
    )
    .help = Some(help);
}

/// Aliases in declaration order (descriptors list them by number), since JSON writers use the
/// first one declared.
fn declared(values: &[EnumValueDescriptor]) -> Vec<EnumValueDescriptor> {
    let mut values = values.to_vec();
    values.sort_by_key(|v| v.path().last().copied());
    values
}
