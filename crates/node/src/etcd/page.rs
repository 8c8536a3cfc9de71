//! One page of `POST /v3/kv/range`, parsed as it streams in: each value is cut to its first
//! [`HEAD_BYTES`] while it is decoded, and everything else the gateway sends is skipped.

use data_encoding::BASE64;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// How many bytes of a value classification needs: the prefix, a provider and version, and a key
/// name (Kubernetes caps names at 253 characters).
const HEAD_BYTES: usize = 8 + 16 + 8 + 253 + 3;

/// A range response, values cut to their heads.
pub(super) struct RangePage {
    pub kvs: Vec<KeyValueHead>,
    pub more: bool,
    pub revision: Option<i64>,
}

pub(super) struct KeyValueHead {
    /// Base64, as sent.
    pub key: String,
    /// The first bytes of the value, decoded.
    pub value_head: Vec<u8>,
}

impl<'de> Deserialize<'de> for RangePage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PageVisitor;
        impl<'de> Visitor<'de> for PageVisitor {
            type Value = RangePage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a RangeResponse object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RangePage, A::Error> {
                let mut page = RangePage {
                    kvs: Vec::new(),
                    more: false,
                    revision: None,
                };
                while let Some(field) = map.next_key::<String>()? {
                    match field.as_str() {
                        "kvs" => {
                            page.kvs = map
                                .next_value::<Option<Vec<KeyValueHead>>>()?
                                .unwrap_or_default()
                        }
                        "more" => page.more = map.next_value::<Option<bool>>()?.unwrap_or(false),
                        "header" => page.revision = map.next_value::<Header>()?.revision,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
        }
        d.deserialize_map(PageVisitor)
    }
}

/// The gateway writes int64 fields as JSON strings (`"revision": "42"`).
#[derive(Deserialize)]
struct Header {
    #[serde(default, deserialize_with = "int64")]
    revision: Option<i64>,
}

fn int64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Int64 {
        Text(String),
        Number(i64),
    }
    match Option::<Int64>::deserialize(d)? {
        None => Ok(None),
        Some(Int64::Number(n)) => Ok(Some(n)),
        Some(Int64::Text(s)) => s.parse().map(Some).map_err(de::Error::custom),
    }
}

impl<'de> Deserialize<'de> for KeyValueHead {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KvVisitor;
        impl<'de> Visitor<'de> for KvVisitor {
            type Value = KeyValueHead;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a KeyValue object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyValueHead, A::Error> {
                let mut key = None;
                let mut value_head = Vec::new();
                while let Some(field) = map.next_key::<String>()? {
                    match field.as_str() {
                        "key" => key = Some(map.next_value::<String>()?),
                        "value" => value_head = map.next_value::<ValueHead>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let key = key.ok_or_else(|| de::Error::missing_field("key"))?;
                Ok(KeyValueHead { key, value_head })
            }
        }
        d.deserialize_map(KvVisitor)
    }
}

/// A base64 value, decoded only as far as [`HEAD_BYTES`]; the rest is never decoded or kept.
struct ValueHead(Vec<u8>);

impl<'de> Deserialize<'de> for ValueHead {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct HeadVisitor;
        impl Visitor<'_> for HeadVisitor {
            type Value = ValueHead;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueHead, E> {
                decode_head(v).map(ValueHead).map_err(E::custom)
            }
            fn visit_unit<E: de::Error>(self) -> Result<ValueHead, E> {
                Ok(ValueHead(Vec::new()))
            }
        }
        d.deserialize_any(HeadVisitor)
    }
}

/// Decodes the first [`HEAD_BYTES`] bytes of a base64 string (base64 decodes in independent
/// groups of four characters, so a prefix of whole groups is a prefix of the bytes).
fn decode_head(b64: &str) -> Result<Vec<u8>, String> {
    let chars = HEAD_BYTES.div_ceil(3) * 4;
    let cut = if b64.len() > chars {
        &b64.as_bytes()[..chars]
    } else {
        b64.as_bytes()
    };
    BASE64
        .decode(cut)
        .map_err(|e| format!("a value is not base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::{classify, ValueClass};

    #[test]
    fn decodes_only_the_head_of_a_value() {
        let long = vec![b'x'; 10_000];
        let head = decode_head(&BASE64.encode(&long)).unwrap();
        assert!(head.len() >= HEAD_BYTES && head.len() < HEAD_BYTES + 3);
        assert_eq!(decode_head("").unwrap(), b"");
        assert!(decode_head("***").is_err());
    }

    #[test]
    fn parses_a_gateway_page_skipping_unknown_fields() {
        let text = r#"{"header":{"cluster_id":"1","revision":"42","raft_term":"2"},
            "kvs":[{"key":"L3JlZ2lzdHJ5L3NlY3JldHMvYS9i","create_revision":"3","value":"azhzOmVuYzphZXNjYmM6djE6azE6AAE=","version":"1"}],
            "more":true,"count":"3"}"#;
        let page: RangePage = serde_json::from_str(text).unwrap();
        assert!(page.more);
        assert_eq!(page.revision, Some(42));
        assert_eq!(page.kvs.len(), 1);
        assert_eq!(
            classify(&page.kvs[0].value_head),
            ValueClass::Encrypted("k8s:enc:aescbc:v1:k1".into())
        );
        // An empty range: the gateway leaves `kvs` and `more` out.
        let empty: RangePage = serde_json::from_str(r#"{"header":{"revision":"7"}}"#).unwrap();
        assert!(empty.kvs.is_empty() && !empty.more);
        assert!(serde_json::from_str::<RangePage>("[1]").is_err());
        assert!(serde_json::from_str::<RangePage>(r#"{"kvs":[{"value":"AA=="}]}"#).is_err());
    }
}
