//! Vulnerability scanner reports read into `VulnReport`s: hand-written samples of Trivy (image
//! and Kubernetes), Grype and CycloneDX (Trivy's and a plain one) with every field asserted, and
//! the files that are not reports, with their errors.

use std::path::PathBuf;

use kcheck_image::vuln::{parse_vuln_report, read_vuln_report, VulnError};
use kcheck_model::image::{VulnFormat, VulnReport, VulnSeverity, Vulnerability};
use VulnSeverity::{Critical, High, Low, Medium, Negligible, Unknown};

const API_MANIFEST: &str =
    "sha256:331e585dba0d4b6229de0b141eb99c3105cd7b6d308c9b9754b81c6e96a099bf";
const API_CONFIG: &str = "sha256:3f5609e3ac2dd86bcfbc2478335c8a1ea2189037b3f225ae705509070333cde2";
const WEB_MANIFEST: &str =
    "sha256:9d2637982d75730ffae0acc86d33d196adba379cc846d689564f9f62f263fe59";
const WEB_CONFIG: &str = "sha256:8659a963999aab29097bd9d19bcdd3771e64430de7529a266c79a46864f4dffd";
const FLUENT_MANIFEST: &str =
    "sha256:77dd1d1f868bc11c3cad5b1f3455b1d16bdc8e4bbc258eca3621f057fc0fd0f8";
const FLUENT_CONFIG: &str =
    "sha256:b78c09f14a99e5ff75ab4d51b5855c6dd30fca85af9231e9850f216b5355fa90";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vuln")
        .join(name)
}

fn read(name: &str) -> (String, Result<Vec<VulnReport>, VulnError>) {
    let path = data(name);
    (path.display().to_string(), read_vuln_report(&path))
}

