//! The AdmissionReview wire format (admission.k8s.io/v1 and v1beta1, which share one shape):
//! what is read from a request and what is written back.
//!
//! Only the fields the webhook uses are read; `object` and `oldObject` are kept as raw JSON
//! and parsed once, by the loader, into positioned trees under its limits.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

pub const V1: &str = "admission.k8s.io/v1";
pub const V1BETA1: &str = "admission.k8s.io/v1beta1";

/// Why a body is not an AdmissionReview the webhook can answer (HTTP 400).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReviewError {
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    #[error("apiVersion {0:?} is not admission.k8s.io/v1 or admission.k8s.io/v1beta1")]
    ApiVersion(String),
    #[error("kind {0:?} is not AdmissionReview")]
    Kind(String),
    #[error("the review has no request")]
    NoRequest,
    #[error("request.uid is empty")]
    NoUid,
    #[error("request.kind.kind is empty")]
    NoKind,
    #[error("request.operation {0:?} is not CREATE, UPDATE, DELETE or CONNECT")]
    Operation(String),
    #[error("request.{0} is missing or not an object")]
    Object(&'static str),
    #[error("request.{field} cannot be read: {message}")]
    ObjectLimits {
        field: &'static str,
        message: String,
    },
}

/// The review's version: the answer is given in the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1,
    V1beta1,
}

impl Version {
    pub fn api_version(self) -> &'static str {
        match self {
            Version::V1 => V1,
            Version::V1beta1 => V1BETA1,
        }
    }
}

#[derive(Deserialize)]
struct ReviewIn<'a> {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(borrow)]
    request: Option<RequestIn<'a>>,
}

#[derive(Deserialize, Default, Clone, Debug, PartialEq, Eq)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
}

impl GroupVersionKind {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestIn<'a> {
    #[serde(default)]
    uid: String,
    #[serde(default)]
    kind: GroupVersionKind,
    #[serde(default)]
    sub_resource: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    operation: String,
    #[serde(borrow, default)]
    object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    old_object: Option<&'a RawValue>,
    #[serde(default)]
    dry_run: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    fn parse(s: &str) -> Option<Operation> {
        Some(match s {
            "CREATE" => Operation::Create,
            "UPDATE" => Operation::Update,
            "DELETE" => Operation::Delete,
            "CONNECT" => Operation::Connect,
            _ => return None,
        })
    }
}

/// A request, checked: what the judge needs, the raw objects still unparsed.
#[derive(Debug)]
pub struct Request<'a> {
    pub version: Version,
    pub uid: String,
    pub kind: GroupVersionKind,
    pub sub_resource: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub operation: Operation,
    pub object: Option<&'a str>,
    pub old_object: Option<&'a str>,
    pub dry_run: bool,
}

fn is_object(raw: Option<&RawValue>) -> Option<&str> {
    raw.map(RawValue::get)
        .filter(|s| s.trim_start().starts_with('{'))
}

/// Reads and checks a review. Everything wrong with it is a [`ReviewError`], never a panic.
pub fn parse(body: &[u8]) -> Result<Request<'_>, ReviewError> {
    let review: ReviewIn =
        serde_json::from_slice(body).map_err(|e| ReviewError::Json(e.to_string()))?;
    let version = match review.api_version.as_str() {
        V1 => Version::V1,
        V1BETA1 => Version::V1beta1,
        other => return Err(ReviewError::ApiVersion(other.to_string())),
    };
    if review.kind != "AdmissionReview" {
        return Err(ReviewError::Kind(review.kind));
    }
    let r = review.request.ok_or(ReviewError::NoRequest)?;
    if r.uid.is_empty() {
        return Err(ReviewError::NoUid);
    }
    if r.kind.kind.is_empty() {
        return Err(ReviewError::NoKind);
    }
    let operation = Operation::parse(&r.operation)
        .ok_or_else(|| ReviewError::Operation(r.operation.clone()))?;
    let object = is_object(r.object);
    let old_object = is_object(r.old_object);
    match operation {
        Operation::Create | Operation::Update if object.is_none() => {
            return Err(ReviewError::Object("object"))
        }
        Operation::Update if old_object.is_none() => return Err(ReviewError::Object("oldObject")),
        _ => {}
    }
    Ok(Request {
        version,
        uid: r.uid,
        kind: r.kind,
        sub_resource: r.sub_resource.filter(|s| !s.is_empty()),
        name: r.name.filter(|s| !s.is_empty()),
        namespace: r.namespace.filter(|s| !s.is_empty()),
        operation,
        object,
        old_object,
        dry_run: r.dry_run.unwrap_or(false),
    })
}

