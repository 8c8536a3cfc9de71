//! Upstream's Pod Security Admission fixtures: every file under
//! `testdata/<level>/<version>/<pass|fail>/` must be allowed (pass) or denied (fail) at its
//! folder's level and version, a fail file by the check its name names (or, in a restricted
//! folder, by the restricted check that overrides it), with upstream's error substring in that
//! check's reason or detail. The registry is also held to the check table
//! derived from upstream (`EXPECTED.derived.json`): levels, revision versions, overrides.

use kcheck_pss::{checks, evaluate_object, Level, Version};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata")
}

fn expected() -> Value {
    let text = fs::read_to_string(testdata().join("EXPECTED.derived.json"))
        .expect("EXPECTED.derived.json");
    serde_json::from_str(&text).expect("EXPECTED.derived.json is JSON")
}

/// Every fixture: (level, version, expect_pass, path), sorted.
fn fixtures() -> Vec<(Level, Version, bool, PathBuf)> {
    let mut out = Vec::new();
    for level in [Level::Baseline, Level::Restricted] {
        let level_dir = testdata().join(level.as_str());
        for version_dir in fs::read_dir(&level_dir).expect("level dir").flatten() {
            let name = version_dir.file_name().to_string_lossy().into_owned();
            let version = Version::parse(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
            for (verdict, pass) in [("pass", true), ("fail", false)] {
                let Ok(files) = fs::read_dir(version_dir.path().join(verdict)) else {
                    continue;
                };
                for file in files.flatten() {
                    out.push((level, version, pass, file.path()));
                }
            }
        }
    }
    out.sort_by(|a, b| a.3.cmp(&b.3));
    out
}

/// `allowprivilegeescalation0.yaml` -> `allowPrivilegeEscalation`; `None` for the base pods.
fn check_named_by(path: &Path) -> Option<&'static str> {
    let stem = path.file_stem()?.to_str()?;
    let name = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    if name.starts_with("base") {
        return None;
    }
    let check = checks().iter().find(|c| c.id.to_ascii_lowercase() == name);
    Some(
        check
            .unwrap_or_else(|| panic!("{}: names no known check", path.display()))
            .id,
    )
}

#[derive(Default)]
struct Counts {
    total: usize,
    pass: usize,
    fail: usize,
}