fn v(
    id: &str,
    package: &str,
    installed: &str,
    fixed: Option<&str>,
    severity: VulnSeverity,
    title: Option<&str>,
) -> Vulnerability {
    Vulnerability {
        id: id.to_string(),
        package: package.to_string(),
        installed: installed.to_string(),
        fixed: fixed.map(str::to_string),
        severity,
        title: title.map(str::to_string),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn trivy_image_report() {
    let (file, reports) = read("trivy-image.json");
    assert_eq!(
        reports.unwrap(),
        vec![VulnReport {
            file,
            format: VulnFormat::Trivy,
            image: "registry.example.com/shop/api:1.4.2".to_string(),
            digests: strings(&[API_MANIFEST, API_CONFIG]),
            created: Some("2026-11-30T08:15:42.123456789Z".to_string()),
            vulnerabilities: vec![
                v(
                    "CVE-2023-45853",
                    "zlib1g",
                    "1:1.2.13.dfsg-1",
                    None,
                    Critical,
                    Some("zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6"),
                ),
                v(
                    "CVE-2024-37371",
                    "libgssapi-krb5-2",
                    "1.20.1-2+deb12u1",
                    Some("1.20.1-2+deb12u2"),
                    Critical,
                    Some("krb5: GSS message token handling"),
                ),
                v(
                    "CVE-2024-45491",
                    "libexpat1",
                    "2.5.0-1",
                    Some("2.5.0-1+deb12u1"),
                    Critical,
                    Some("libexpat: Integer Overflow or Wraparound"),
                ),
                v(
                    "CVE-2023-52425",
                    "libexpat1",
                    "2.5.0-1",
                    None,
                    High,
                    Some("expat: parsing large tokens can trigger a denial of service"),
                ),
                // Listed twice in the file: kept once.
                v(
                    "CVE-2024-2961",
                    "libc6",
                    "2.36-9+deb12u4",
                    Some("2.36-9+deb12u7"),
                    High,
                    Some("glibc: Out of bounds write in iconv may lead to remote code execution"),
                ),
                v(
                    "CVE-2024-6345",
                    "setuptools",
                    "65.5.1",
                    Some("70.0.0"),
                    High,
                    Some("pypa/setuptools: Remote code execution via download functions in the package_index module in pypa/setuptools"),
                ),
                v(
                    "CVE-2024-26462",
                    "libgssapi-krb5-2",
                    "1.20.1-2+deb12u1",
                    None,
                    Medium,
                    Some("krb5: Memory leak at /krb5/src/kdc/ndr.c"),
                ),
                // "2.32.0, 2.32.2": the first.
                v(
                    "CVE-2024-35195",
                    "requests",
                    "2.31.0",
                    Some("2.32.0"),
                    Medium,
                    Some("requests: subsequent requests to the same host ignore cert verification"),
                ),
                v(
                    "CVE-2011-3374",
                    "apt",
                    "2.6.1",
                    None,
                    Low,
                    Some("It was found that apt-key in apt, all versions, do not correctly valid ..."),
                ),
                v("TEMP-0841856-B18BAF", "bash", "5.2.15-2+b7", None, Unknown, None),
            ],
        }]
    );
}

#[test]
fn trivy_kubernetes_report_gives_one_report_per_image() {
    let (file, reports) = read("trivy-k8s.json");
    let report = |image: &str, digests: &[&str], vulnerabilities| VulnReport {
        file: file.clone(),
        format: VulnFormat::Trivy,
        image: image.to_string(),
        digests: strings(digests),
        created: None,
        vulnerabilities,
    };
    assert_eq!(
        reports.unwrap(),
        vec![
            report(
                "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
                &[FLUENT_MANIFEST, FLUENT_CONFIG],
                vec![
                    v(
                        "CVE-2024-33599",
                        "libc6",
                        "2.36-9+deb12u7",
                        Some("2.36-9+deb12u8"),
                        High,
                        Some("glibc: stack-based buffer overflow in netgroup cache"),
                    ),
                    v(
                        "CVE-2024-34156",
                        "stdlib",
                        "v1.22.5",
                        Some("1.22.7"),
                        High,
                        Some("encoding/gob: golang: Calling Decoder.Decode on a message which contains deeply nested structures..."),
                    ),
                ],
            ),
            // Two workloads run it: their findings merged, the shared one kept once.
            report(
                "registry.example.com/shop/api:1.4.2",
                &[API_MANIFEST, API_CONFIG],
                vec![
                    v(
                        "CVE-2024-45491",
                        "libexpat1",
                        "2.5.0-1",
                        Some("2.5.0-1+deb12u1"),
                        Critical,
                        Some("libexpat: Integer Overflow or Wraparound"),
                    ),
                    v(
                        "CVE-2024-2961",
                        "libc6",
                        "2.36-9+deb12u4",
                        Some("2.36-9+deb12u7"),
                        High,
                        Some("glibc: Out of bounds write in iconv may lead to remote code execution"),
                    ),
                    v(
                        "CVE-2024-6345",
                        "setuptools",
                        "65.5.1",
                        Some("70.0.0"),
                        High,
                        Some("pypa/setuptools: Remote code execution via download functions in the package_index module in pypa/setuptools"),
                    ),
                ],
            ),
            // Scanned, nothing found: a report all the same.
            report(
                "registry.k8s.io/coredns/coredns:v1.11.3",
                &[WEB_MANIFEST, WEB_CONFIG],
                vec![],
            ),
        ]
    );
}

#[test]
fn trivy_kubernetes_summary_names_images_by_their_os_results() {
    let (file, reports) = read("trivy-k8s-summary.json");
    let report = |image: &str, digests: &[&str], vulnerabilities| VulnReport {
        file: file.clone(),
        format: VulnFormat::Trivy,
        image: image.to_string(),
        digests: strings(digests),
        created: None,
        vulnerabilities,
    };
    assert_eq!(
        reports.unwrap(),
        vec![
            // The aggregator's entry has no image metadata: its image, named by its OS result,
            // joins the DaemonSet's, which has.
            report(
                "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
                &[FLUENT_MANIFEST, FLUENT_CONFIG],
                vec![
                    v(
                        "CVE-2024-33599",
                        "libc6",
                        "2.36-9+deb12u7",
                        Some("2.36-9+deb12u8"),
                        High,
                        Some("glibc: stack-based buffer overflow in netgroup cache"),
                    ),
                    v(
                        "CVE-2024-34156",
                        "stdlib",
                        "v1.22.5",
                        Some("1.22.7"),
                        High,
                        Some("encoding/gob: golang: Calling Decoder.Decode on a message which contains deeply nested structures..."),
                    ),
                ],
            ),
            // Two images merged into the api Deployment's entry, told apart by their OS results.
            report(
                "registry.example.com/shop/api:1.4.2",
                &[],
                vec![
                    v(
                        "CVE-2024-45491",
                        "libexpat1",
                        "2.5.0-1",
                        Some("2.5.0-1+deb12u1"),
                        Critical,
                        Some("libexpat: Integer Overflow or Wraparound"),
                    ),
                    v(
                        "CVE-2024-6345",
                        "setuptools",
                        "65.5.1",
                        Some("70.0.0"),
                        High,
                        Some("pypa/setuptools: Remote code execution via download functions in the package_index module in pypa/setuptools"),
                    ),
                ],
            ),
            report(
                "registry.example.com/shop/envoy:1.31.2",
                &[],
                vec![v(
                    "CVE-2024-2236",
                    "libgcrypt20",
                    "1.9.4-3ubuntu3",
                    None,
                    Medium,
                    Some("libgcrypt: vulnerable to Marvin Attack"),
                )],
            ),
        ]
    );
}

#[test]
fn grype_report() {
    let (file, reports) = read("grype.json");
    assert_eq!(
        reports.unwrap(),
        vec![VulnReport {
            file,
            format: VulnFormat::Grype,
            image: "registry.example.com/shop/web:2.0.1".to_string(),
            // The repo digest and the manifest digest are one.
            digests: strings(&[WEB_MANIFEST, WEB_CONFIG]),
            created: Some("2026-11-30T10:02:11.551234+01:00".to_string()),
            vulnerabilities: vec![
                // Matched twice (NVD without a fix, GitHub with one): kept once, with the fix
                // of the installed release line (1.22), not the lowest (1.21.11).
                v(
                    "CVE-2024-24790",
                    "stdlib",
                    "go1.22.1",
                    Some("1.22.4"),
                    Critical,
                    None
                ),
                v(
                    "CVE-2024-5535",
                    "libcrypto3",
                    "3.1.4-r5",
                    Some("3.1.6-r0"),
                    Critical,
                    None
                ),
                v(
                    "CVE-2024-6119",
                    "libssl3",
                    "3.1.4-r5",
                    Some("3.1.7-r0"),
                    High,
                    None
                ),
                v(
                    "CVE-2023-42363",
                    "busybox",
                    "1.36.1-r15",
                    Some("1.36.1-r16"),
                    Medium,
                    None
                ),
                v(
                    "GHSA-9wx4-h78v-vm56",
                    "requests",
                    "2.31.0",
                    None,
                    Medium,
                    None
                ),
                v(
                    "CVE-2023-6237",
                    "libcrypto3",
                    "3.1.4-r5",
                    None,
                    Negligible,
                    None
                ),
                v("CVE-2025-0725", "libcurl", "8.5.0-r0", None, Unknown, None),
            ],
        }]
    );
}

#[test]
fn cyclonedx_written_by_trivy() {
    let (file, reports) = read("cyclonedx-trivy.json");
    assert_eq!(
        reports.unwrap(),
        vec![VulnReport {
            file,
            format: VulnFormat::CycloneDx,
            image: "registry.example.com/shop/api:1.4.2".to_string(),
            digests: strings(&[API_MANIFEST, API_CONFIG]),
            created: Some("2026-11-30T08:16:03+00:00".to_string()),
            vulnerabilities: vec![
                // Debian says low, NVD critical: the highest rating.
                v(
                    "CVE-2023-45853",
                    "zlib1g",
                    "1:1.2.13.dfsg-1",
                    None,
                    Critical,
                    None
                ),
                v(
                    "CVE-2024-45491",
                    "libexpat1",
                    "2.5.0-1",
                    Some("2.5.0-1+deb12u1"),
                    Critical,
                    None,
                ),
                // One recommendation per package, joined by "; ".
                v(
                    "CVE-2024-2961",
                    "libc-bin",
                    "2.36-9+deb12u4",
                    Some("2.36-9+deb12u7"),
                    High,
                    None,
                ),
                v(
                    "CVE-2024-2961",
                    "libc6",
                    "2.36-9+deb12u4",
                    Some("2.36-9+deb12u7"),
                    High,
                    None,
                ),
                v(
                    "CVE-2024-6345",
                    "setuptools",
                    "65.5.1",
                    Some("70.0.0"),
                    High,
                    None
                ),
                v(
                    "CVE-2024-35195",
                    "requests",
                    "2.31.0",
                    Some("2.32.0"),
                    Medium,
                    None
                ),
                // No rating at all.
                v(
                    "TEMP-0841856-B18BAF",
                    "libexpat1",
                    "2.5.0-1",
                    None,
                    Unknown,
                    None
                ),
            ],
        }]
    );
}

#[test]
fn cyclonedx_of_another_scanner() {
    let (file, reports) = read("cyclonedx-plain.json");
    assert_eq!(
        reports.unwrap(),
        vec![VulnReport {
            file,
            format: VulnFormat::CycloneDx,
            image: format!("registry.example.com/shop/web@{WEB_MANIFEST}"),
            digests: strings(&[WEB_MANIFEST]),
            created: Some("2026-11-29T22:40:00Z".to_string()),
            vulnerabilities: vec![
                // Found through a BOM-link; fixed in the `unaffected` version.
                v(
                    "CVE-2024-24790",
                    "stdlib",
                    "1.22.1",
                    Some("1.22.4"),
                    Critical,
                    None
                ),
                v(
                    "CVE-2024-5535",
                    "libcrypto3",
                    "3.1.4-r5",
                    Some("3.1.6-r0"),
                    Critical,
                    None
                ),
                // Not a component of the BOM: read from the package URL.
                v(
                    "GHSA-4v7x-pqxf-cx7m",
                    "golang.org/x/net",
                    "v0.21.0",
                    Some("v0.23.0"),
                    High,
                    None,
                ),
                // A range, not a version: the component's version; free text is no fix.
                v(
                    "CVE-2023-42363",
                    "busybox",
                    "1.36.1-r15",
                    None,
                    Medium,
                    None
                ),
                // `info` outranks `unknown`. CVE-2023-6237 is `not_affected`: left out.
                v(
                    "CVE-2024-0727",
                    "libcrypto3",
                    "3.1.4-r5",
                    None,
                    Negligible,
                    None
                ),
                // Affecting nothing named.
                v("CVE-2024-45337", "", "", None, Negligible, None),
            ],
        }]
    );
}

#[test]
fn truncated_json_is_located() {
    let (file, result) = read("truncated.json");
    let err = result.unwrap_err();
    let text = std::fs::read_to_string(data("truncated.json")).unwrap();
    let line = text.lines().count();
    let column = text.lines().last().unwrap().chars().count();
    assert!(
        matches!(&err, VulnError::Json { line: l, column: c, .. } if *l == line && *c == column),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("{file}:{line}:{column}: malformed JSON: EOF while parsing a string")
    );
}

#[test]
fn errors_carry_file_line_and_column() {
    let err = parse_vuln_report("r.json", b"{\n  \"matches\": [,]\n}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.json:2:15: malformed JSON: expected value"
    );
    // Valid JSON whose structure does not fit the format it claims.
    let err = parse_vuln_report(
        "t.json",
        b"{\"SchemaVersion\": 2, \"ArtifactType\": \"container_image\",\n\"ArtifactName\": \"a\", \"Results\": \"none\"}",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.json:2:38: not a valid Trivy report: invalid type: string \"none\", expected a sequence"
    );
    let err = parse_vuln_report("e.json", b"").unwrap_err();
    assert_eq!(
        err.to_string(),
        "e.json:1:0: malformed JSON: EOF while parsing a value"
    );
    let err = parse_vuln_report("d.json", b"{\"matches\": [], \"matches\": []}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "d.json:1:25: not a valid scanner report: duplicate field `matches`"
    );
}

#[test]
fn files_that_are_not_image_scans() {
    let (file, result) = read("wrong-format.json");
    assert_eq!(
        result.unwrap_err().to_string(),
        format!(
            "{file}: not a vulnerability report kcheck reads (Trivy JSON, Grype JSON, or \
             CycloneDX JSON with vulnerabilities)"
        )
    );
    let (file, result) = read("sbom-only.json");
    assert_eq!(
        result.unwrap_err().to_string(),
        format!(
            "{file}: a CycloneDX SBOM without vulnerabilities: an inventory of the image, not \
             the result of a vulnerability scan"
        )
    );
    let (file, result) = read("trivy-fs.json");
    assert_eq!(
        result.unwrap_err().to_string(),
        format!(
            "{file}: a Trivy report of an artifact of type `filesystem`, not of a container image"
        )
    );
    for (bytes, what) in [
        (
            &br#"{"matches": [], "source": {"type": "directory", "target": "/src"}, "descriptor": {"name": "grype"}}"#[..],
            "a Grype report of a source of type `directory`",
        ),
        (
            br#"{"matches": [], "descriptor": {"name": "grype", "timestamp": ""}}"#,
            "a Grype report of a source it does not name",
        ),
        (
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": {"component": {"type": "application", "name": "shop"}}, "vulnerabilities": []}"#,
            "a CycloneDX report of a component of type `application`",
        ),
        (
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "vulnerabilities": []}"#,
            "a CycloneDX report of no metadata.component",
        ),
        (
            br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": []}"#,
            "a Trivy report of an artifact without ArtifactType or image metadata",
        ),
    ] {
        let err = parse_vuln_report("x.json", bytes).unwrap_err();
        assert_eq!(err.to_string(), format!("x.json: {what}, not of a container image"));
    }
    for bytes in [
        &b"[]"[..],
        b"\"CycloneDX\"",
        b"42",
        b"null",
        b"{}",
        b"{\"bomFormat\": 3}",
    ] {
        let err = parse_vuln_report("x.json", bytes).unwrap_err();
        assert!(matches!(err, VulnError::Unrecognized { .. }), "{err:?}");
    }
    let err = read_vuln_report(&data("missing.json")).unwrap_err();
    assert!(matches!(err, VulnError::Io { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!(
        "{}: cannot read the report: ",
        data("missing.json").display()
    )));
}

#[test]
fn byte_order_mark_and_lenient_fields() {
    // A BOM; a Trivy report without ArtifactType but with image metadata; nulls where arrays
    // belong; a status that denies the fix FixedVersion names.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        br#"{"SchemaVersion": 2, "ArtifactName": "", "Metadata": {"ImageID": "sha256:ab", "RepoTags": ["api:1"], "RepoDigests": null},
        "Results": [{"Target": "api:1 (alpine 3.19.1)", "Class": "os-pkgs", "Vulnerabilities": null},
                    {"Target": "app", "Vulnerabilities": [
                       {"VulnerabilityID": "CVE-1", "PkgName": "a", "InstalledVersion": "1", "FixedVersion": "2", "Status": "will_not_fix", "Severity": "high"},
                       {"VulnerabilityID": "CVE-2", "PkgName": "b", "InstalledVersion": "1", "FixedVersion": " , 3", "Status": "fixed", "Severity": "nonsense", "Title": " "},
                       {"PkgName": "no id"}]}]}"#,
    );
    assert_eq!(
        parse_vuln_report("bom.json", &bytes).unwrap(),
        vec![VulnReport {
            file: "bom.json".to_string(),
            format: VulnFormat::Trivy,
            image: "api:1".to_string(),
            digests: strings(&["sha256:ab"]),
            created: None,
            vulnerabilities: vec![
                v("CVE-1", "a", "1", None, High, None),
                v("CVE-2", "b", "1", Some("3"), Unknown, None),
            ],
        }]
    );
    // An empty `vulnerabilities` array is a scan that found nothing.
    let reports = parse_vuln_report(
        "c.json",
        br#"{"bomFormat": "CycloneDX", "metadata": {"component": {"type": "container", "name": "api", "version": "1.4"}}, "vulnerabilities": []}"#,
    )
    .unwrap();
    assert_eq!(
        reports,
        vec![VulnReport {
            file: "c.json".to_string(),
            format: VulnFormat::CycloneDx,
            image: "api:1.4".to_string(),
            digests: vec![],
            created: None,
            vulnerabilities: vec![],
        }]
    );
}

