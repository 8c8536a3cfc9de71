//! Reading an EncryptionConfiguration (`apiserver.config.k8s.io/v1`) as kube-apiserver does: for
//! each resource, the first `resources` entry that names it applies, and that entry's first
//! provider encrypts new writes; the others only decrypt.

use kcheck_model::Node;

/// The names that cover Secrets in an entry's `resources`.
const COVERS_SECRETS: &[&str] = &["secrets", "*.", "*.*"];

/// One `resources` entry, with its index.
pub struct Entry<'a> {
    pub index: usize,
    pub node: &'a Node,
}

pub fn entries(config: &Node) -> impl Iterator<Item = Entry<'_>> {
    config
        .get("resources")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
        .map(|(index, node)| Entry { index, node })
}

/// The entry that decides how Secrets are stored.
pub fn secrets_entry(config: &Node) -> Option<Entry<'_>> {
    entries(config).find(|e| {
        e.node
            .get("resources")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(Node::as_str)
            .any(|r| COVERS_SECRETS.contains(&r))
    })
}

/// One provider of an entry: its type (`aescbc`) and settings.
pub struct Provider<'a> {
    pub index: usize,
    pub kind: &'a str,
    pub settings: &'a Node,
}

impl<'a> Entry<'a> {
    pub fn providers(&self) -> impl Iterator<Item = Provider<'a>> {
        self.node
            .get("providers")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .enumerate()
            .filter_map(|(index, p)| {
                let first = p.as_map().first()?;
                Some(Provider {
                    index,
                    kind: first.key.as_str(),
                    settings: &first.value,
                })
            })
    }

    /// `resources[0].providers[1].aescbc` and so on.
    pub fn provider_path(&self, p: &Provider, rest: &str) -> String {
        let base = format!(
            "resources[{}].providers[{}].{}",
            self.index, p.index, p.kind
        );
        if rest.is_empty() {
            base
        } else {
            format!("{base}.{rest}")
        }
    }
}

/// The length in bytes of standard, padded base64 (as Go's `base64.StdEncoding` decodes it),
/// computed without decoding: key material never needs to exist here. `None` when not valid.
pub fn base64_decoded_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return None;
    }
    let body = &bytes[..bytes.len() - padding];
    let valid = body
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if !valid {
        return None;
    }
    Some(bytes.len() / 4 * 3 - padding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lengths_without_decoding() {
        assert_eq!(base64_decoded_len(""), Some(0));
        assert_eq!(base64_decoded_len("AAAA"), Some(3));
        assert_eq!(base64_decoded_len("AAA="), Some(2));
        assert_eq!(base64_decoded_len("AA=="), Some(1));
        // 32 zero bytes.
        assert_eq!(
            base64_decoded_len("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            Some(32)
        );
        assert_eq!(base64_decoded_len("AAA"), None);
        assert_eq!(base64_decoded_len("A==="), None);
        assert_eq!(base64_decoded_len("AA-_"), None);
        assert_eq!(base64_decoded_len("A=AA"), None);
    }
}
