//! The words for what a run could not see: `forbidden: list secrets`.

use crate::client::RequestError;
use crate::discovery::cause_of;
use kcheck_model::{Text, Unavailable, UnavailableCause};

/// A resource the server does not serve (a built-in group missing, a custom resource at a
/// version kcheck does not read).
pub fn not_served(kind: &str, resource: &str) -> Unavailable {
    Unavailable {
        kind: kind.to_string(),
        resource: resource.to_string(),
        cause: UnavailableCause::NotServed,
        reason: Text::new(
            format!("not served by the API server: {resource}"),
            format!("API 服务器未提供：{resource}"),
        ),
    }
}

/// A request for `resource` (`verb`: list, discover) that failed with `error`.
pub fn from_error(kind: &str, resource: &str, error: &RequestError, verb: &str) -> Unavailable {
    let cause = cause_of(error);
    let reason = match cause {
        UnavailableCause::Forbidden => Text::new(
            format!("forbidden: {verb} {resource}"),
            format!("无权限：{verb} {resource}"),
        ),
        UnavailableCause::Timeout => Text::new(
            format!("timed out: {verb} {resource}"),
            format!("超时：{verb} {resource}"),
        ),
        UnavailableCause::NotServed => Text::new(
            format!("not found: {verb} {resource}"),
            format!("未找到：{verb} {resource}"),
        ),
        UnavailableCause::Failed => Text::new(
            format!("failed: {verb} {resource} ({error})"),
            format!("失败：{verb} {resource}（{error}）"),
        ),
    };
    Unavailable {
        kind: kind.to_string(),
        resource: resource.to_string(),
        cause,
        reason,
    }
}