#[test]
fn no_panic_on_damaged_reports() {
    let deep = "[".repeat(100_000);
    let err =
        parse_vuln_report("deep.json", format!("{{\"matches\": {deep}").as_bytes()).unwrap_err();
    assert!(matches!(err, VulnError::Json { .. }), "{err:?}");
    assert!(parse_vuln_report("bin.json", &[0xff, 0xfe, 0x7b, 0x00]).is_err());
    for name in [
        "trivy-image.json",
        "trivy-k8s.json",
        "trivy-k8s-summary.json",
        "grype.json",
        "cyclonedx-trivy.json",
        "cyclonedx-plain.json",
    ] {
        let bytes = std::fs::read(data(name)).unwrap();
        // Every 13th prefix, and a byte changed every 17 bytes: errors or reports, no panic.
        for end in (0..bytes.len()).step_by(13) {
            let _ = parse_vuln_report(name, &bytes[..end]);
        }
        for at in (0..bytes.len()).step_by(17) {
            let mut damaged = bytes.clone();
            damaged[at] = b"\"{}[],:0\\"[at % 9];
            let _ = parse_vuln_report(name, &damaged);
        }
    }
}

#[test]
fn grype_fix_states_and_image_names() {
    // No userInput: the first tag names the image. A `wont-fix` listing versions is no fix.
    let reports = parse_vuln_report(
        "g.json",
        br#"{"matches": [
              {"vulnerability": {"id": "CVE-1", "severity": "High", "fix": {"versions": ["9.9"], "state": "wont-fix"}},
               "artifact": {"name": "a", "version": "1.0"}},
              {"vulnerability": {"id": "CVE-2", "severity": "low", "fix": {"versions": ["", "1.1"], "state": "fixed"}},
               "artifact": {"name": "a", "version": "1.0"}},
              {"vulnerability": {"id": "CVE-3"}},
              {"artifact": {"name": "no vulnerability"}}],
            "source": {"type": "image", "target": {"userInput": "", "tags": ["api:1"], "repoDigests": [], "imageID": "sha256:cc"}},
            "descriptor": {"name": "grype", "timestamp": ""}}"#,
    )
    .unwrap();
    assert_eq!(
        reports,
        vec![VulnReport {
            file: "g.json".to_string(),
            format: VulnFormat::Grype,
            image: "api:1".to_string(),
            digests: strings(&["sha256:cc"]),
            created: None,
            vulnerabilities: vec![
                v("CVE-1", "a", "1.0", None, High, None),
                v("CVE-2", "a", "1.0", Some("1.1"), Low, None),
                v("CVE-3", "", "", None, Unknown, None),
            ],
        }]
    );
    // An image source whose target is a string: the string names the image.
    let reports = parse_vuln_report(
        "g.json",
        br#"{"matches": [], "source": {"type": "image", "target": "api:1"}}"#,
    )
    .unwrap();
    assert_eq!(reports[0].image, "api:1");
    assert!(reports[0].digests.is_empty() && reports[0].vulnerabilities.is_empty());
}
