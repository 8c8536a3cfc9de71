//! `kcheck cluster --context A --context B ...` against two in-process API servers (one whole,
//! one that forbids listing Secrets) and a closed port: the reports written or printed, the
//! lines on standard error, the exit code, and the combinations refused. The same against the
//! real API server is in `e2e/contexts.rs`.

use kcheck_cluster::testing::{ApiServer, Fixture};
use std::path::Path;
use std::process::Output;

#[path = "support/mod.rs"]
mod support;
use support::{command, stdout, TempDir};

/// The value after `key:` in a kubeconfig's text.
fn field<'a>(kubeconfig: &'a str, key: &str) -> &'a str {
    kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix(key))
        .unwrap_or_else(|| panic!("no {key} in {kubeconfig}"))
        .trim()
}

/// One kubeconfig with a context per `(name, server)`: the server's own URL, CA and token, or
/// for `None` a port nothing listens on.
fn kubeconfig(dir: &TempDir, contexts: &[(&str, Option<&ApiServer>)], closed: u16) -> String {
    let (mut clusters, mut users, mut named) = (String::new(), String::new(), String::new());
    for (i, (name, server)) in contexts.iter().enumerate() {
        match server {
            Some(s) => {
                let text = s.kubeconfig();
                clusters.push_str(&format!(
                    "- name: c{i}\n  cluster:\n    server: {}\n    certificate-authority-data: {}\n",
                    field(&text, "server:"),
                    field(&text, "certificate-authority-data:")
                ));
                users.push_str(&format!(
                    "- name: u{i}\n  user:\n    token: {}\n",
                    field(&text, "token:")
                ));
            }
            None => {
                clusters.push_str(&format!(
                    "- name: c{i}\n  cluster:\n    server: https://127.0.0.1:{closed}\n"
                ));
                users.push_str(&format!("- name: u{i}\n  user:\n    token: none\n"));
            }
        }
        named.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: c{i}\n    user: u{i}\n"
        ));
    }
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n{clusters}users:\n{users}contexts:\n{named}current-context: {}\n",
        contexts[0].0
    );
    dir.write("kubeconfig", text).display().to_string()
}

/// A port that refuses connections.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sample cluster whole, and again with Secrets forbidden.
fn servers() -> (ApiServer, ApiServer) {
    let whole = ApiServer::start(Fixture::sample()).unwrap();
    let mut partial = Fixture::sample();
    partial.forbidden.insert("secrets".into());
    (whole, ApiServer::start(partial).unwrap())
}

const INCOMPLETE: &str = "kcheck: incomplete audit: 1 kind could not be listed (forbidden: \
                          list secrets); the items that read them are not evaluated";

