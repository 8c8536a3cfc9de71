//! Node reports in the cluster: each node's report ([`kcheck_model::node_report`]) is a
//! ConfigMap `kcheck-node-<node>` in kcheck's namespace, applied by the node itself
//! (`kcheck node --publish NS`, the DaemonSet of `deploy/node-scan/`), listed by a cluster audit
//! with the other ConfigMaps, or read from files (`kcheck cluster --node-reports DIR`).
//!
//! A ConfigMap holds at most 1 MiB. The report goes in `data["report.json"]` when it fits in
//! [`PLAIN_LIMIT`]; a larger one is gzip-compressed into `binaryData["report.json.gz"]`; one
//! that does not fit even so is refused (a node with that many findings has a problem that its
//! own report shows). Reading is bounded the same way, whatever a node wrote.

use crate::collect::{ConnectError, Options};
use base64::Engine as _;
use kcheck_model::node_report::NodeReport;
use kcheck_model::{Object, Text};
use std::io::Read;

/// Labels of every node report ConfigMap.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kcheck");
pub const COMPONENT: (&str, &str) = ("app.kubernetes.io/component", "node-report");
/// The annotation naming the node (a label value cannot hold every node name).
pub const NODE_ANNOTATION: &str = "kcheck.dev/node";
/// The namespace node reports are published to and read from unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "kcheck";

/// Reports up to this size are stored as plain JSON.
pub const PLAIN_LIMIT: usize = 900 * 1024;
/// The compressed form must fit here too (base64 makes it a third larger).
pub const GZIP_LIMIT: usize = 640 * 1024;
/// A report larger than this once decompressed is not read.
pub const MAX_REPORT_BYTES: u64 = 32 << 20;

const PLAIN_KEY: &str = "report.json";
const GZIP_KEY: &str = "report.json.gz";

/// The ConfigMap's name for `node`: `kcheck-node-<node>`, shortened with a hash of the whole
/// name when that would pass the 253 characters of an object name.
pub fn config_map_name(node: &str) -> String {
    let name = format!("kcheck-node-{node}");
    if name.len() <= 253 {
        return name;
    }
    // FNV-1a: stable across versions and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in node.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut cut = 253 - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}-{:08x}",
        name[..cut].trim_end_matches(['-', '.']),
        hash as u32
    )
}

/// `report` as the ConfigMap that carries it in `namespace`, or why it cannot be one.
pub fn to_config_map(report: &NodeReport, namespace: &str) -> Result<serde_json::Value, Text> {
    let json = serde_json::to_string(report).expect("a node report serializes");
    let mut cm = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": config_map_name(&report.node),
            "namespace": namespace,
            "labels": {
                MANAGED_BY.0: MANAGED_BY.1,
                COMPONENT.0: COMPONENT.1,
                "app.kubernetes.io/part-of": "kcheck",
            },
            "annotations": {
                NODE_ANNOTATION: report.node,
                "kcheck.dev/generated-at": report.generated_at,
                "kcheck.dev/version": report.kcheck_version,
            },
        },
    });
    if json.len() <= PLAIN_LIMIT {
        cm["data"] = serde_json::json!({ PLAIN_KEY: json });
        return Ok(cm);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, json.as_bytes()).expect("writing to memory");
    let gz = gz.finish().expect("writing to memory");
    if gz.len() > GZIP_LIMIT {
        let (kib, gz_kib) = (json.len() / 1024, gz.len() / 1024);
        return Err(kcheck_model::text!(
            "the node report is {kib} KiB ({gz_kib} KiB compressed), more than a ConfigMap holds",
            "节点报告大小为 {kib} KiB（压缩后 {gz_kib} KiB），超出 ConfigMap 的容量",
        ));
    }
    cm["binaryData"] =
        serde_json::json!({ GZIP_KEY: base64::engine::general_purpose::STANDARD.encode(gz) });
    Ok(cm)
}

/// Whether `object` is a node report ConfigMap in `namespace`.
pub fn is_node_report(object: &Object, namespace: &str) -> bool {
    object.kind == "ConfigMap"
        && object.namespace.as_deref() == Some(namespace)
        && object.label(MANAGED_BY.0) == Some(MANAGED_BY.1)
        && object.label(COMPONENT.0) == Some(COMPONENT.1)
}

/// The node a node report ConfigMap is about, by its annotation.
pub fn node_of(object: &Object) -> Option<&str> {
    object.annotation(NODE_ANNOTATION)
}

