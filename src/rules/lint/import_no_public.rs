//! IMPORT_NO_PUBLIC: no `import public` (buf's BASIC category).

use prost_reflect::FileDescriptor;

use super::LintCtx;

/// `FileDescriptorProto.dependency`: the source path of the n-th import is `[3, n]`.
const DEPENDENCY: i32 = 3;

pub fn check(ctx: &mut LintCtx, file: &FileDescriptor) {
    let proto = file.file_descriptor_proto();
    for &index in &proto.public_dependency {
        let Some(name) = proto.dependency.get(index as usize) else {
            continue;
        };
        let at = ctx.schema.locate_path(file, &[DEPENDENCY, index]);
        ctx.report(
            format!("File \"{}\" imports \"{name}\" publicly.", file.name()),
            at,
            format!("file:{}#{name}", file.name()),
        );
    }
}
