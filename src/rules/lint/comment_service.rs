//! COMMENT_SERVICE: every service has a comment documenting it (buf's COMMENTS category; see
//! [`super::comment`]).

use prost_reflect::ServiceDescriptor;

use super::LintCtx;

pub fn check(ctx: &mut LintCtx, service: &ServiceDescriptor) {
    super::comment::check(ctx, service, "Service", service.full_name());
}
