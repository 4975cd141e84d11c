//! ENUM_SAME_JSON_FORMAT: an enum that supports the JSON mapping keeps supporting it. Only a
//! change away from `ALLOW` is reported: gaining JSON support takes nothing away.

use prost_reflect::EnumDescriptor;

use super::at_enum;
use crate::rules::Ctx;
use crate::schema::origin::{self, FeatureValue};
use crate::schema::resolved::{enum_json_format, JsonFormat};

pub fn check(ctx: &mut Ctx, old: &EnumDescriptor, new: &EnumDescriptor) {
    let (was, now) = (
        enum_json_format(ctx.old, old),
        enum_json_format(ctx.new, new),
    );
    if was != JsonFormat::Allow || now == JsonFormat::Allow {
        return;
    }
    ctx.changed(
        format!(
            "Enum \"{}\" changed JSON format from \"{}\" to \"{}\": its JSON mapping is no longer guaranteed.{}",
            new.full_name(),
            was.name(),
            now.name(),
            origin::enums((ctx.old, old), (ctx.new, new), |f| f.json_format)
        ),
        at_enum(ctx.new, new),
        at_enum(ctx.old, old),
    );
}