#[test]
fn every_fixture_gets_upstreams_verdict() {
    let expected = expected();
    let substrings: BTreeMap<&str, Vec<&str>> = expected["checks"]
        .as_object()
        .expect("checks table")
        .iter()
        .map(|(id, c)| {
            let subs = c["expected_error_substrings"]
                .as_array()
                .map_or(Vec::new(), |a| a.iter().filter_map(Value::as_str).collect());
            (id.as_str(), subs)
        })
        .collect();
    let listed: BTreeMap<String, (&str, Option<&str>)> = expected["files"]
        .as_array()
        .expect("files list")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().expect("path");
            let rel = path
                .strip_prefix("test/testdata/")
                .unwrap_or(path)
                .to_string();
            (
                rel,
                (
                    f["expected"].as_str().expect("expected"),
                    f["check"].as_str(),
                ),
            )
        })
        .collect();

    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for (level, version, pass, path) in fixtures() {
        let rel = path
            .strip_prefix(testdata())
            .expect("under testdata")
            .to_string_lossy()
            .replace('\\', "/");
        seen.insert(rel.clone());
        let count = counts.entry(level.as_str()).or_default();
        count.total += 1;
        if pass {
            count.pass += 1;
        } else {
            count.fail += 1;
        }
        let named = check_named_by(&path);
        match listed.get(&rel) {
            Some((verdict, check)) => {
                let want = if pass { "allowed" } else { "forbidden" };
                if *verdict != want || *check != named {
                    failures.push(format!("{rel}: EXPECTED says {verdict} by {check:?}, folder and name say {want} by {named:?}"));
                }
            }
            None => failures.push(format!("{rel}: not in EXPECTED.derived.json")),
        }

        let bytes = fs::read(&path).expect("read fixture");
        let loaded = kcheck_load::load_bytes(&rel, &bytes, &kcheck_load::Limits::default());
        if loaded.inputs.has_errors() || loaded.objects.len() != 1 {
            failures.push(format!(
                "{rel}: did not load as one object ({:?})",
                loaded.inputs.diagnostics
            ));
            continue;
        }
        let Some(eval) = evaluate_object(&loaded.objects[0], level, version) else {
            failures.push(format!("{rel}: no pod spec"));
            continue;
        };
        if eval.violation(kcheck_pss::INVALID).is_some() {
            failures.push(format!(
                "{rel}: upstream's fixtures are well-typed, got {}",
                eval.forbidden_detail()
            ));
        }
        if pass {
            if !eval.allowed() {
                failures.push(format!(
                    "{rel}: should be allowed, got: {}",
                    eval.forbidden_detail()
                ));
            }
            continue;
        }
        let Some(check) = named else {
            failures.push(format!("{rel}: a fail fixture must name a check"));
            continue;
        };
        // In a restricted evaluation a baseline check may be overridden by a stricter restricted
        // one (hostPathVolumes by restrictedVolumes...): then that one must deny, as upstream.
        let minor = version.effective_minor();
        let overriders = checks().iter().filter(|c| {
            level == Level::Restricted
                && c.revision_at(minor)
                    .is_some_and(|r| r.overrides.contains(&check))
        });
        let mut deciders = std::iter::once(check).chain(overriders.map(|c| c.id));
        let Some(v) = deciders.find_map(|id| eval.violation(id)) else {
            failures.push(format!(
                "{rel}: should be denied by {check}, got: {:?}",
                eval.forbidden_detail()
            ));
            continue;
        };
        for sub in substrings.get(check).into_iter().flatten() {
            if !v.reason.contains(sub) && !v.detail.contains(sub) {
                failures.push(format!(
                    "{rel}: {check} message lacks {sub:?}: {} ({})",
                    v.reason, v.detail
                ));
            }
        }
        if v.fields.is_empty() {
            failures.push(format!("{rel}: {check} names no field"));
        }
    }
    for rel in listed.keys().filter(|rel| !seen.contains(*rel)) {
        failures.push(format!(
            "{rel}: listed in EXPECTED.derived.json but missing"
        ));
    }

    let total: usize = counts.values().map(|c| c.total).sum();
    println!("PSA conformance: {total} fixtures");
    for (level, c) in &counts {
        println!(
            "  {level:<10} {:>5} files: {:>4} pass, {:>4} fail",
            c.total, c.pass, c.fail
        );
    }
    println!("  failures: {}", failures.len());
    assert!(
        total >= 4_537,
        "expected upstream's 4,537 fixtures, found {total}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} fixtures wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Versions are written `v1.19` in the table; ours are minors.
fn minor(v: &Value) -> u32 {
    let s = v.as_str().expect("version string");
    match Version::parse(s).expect("version") {
        Version::Minor(n) => n,
        Version::Latest => panic!("latest in table"),
    }
}

#[test]
fn registry_matches_upstreams_check_table() {
    let expected = expected();
    let table = expected["checks"].as_object().expect("checks table");
    let ours: BTreeSet<&str> = checks().iter().map(|c| c.id).collect();
    let theirs: BTreeSet<&str> = table.keys().map(String::as_str).collect();
    assert_eq!(ours, theirs, "check ids differ");
    for check in checks() {
        let row = &table[check.id];
        assert_eq!(
            row["level"].as_str(),
            Some(check.level.as_str()),
            "{}: level",
            check.id
        );
        let versions = row["versions"].as_array().expect("versions");
        let want: Vec<(u32, Vec<&str>)> = versions
            .iter()
            .map(|v| {
                let overrides = v["overrides"]
                    .as_array()
                    .map_or(Vec::new(), |o| o.iter().filter_map(Value::as_str).collect());
                (minor(&v["minimum_version"]), overrides)
            })
            .collect();
        let got: Vec<(u32, Vec<&str>)> = check
            .revisions
            .iter()
            .map(|r| (r.since, r.overrides.to_vec()))
            .collect();
        assert_eq!(got, want, "{}: revisions", check.id);
    }
}