/// The report a node report ConfigMap carries, or why it cannot be read.
pub fn from_config_map(object: &Object) -> Result<NodeReport, Text> {
    let root = &object.root;
    if let Some(json) = root.path(&["data", PLAIN_KEY]).and_then(|n| n.as_str()) {
        return parse(json.as_bytes());
    }
    let Some(encoded) = root
        .path(&["binaryData", GZIP_KEY])
        .and_then(|n| n.as_str())
    else {
        return Err(kcheck_model::text!(
            "the ConfigMap has neither data.{PLAIN_KEY} nor binaryData.{GZIP_KEY}",
            "该 ConfigMap 既没有 data.{PLAIN_KEY}，也没有 binaryData.{GZIP_KEY}",
        ));
    };
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| {
            let e = e.to_string();
            kcheck_model::text!(
                "binaryData.{GZIP_KEY} is not base64 ({e})",
                "binaryData.{GZIP_KEY} 不是 base64 编码（{e}）",
            )
        })?;
    read_gzip(&compressed)
}

fn read_gzip(compressed: &[u8]) -> Result<NodeReport, Text> {
    let mut json = Vec::new();
    let read = flate2::read::GzDecoder::new(compressed)
        .take(MAX_REPORT_BYTES + 1)
        .read_to_end(&mut json);
    if let Err(e) = read {
        let e = e.to_string();
        return Err(kcheck_model::text!(
            "the compressed report does not decompress ({e})",
            "压缩的报告无法解压（{e}）",
        ));
    }
    parse(&json)
}

/// A node report from its JSON (a ConfigMap's data): why not, with where when that is known.
pub fn parse(json: &[u8]) -> Result<NodeReport, Text> {
    parse_at(json).map_err(Unreadable::into_text)
}

/// Why a node report could not be read, and where in its JSON (line 0 for the whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub line: u32,
    pub column: u32,
    pub message: Text,
}

impl Unreadable {
    fn whole(message: Text) -> Unreadable {
        Unreadable {
            line: 0,
            column: 0,
            message,
        }
    }

    /// `line 1, column 9: ...` when the place is known.
    pub fn into_text(self) -> Text {
        if self.line == 0 {
            return self.message;
        }
        let (line, column, m) = (self.line, self.column, self.message);
        Text::new(
            format!("line {line}, column {column}: {}", m.en),
            format!("第 {line} 行第 {column} 列：{}", m.zh),
        )
    }
}

fn parse_at(json: &[u8]) -> Result<NodeReport, Unreadable> {
    if json.len() as u64 > MAX_REPORT_BYTES {
        let mib = MAX_REPORT_BYTES >> 20;
        return Err(Unreadable::whole(kcheck_model::text!(
            "the report is larger than {mib} MiB",
            "报告大于 {mib} MiB",
        )));
    }
    serde_json::from_slice(json).map_err(|e| {
        let (line, column) = (e.line() as u32, e.column() as u32);
        // serde_json's message ends with its own "at line L column C": the place is said once.
        let e = e.to_string();
        let e = match e.rfind(" at line ") {
            Some(i) => e[..i].to_string(),
            None => e,
        };
        Unreadable {
            line,
            column,
            message: kcheck_model::text!("not a node report ({e})", "不是节点报告（{e}）"),
        }
    })
}

/// A node report file: JSON as `kcheck node --node-report FILE` writes it, or gzip of it.
pub fn read_file(path: &std::path::Path) -> Result<NodeReport, Unreadable> {
    let os = |e: std::io::Error| Unreadable::whole(Text::same(e.to_string()));
    let file = std::fs::File::open(path).map_err(os)?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(os)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return read_gzip(&bytes).map_err(Unreadable::whole);
    }
    parse_at(&bytes)
}

