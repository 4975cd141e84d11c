//! RESERVED_ENUM_NO_DELETE: every number and name an enum reserved is still reserved, by
//! coverage (see RESERVED_MESSAGE_NO_DELETE, whose range arithmetic this shares).

use prost_reflect::EnumDescriptor;

use super::reserved_message_no_delete::{lost_name, lost_range, uncovered, Owner};
use super::{at_enum, reserved_names};
use crate::rules::Ctx;

// EnumDescriptorProto.reserved_range and .reserved_name: SourceCodeInfo paths of reserved parts.
const RESERVED_RANGE: i32 = 4;
const RESERVED_NAME: i32 = 5;

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    let owner = Owner {
        kind: "enum",
        full_name: new.full_name(),
        name: new.name(),
        max: i64::from(i32::MAX),
    };
    let widen = |r: std::ops::RangeInclusive<i32>| i64::from(*r.start())..=i64::from(*r.end());
    let current: Vec<_> = new.reserved_ranges().map(widen).collect();
    for (index, range) in old.reserved_ranges().map(widen).enumerate() {
        let missing = uncovered(&range, &current);
        if missing.is_empty() {
            continue;
        }
        let users: Vec<String> = new
            .values()
            .filter(|v| missing.iter().any(|m| m.contains(&i64::from(v.number()))))
            .map(|v| format!("value \"{}\" ({})", v.name(), v.number()))
            .collect();
        let (message, help) = lost_range(&owner, &range, &missing, &users);
        ctx.deleted(
            message,
            at_enum(ctx.new, new),
            ctx.old.locate_path(old, &[RESERVED_RANGE, index as i32]),
        )
        .help = Some(help);
    }
    for (index, name) in old.reserved_names().enumerate() {
        if old.reserved_names().take(index).any(|n| n == name)
            || new.reserved_names().any(|n| n == name)
        {
            continue;
        }
        let user = new
            .get_value_by_name(name)
            .map(|v| format!("value \"{}\" ({})", v.name(), v.number()));
        let statement = reserved_names(ctx.new, &new.parent_file(), [name]);
        let (message, help) = lost_name(&owner, name, &statement, user);
        ctx.deleted(
            message,
            at_enum(ctx.new, new),
            ctx.old.locate_path(old, &[RESERVED_NAME, index as i32]),
        )
        .help = Some(help);
    }
}
