//! Every rule, by checklist section. Adding a rule: write its file in the section's folder and
//! list it in that folder's `mod.rs`.

use crate::Rule;
use kcheck_model::Text;
use std::sync::OnceLock;

/// All rules, sorted by code.
pub fn all() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut rules: Vec<&'static Rule> = [
            crate::auth::RULES,
            crate::network::RULES,
            crate::pod_security::RULES,
            crate::audit_logging::RULES,
            crate::placement::RULES,
            crate::secrets::RULES,
            crate::images::RULES,
            crate::admission::RULES,
        ]
        .concat();
        rules.sort_by_key(|r| r.code);
        rules
    })
}

pub fn by_code(code: &str) -> Option<&'static Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// Parts of an item that no rule checks yet. While an item has such a gap, a clean result on it
/// is "not evaluated" with this reason, never "pass".
pub fn not_yet_checked(item: &str) -> Option<Text> {
    Some(match item {
        "3.2" => Text::fixed(
            "namespace Pod Security labels and the full Pod Security Standards",
            "名字空间的 Pod 安全标签及完整的 Pod 安全标准",
        ),
        "6.5" => Text::fixed(
            "the expiry of projected service account tokens",
            "投射服务账号令牌的有效期",
        ),
        _ => return None,
    })
}
