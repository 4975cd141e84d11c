//! FIELD_SAME_CARDINALITY: a field keeps its cardinality (explicit or implicit presence,
//! required, repeated or map), so generated code keeps compiling and behaving the same.

use prost_reflect::FieldDescriptor;

use super::compat::report_cardinality;
use crate::rules::Ctx;

pub fn check(ctx: &mut Ctx, old: &FieldDescriptor, new: &FieldDescriptor) {
    report_cardinality(ctx, old, new, None);
}
