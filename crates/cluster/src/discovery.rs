//! Discovery: which of the plan's kinds the server serves, at which version, and which it does
//! not (a built-in kind missing, a group whose discovery fails, a forbidden resource list).

use crate::client::{Http, RequestError};
use crate::kinds::{qualified, Plan};
use crate::objects::Target;
use crate::unseen;
use kcheck_model::{Unavailable, UnavailableCause};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What discovery found for a plan.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Resources to list, in the plan's order (whole groups after the kinds).
    pub targets: Vec<Target>,
    pub unavailable: Vec<Unavailable>,
}

/// Resources of one group version, by plural name: (kind, namespaced, listable).
type Resources = BTreeMap<String, (String, bool, bool)>;

pub async fn discover(http: &Http, plan: &Plan) -> Discovered {
    let mut out = Discovered::default();
    // Group -> versions served (core: "" -> from /api).
    let (core, groups) = tokio::join!(http.get("/api", None), http.get("/apis", None));
    let mut served: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut group_errors: BTreeMap<String, RequestError> = BTreeMap::new();
    match core {
        Ok(body) => {
            let v = parse(&body);
            served.insert(String::new(), strings(v.get("versions")));
        }
        Err(e) => {
            group_errors.insert(String::new(), e);
        }
    }
    let apis_error = match groups {
        Ok(body) => {
            let v = parse(&body);
            for g in v
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = g.get("name").and_then(Value::as_str).unwrap_or_default();
                let versions = g
                    .get("versions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.get("version").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                served.insert(name.to_string(), versions);
            }
            None
        }
        Err(e) => Some(e),
    };

    // The group versions whose resource lists are needed.
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    let offered = |group: &str, versions: &[&str]| -> Vec<String> {
        served.get(group).map_or(Vec::new(), |have| {
            versions
                .iter()
                .filter(|v| have.iter().any(|h| h == *v))
                .map(|v| v.to_string())
                .collect()
        })
    };
    for k in &plan.kinds {
        for v in offered(k.group, k.versions) {
            wanted.insert((k.group.to_string(), v));
        }
    }
    for g in &plan.groups {
        if let Some(v) = offered(g.group, g.versions).into_iter().next() {
            wanted.insert((g.group.to_string(), v));
        }
    }
    let mut lists: BTreeMap<(String, String), Result<Resources, RequestError>> = BTreeMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for (group, version) in wanted {
        let http = http.clone();
        tasks.spawn(async move {
            let path = if group.is_empty() {
                format!("/api/{version}")
            } else {
                format!("/apis/{group}/{version}")
            };
            let result = http.get(&path, None).await.map(|b| resources(&parse(&b)));
            ((group, version), result)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok((key, result)) = joined {
            lists.insert(key, result);
        }
    }

    for k in &plan.kinds {
        let name = qualified(k.group, k.resource);
        let group_known = served.contains_key(k.group);
        if !group_known {
            let error = if k.group.is_empty() {
                group_errors.get("")
            } else {
                apis_error.as_ref()
            };
            match error {
                Some(e) => out
                    .unavailable
                    .push(unseen::from_error(k.kind, &name, e, "discover")),
                None if k.custom => {}
                None => out.unavailable.push(unseen::not_served(k.kind, &name)),
            }
            continue;
        }
        let mut found = None;
        let mut failure = None;
        for v in offered(k.group, k.versions) {
            match lists.get(&(k.group.to_string(), v.clone())) {
                Some(Ok(res)) => {
                    if let Some((kind, namespaced, listable)) = res.get(k.resource) {
                        if *listable {
                            found = Some(Target {
                                group: k.group.to_string(),
                                version: v,
                                kind: kind.clone(),
                                resource: k.resource.to_string(),
                                namespaced: *namespaced,
                            });
                            break;
                        }
                    }
                }
                Some(Err(e)) => failure = failure.or(Some(e.clone())),
                None => {}
            }
        }
        match (found, failure) {
            (Some(t), _) => out.targets.push(t),
            (None, Some(e)) => out
                .unavailable
                .push(unseen::from_error(k.kind, &name, &e, "discover")),
            (None, None) => out.unavailable.push(unseen::not_served(k.kind, &name)),
        }
    }
    for g in &plan.groups {
        let Some(version) = offered(g.group, g.versions).into_iter().next() else {
            continue;
        };
        match lists.get(&(g.group.to_string(), version.clone())) {
            Some(Ok(res)) => {
                for (resource, (kind, namespaced, listable)) in res {
                    if *listable {
                        out.targets.push(Target {
                            group: g.group.to_string(),
                            version: version.clone(),
                            kind: kind.clone(),
                            resource: resource.clone(),
                            namespaced: *namespaced,
                        });
                    }
                }
            }
            Some(Err(e)) => {
                let name = format!("*.{}", g.group);
                out.unavailable
                    .push(unseen::from_error(&name, &name, e, "discover"));
            }
            None => {}
        }
    }
    out
}

fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// An APIResourceList's resources, subresources (`pods/log`) left out.
fn resources(list: &Value) -> Resources {
    let mut out = Resources::new();
    for r in list
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(kind)) = (
            r.get("name").and_then(Value::as_str),
            r.get("kind").and_then(Value::as_str),
        ) else {
            continue;
        };
        if name.contains('/') {
            continue;
        }
        let namespaced = r
            .get("namespaced")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let listable = strings(r.get("verbs")).iter().any(|v| v == "list");
        out.insert(name.to_string(), (kind.to_string(), namespaced, listable));
    }
    out
}

/// `Unavailable` entries for what discovery and lists could not give.
pub(crate) fn cause_of(e: &RequestError) -> UnavailableCause {
    match e {
        RequestError::Status {
            code: 401 | 403, ..
        } => UnavailableCause::Forbidden,
        RequestError::Status { code: 404, .. } => UnavailableCause::NotServed,
        RequestError::Timeout(_) => UnavailableCause::Timeout,
        _ => UnavailableCause::Failed,
    }
}
