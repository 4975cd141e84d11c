//! FIELD_SAME_CARDINALITY: a field keeps its cardinality (explicit or implicit presence,
//! required, repeated or map), so generated code keeps compiling and behaving the same.

use super::compat::report_cardinality;
use crate::rules::Ctx;
use crate::schema::field::AnyField;

pub fn check(ctx: &mut Ctx, old: &AnyField, new: &AnyField) {
    report_cardinality(ctx, old, new, None);
}
