//! One paginated list: `limit` and `continue` until the server has no more, each page parsed as
//! it arrives and its items turned into objects.

use crate::client::{Http, RequestError};
use crate::objects::{object_from_item, Target};
use crate::progress::Progress;
use kcheck_model::{Node, Object, Value};

/// Accept header for a metadata-only list (what Secrets are listed with).
pub const METADATA_LIST: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

/// No list takes more pages than this (100,000 pages of 500 is 50 million objects).
pub const MAX_PAGES: usize = 100_000;

/// How to list.
#[derive(Clone, Debug, Default)]
pub struct ListMode {
    pub metadata_only: bool,
    /// `type=kubernetes.io/service-account-token`
    pub field_selector: Option<String>,
    pub keep_secret_data: bool,
    pub page_size: u32,
}

/// A list's objects and the items that could not be taken.
#[derive(Debug, Default)]
pub struct Listed {
    pub objects: Vec<Object>,
    pub bad_items: usize,
    pub bytes: u64,
}

pub async fn list(
    http: &Http,
    target: &Target,
    mode: &ListMode,
    progress: &dyn Progress,
) -> Result<Listed, RequestError> {
    let mut restarted = false;
    'again: loop {
        let mut out = Listed::default();
        let mut token: Option<String> = None;
        let mut pages = 0usize;
        loop {
            let mut path = format!(
                "{}?limit={}",
                target.collection_path(),
                mode.page_size.max(1)
            );
            if let Some(sel) = &mode.field_selector {
                path.push_str("&fieldSelector=");
                path.push_str(&encode(sel));
            }
            if let Some(t) = &token {
                path.push_str("&continue=");
                path.push_str(&encode(t));
            }
            let accept = mode.metadata_only.then_some(METADATA_LIST);
            let body = match http.get(&path, accept).await {
                Ok(body) => body,
                // The continue token expired (410 Gone): the list starts over once.
                Err(RequestError::Status { code: 410, .. }) if !restarted => {
                    restarted = true;
                    continue 'again;
                }
                Err(e) => return Err(e),
            };
            out.bytes += body.len() as u64;
            let page = parse_page(&body)?;
            let before = out.objects.len();
            for item in page.items {
                match object_from_item(item, target, mode.keep_secret_data) {
                    Ok(o) => out.objects.push(o),
                    Err(_) => out.bad_items += 1,
                }
            }
            progress.listed(&target.kind, out.objects.len() - before);
            pages += 1;
            match page.next {
                // A server that hands back the token it was given would page forever.
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err(RequestError::Transport(
                        "the server repeated its continue token".into(),
                    ))
                }
                Some(_) if pages >= MAX_PAGES => {
                    return Err(RequestError::Transport(format!(
                        "the list did not end after {MAX_PAGES} pages"
                    )))
                }
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(out),
            }
        }
    }
}

struct Page {
    items: Vec<Node>,
    next: Option<String>,
}

fn parse_page(body: &[u8]) -> Result<Page, RequestError> {
    let broken = |what: &str| RequestError::Transport(format!("a list page {what}"));
    let text = std::str::from_utf8(body).map_err(|_| broken("is not UTF-8"))?;
    let limits = kcheck_load::Limits {
        max_document_bytes: usize::MAX,
        max_nodes: usize::MAX,
        ..kcheck_load::Limits::default()
    };
    let parsed = kcheck_load::parse_json(text, &limits);
    if !parsed.errors.is_empty() {
        return Err(broken("is not valid JSON"));
    }
    let Some(kcheck_load::DocOutcome::Node(root)) = parsed.documents.into_iter().next() else {
        return Err(broken("is empty"));
    };
    let next = root
        .get("metadata")
        .and_then(|m| m.str_at("continue"))
        .map(str::to_string);
    let Value::Map(entries) = root.value else {
        return Err(broken("is not an object"));
    };
    let items = entries
        .into_iter()
        .find(|e| e.key == "items")
        .map(|e| e.value.value);
    match items {
        Some(Value::Seq(items)) => Ok(Page { items, next }),
        // `"items": null` is how an empty list may come.
        Some(Value::Null) => Ok(Page {
            items: Vec::new(),
            next,
        }),
        _ => Err(broken("has no items")),
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_queries() {
        let p = parse_page(br#"{"kind":"PodList","metadata":{"continue":"abc"},"items":[{"metadata":{"name":"a"}}]}"#).unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.next.as_deref(), Some("abc"));
        assert!(parse_page(br#"{"items":null}"#).unwrap().items.is_empty());
        assert!(parse_page(b"{").is_err());
        assert!(parse_page(b"[]").is_err());
        assert!(parse_page(&[0xff, 0xfe]).is_err());
        assert_eq!(encode("type=a/b c"), "type%3Da%2Fb%20c");
    }
}