#[test]
fn several_contexts_write_one_report_each_and_the_worst_exit_code() {
    let dir = TempDir::new("contexts-dir");
    let (whole, partial) = servers();
    let closed = closed_port();
    let config = kubeconfig(
        &dir,
        &[
            ("prod/eu", Some(&whole)),
            ("stage", Some(&partial)),
            ("down", None),
        ],
        closed,
    );
    let out = dir.path("reports");
    let o = run(&[
        "cluster",
        "--kubeconfig",
        &config,
        "--context",
        "prod/eu",
        "--context",
        "stage",
        "--context",
        "down",
        "--format",
        "json",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    let (od, err) = (out.display(), stderr(&o));
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(stdout(&o), "");
    let want = format!(
        "kcheck: context prod/eu (1 of 3)\n\
         kcheck: context stage (2 of 3)\n\
         {INCOMPLETE}\n\
         kcheck: context down (3 of 3)\n\
         kcheck: cannot reach https://127.0.0.1:{closed}: connection refused\n\
         kcheck: context prod/eu: exit 1; items: 4 pass, 18 fail, 7 warn, 0 manual, 6 not evaluated, 0 error; {od}/prod_eu.json\n\
         kcheck: context stage: exit 2; items: 3 pass, 18 fail, 7 warn, 0 manual, 7 not evaluated, 0 error; {od}/stage.json\n\
         kcheck: context down: exit 2; not audited: cannot reach https://127.0.0.1:{closed}: connection refused\n\
         kcheck: summary of 2 reports: {od}/summary.html\n\
         kcheck: 3 contexts; exit 2, the worst of them\n"
    );
    assert_eq!(err, want);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["prod_eu.json", "stage.json", "summary.html"]);
    // Each report is the one a single-context run writes, byte for byte.
    for (context, file, code) in [("prod/eu", "prod_eu.json", 1), ("stage", "stage.json", 2)] {
        let alone = run(&[
            "cluster",
            "--kubeconfig",
            &config,
            "--context",
            context,
            "--format",
            "json",
        ]);
        assert_eq!(alone.status.code(), Some(code));
        assert_eq!(read(&out.join(file)), stdout(&alone), "{file}");
    }
    let report: serde_json::Value = serde_json::from_str(&read(&out.join("stage.json"))).unwrap();
    assert_eq!(report["target"]["name"], "stage");
    // The summary page names both clusters and the one not audited.
    let page = read(&out.join("summary.html"));
    for want in [
        "prod/eu",
        "stage",
        &format!("context down: not audited: cannot reach https://127.0.0.1:{closed}"),
    ] {
        assert!(page.contains(want), "{want} not in the summary page");
    }
    // `kcheck summary` of the files says the same as the page.
    let again = run(&[
        "summary",
        &out.join("prod_eu.json").display().to_string(),
        &out.join("stage.json").display().to_string(),
    ]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("2 reports"), "{}", stdout(&again));
}

#[test]
fn tables_follow_one_another_each_after_a_header() {
    let dir = TempDir::new("contexts-table");
    let (whole, _partial) = servers();
    let closed = closed_port();
    let config = kubeconfig(&dir, &[("prod", Some(&whole)), ("down", None)], closed);
    let args = |contexts: &[&str], lang: &str| {
        let mut a = vec!["cluster", "--kubeconfig", &config, "--lang", lang];
        for c in contexts {
            a.extend(["--context", c]);
        }
        run(&a)
    };
    let alone = args(&["prod"], "en");
    assert_eq!(alone.status.code(), Some(1));
    let both = args(&["prod", "down"], "en");
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    let cause = format!("cannot reach https://127.0.0.1:{closed}: connection refused");
    assert_eq!(
        stdout(&both),
        format!(
            "==> context prod (1 of 2) <==\n{}\n==> context down (2 of 2) <==\nnot audited: {cause}\n",
            stdout(&alone)
        )
    );
    let err = stderr(&both);
    assert!(
        err.ends_with(&format!(
            "kcheck: context prod: exit 1; items: 4 pass, 18 fail, 7 warn, 0 manual, 6 not evaluated, 0 error\n\
             kcheck: context down: exit 2; not audited: {cause}\n\
             kcheck: 2 contexts; exit 2, the worst of them\n"
        )),
        "{err}"
    );
    // In Chinese, with full-width punctuation.
    let zh = args(&["prod", "down"], "zh");
    assert_eq!(zh.status.code(), Some(2));
    let out = stdout(&zh);
    assert!(
        out.starts_with("==> 上下文 prod（第 1 个，共 2 个）<==\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "\n==> 上下文 down（第 2 个，共 2 个）<==\n未审计：无法连接 https://127.0.0.1:"
        ),
        "{out}"
    );
    let err = stderr(&zh);
    assert!(
        err.contains("kcheck: 上下文 prod：退出码 1；检查项：通过 4，不通过 18，警告 7，人工 0，未评估 6，错误 0\n"),
        "{err}"
    );
    assert!(
        err.ends_with("kcheck: 2 个上下文；退出码 2，取其中最差的\n"),
        "{err}"
    );
}

#[test]
fn output_dir_names_are_unique_and_one_context_is_as_before() {
    let dir = TempDir::new("contexts-names");
    let (whole, _partial) = servers();
    let config = kubeconfig(
        &dir,
        &[("a:b", Some(&whole)), ("a/b", Some(&whole))],
        closed_port(),
    );
    let out = dir.path("out");
    let o = run(&[
        "cluster",
        "--kubeconfig",
        &config,
        "--context",
        "a:b",
        "--context",
        "a/b",
        "--format",
        "sarif",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    // Only findings: exit 1; no summary page but for JSON.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["a_b-2.sarif", "a_b.sarif"]);
    // --output-dir without --context: the current context, by name.
    let one = dir.path("one");
    let o = run(&[
        "cluster",
        "--kubeconfig",
        &config,
        "--output-dir",
        one.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(one.join("a_b.txt").is_file());
    assert!(stderr(&o).ends_with("kcheck: 1 context; exit 1\n"));
    // One --context, no --output-dir: no header, no per-context line.
    let o = run(&["cluster", "--kubeconfig", &config, "--context", "a/b"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "");
    assert!(stdout(&o).starts_with("kcheck "), "{}", stdout(&o));
}

#[test]
fn combinations_that_make_no_sense_with_several_contexts_are_usage_errors() {
    let dir = TempDir::new("contexts-usage");
    let baseline = dir.write("baseline.json", "{}");
    let b = baseline.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--context", "a", "--context", "a"],
            "kcheck: --context a is given twice\n",
        ),
        (
            &["--context", "a", "--context", "b", "-o", "r.json"],
            "kcheck: --output writes one report: with several contexts, give --output-dir DIR \
             (one report per context)\n",
        ),
        (
            &["--context", "a", "--context", "b", "--baseline", b],
            "kcheck: --baseline is one cluster's earlier report: with several contexts, audit \
             each context on its own to compare it with its baseline\n",
        ),
        (
            &["--context", "a", "--context", "b", "-f", "json"],
            "kcheck: with several contexts, --format json needs --output-dir DIR (one report \
             per context); only tables are printed one after another\n",
        ),
        (
            &["--context", "a", "--context", "b", "-f", "html", "--lang", "zh"],
            "kcheck: 有多个上下文时，--format html 需要 --output-dir DIR（每个上下文一份报告）；只有表格可以依次打印\n",
        ),
        (
            &["--context", "a", "--context", "b", "--lang", "zh", "-o", "r.txt"],
            "kcheck: --output 只写一份报告：有多个上下文时，请改用 --output-dir DIR（每个上下文一份报告）\n",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["cluster", "--kubeconfig", "/nonexistent"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(3), "{extra:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{extra:?}");
        assert_eq!(&stderr(&o), want, "{extra:?}");
    }
    // clap refuses --output-dir with --output or --from-dump, and --context with --from-dump.
    for extra in [
        &["--output-dir", "d", "-o", "r.json"][..],
        &["--output-dir", "d", "--from-dump", "x"],
        &["--context", "a", "--context", "b", "--from-dump", "x"],
    ] {
        let mut args = vec!["cluster"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(3), "{extra:?}");
        assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    }
}
