//! SERVICE_SUFFIX: service names end in the configured suffix, `Service` by default
//! (`service_suffix`; buf's STANDARD category).

use prost_reflect::ServiceDescriptor;

use super::LintCtx;

/// `ServiceDescriptorProto.name`.
const NAME: i32 = 1;

pub fn check(ctx: &mut LintCtx, service: &ServiceDescriptor) {
    let suffix = &ctx.options.service_suffix;
    if service.name().ends_with(suffix.as_str()) {
        return;
    }
    let at = ctx.schema.locate_part(service, &[NAME]);
    ctx.report(
        format!(
            "Service name \"{}\" does not end in \"{suffix}\".",
            service.name()
        ),
        at,
        service.full_name().to_owned(),
    );
}