/// Applies `config_map` (from [`to_config_map`]) with server-side apply, field manager
/// `kcheck`, to the cluster `options` points at (in a pod: its service account).
pub fn publish(options: &Options, config_map: &serde_json::Value) -> Result<(), ConnectError> {
    use kube::api::{Api, Patch, PatchParams};
    use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
    crate::publish::with_writer(options, |client| async move {
        let resource = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "ConfigMap"));
        let namespace = config_map["metadata"]["namespace"].as_str().unwrap_or("");
        let name = config_map["metadata"]["name"].as_str().unwrap_or("");
        let api: Api<DynamicObject> = Api::namespaced_with(client, namespace, &resource);
        let params = PatchParams::apply(crate::publish::FIELD_MANAGER).force();
        api.patch(name, &params, &Patch::Apply(config_map))
            .await
            .map_err(|e| {
                let message = match e {
                    kube::Error::Api(s) => format!("{} {}: {}", s.code, s.reason, s.message),
                    other => other.to_string(),
                };
                ConnectError::Publish(format!("apply configmap {namespace}/{name}: {message}"))
            })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::node_report::{NodeItem, API_VERSION, KIND};

    fn report(node: &str, items: usize) -> NodeReport {
        NodeReport {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            node: node.into(),
            kcheck_version: "0.1.0".into(),
            generated_at: "2026-12-08T02:00:00Z".into(),
            components: vec!["kubelet".into()],
            distribution: None,
            items: (0..items)
                .map(|i| NodeItem {
                    id: "1.4".into(),
                    status: kcheck_model::Status::Pass,
                    // Text that compresses about as well as real findings do.
                    reason: Some(kcheck_model::node_report::Words {
                        en: format!(
                            "certificate {i} of /etc/kubernetes/pki/x-{}.crt",
                            i * 7919 % 10007
                        ),
                        zh: format!(
                            "证书 {i}：/etc/kubernetes/pki/x-{}.crt",
                            i * 104_729 % 10007
                        ),
                    }),
                    examined: i,
                    rules: Vec::new(),
                    findings: Vec::new(),
                    notes: Vec::new(),
                })
                .collect(),
        }
    }

    fn object(cm: &serde_json::Value) -> Object {
        let text = serde_json::to_string(cm).unwrap();
        let loaded = kcheck_load::load_bytes("cm.json", text.as_bytes(), &Default::default());
        loaded.objects.into_iter().next().expect("an object")
    }

    #[test]
    fn a_small_report_is_plain_json_and_reads_back() {
        let r = report("worker-1", 3);
        let cm = to_config_map(&r, "kcheck").unwrap();
        assert_eq!(cm["metadata"]["name"], "kcheck-node-worker-1");
        assert_eq!(cm["metadata"]["annotations"][NODE_ANNOTATION], "worker-1");
        assert!(cm["data"][PLAIN_KEY].is_string());
        assert!(cm.get("binaryData").is_none());
        let o = object(&cm);
        assert!(is_node_report(&o, "kcheck"));
        assert!(!is_node_report(&o, "default"));
        assert_eq!(node_of(&o), Some("worker-1"));
        assert_eq!(from_config_map(&o).unwrap(), r);
    }

    #[test]
    fn a_large_report_is_compressed_and_reads_back() {
        let r = report("worker-1", 12_000);
        assert!(serde_json::to_string(&r).unwrap().len() > PLAIN_LIMIT);
        let cm = to_config_map(&r, "kcheck").unwrap();
        assert!(cm.get("data").is_none());
        let encoded = cm["binaryData"][GZIP_KEY].as_str().unwrap();
        assert!(encoded.len() < 1024 * 1024, "{}", encoded.len());
        assert_eq!(from_config_map(&object(&cm)).unwrap(), r);
    }

    #[test]
    fn broken_config_maps_say_what_is_wrong() {
        let mut cm = to_config_map(&report("n", 1), "kcheck").unwrap();
        cm["data"][PLAIN_KEY] = "{\"node\": 1}".into();
        let err = from_config_map(&object(&cm)).unwrap_err();
        assert!(
            err.en
                .starts_with("line 1, column 10: not a node report (invalid type: integer `1`"),
            "{}",
            err.en
        );
        cm.as_object_mut().unwrap().remove("data");
        assert_eq!(
            from_config_map(&object(&cm)).unwrap_err().en,
            "the ConfigMap has neither data.report.json nor binaryData.report.json.gz"
        );
        cm["binaryData"] = serde_json::json!({ GZIP_KEY: "not base64!" });
        assert!(from_config_map(&object(&cm))
            .unwrap_err()
            .en
            .starts_with("binaryData.report.json.gz is not base64"));
        cm["binaryData"] = serde_json::json!({ GZIP_KEY: "aGVsbG8=" });
        assert!(from_config_map(&object(&cm))
            .unwrap_err()
            .en
            .starts_with("the compressed report does not decompress"));
    }

    #[test]
    fn a_gzip_bomb_is_cut_at_the_bound() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..40 {
            std::io::Write::write_all(&mut gz, &zeros).unwrap();
        }
        let gz = gz.finish().unwrap();
        assert!(gz.len() < 100 * 1024);
        assert_eq!(
            read_gzip(&gz).unwrap_err().en,
            "the report is larger than 32 MiB"
        );
    }

    #[test]
    fn long_node_names_make_valid_object_names() {
        assert_eq!(config_map_name("cp-1"), "kcheck-node-cp-1");
        let long = "a".repeat(250);
        let name = config_map_name(&long);
        assert_eq!(name.len(), 253);
        assert!(name.starts_with("kcheck-node-aaa"));
        assert_ne!(name, config_map_name(&"a".repeat(251)));
    }
}