/// `status` of a denial.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

/// The answer to one request.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub uid: String,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub audit_annotations: BTreeMap<String, String>,
}

impl Response {
    pub fn allow(uid: String) -> Response {
        Response {
            uid,
            allowed: true,
            status: None,
            warnings: Vec::new(),
            audit_annotations: BTreeMap::new(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReviewOut<'a> {
    api_version: &'static str,
    kind: &'static str,
    response: &'a Response,
}

/// The review to send back, in the request's version.
pub fn to_json(version: Version, response: &Response) -> Vec<u8> {
    let out = ReviewOut {
        api_version: version.api_version(),
        kind: "AdmissionReview",
        response,
    };
    // Serializing plain strings, booleans and maps cannot fail.
    serde_json::to_vec(&out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(request: &str) -> String {
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{request}}}"#
        )
    }

    #[test]
    fn reads_a_create() {
        let body = review(
            r#"{"uid":"u1","kind":{"group":"apps","version":"v1","kind":"Deployment"},"namespace":"shop","operation":"CREATE","object":{"kind":"Deployment"},"oldObject":null,"dryRun":true}"#,
        );
        let r = parse(body.as_bytes()).unwrap();
        assert_eq!(r.version, Version::V1);
        assert_eq!(r.kind.api_version(), "apps/v1");
        assert_eq!(r.object, Some(r#"{"kind":"Deployment"}"#));
        assert_eq!(r.old_object, None);
        assert!(r.dry_run);
    }

    #[test]
    fn malformed_reviews_are_errors() {
        let cases: &[(&str, ReviewError)] = &[
            ("{", ReviewError::Json(String::new())),
            ("[]", ReviewError::Json(String::new())),
            (
                r#"{"apiVersion":"v1","kind":"AdmissionReview"}"#,
                ReviewError::ApiVersion("v1".into()),
            ),
            (
                r#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}"#,
                ReviewError::Kind("Pod".into()),
            ),
            (
                r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
                ReviewError::NoRequest,
            ),
        ];
        for (body, want) in cases {
            let got = parse(body.as_bytes()).unwrap_err();
            match (want, &got) {
                (ReviewError::Json(_), ReviewError::Json(_)) => {}
                _ => assert_eq!(&got, want, "{body}"),
            }
        }
        let r = |req: &str| parse(review(req).as_bytes()).unwrap_err();
        assert_eq!(r(r#"{"uid":""}"#), ReviewError::NoUid);
        assert_eq!(r(r#"{"uid":"u","kind":{}}"#), ReviewError::NoKind);
        assert_eq!(
            r(r#"{"uid":"u","kind":{"kind":"Pod"},"operation":"PATCH"}"#),
            ReviewError::Operation("PATCH".into())
        );
        assert_eq!(
            r(r#"{"uid":"u","kind":{"kind":"Pod"},"operation":"CREATE","object":"x"}"#),
            ReviewError::Object("object")
        );
        assert_eq!(
            r(r#"{"uid":"u","kind":{"kind":"Pod"},"operation":"UPDATE","object":{}}"#),
            ReviewError::Object("oldObject")
        );
        assert_eq!(
            r(r#"{"uid":7}"#).to_string().split(':').next(),
            Some("the body is not valid JSON")
        );
    }

    #[test]
    fn answers_in_kind() {
        let mut resp = Response::allow("u1".into());
        resp.warnings.push("w".into());
        let json = String::from_utf8(to_json(Version::V1beta1, &resp)).unwrap();
        assert_eq!(
            json,
            r#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,"warnings":["w"]}}"#
        );
    }
}
