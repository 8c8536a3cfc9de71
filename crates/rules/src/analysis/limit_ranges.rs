//! LimitRanges: the defaults the LimitRanger admission plugin gives containers (items 3.3
//! and 3.4).

use crate::Context;
use kcheck_model::Object;

/// Whether a LimitRange in the object's namespace gives containers a default limit for
/// `resource` (`memory`, `cpu`): the LimitRanger admission plugin fills it in.
pub fn namespace_default(object: &Object, ctx: &Context, resource: &str) -> bool {
    ctx.inventory
        .of_kind("LimitRange")
        .filter(|lr| lr.namespace == object.namespace)
        .flat_map(|lr| {
            lr.root
                .path(&["spec", "limits"])
                .map_or(&[][..], |l| l.as_seq())
        })
        .any(|limit| {
            limit.str_at("type").unwrap_or("Container") == "Container"
                && limit.path(&["default", resource]).is_some()
        })
}
