//! `kcheck scan` judges file by file; `--in-memory` loads everything first. Through the binary,
//! with what the library tests do not set (a waiver file, annotation waivers, standard input
//! beside a directory, every format, both languages), the two print the same bytes.

use std::io::Write;
use std::process::{Command, Stdio};

fn scan(args: &[&str], stdin: &[u8]) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .current_dir(root)
        .arg("scan")
        .args(args)
        .env("KCHECK_TODAY", "2026-12-07")
        .env("KCHECK_FINGERPRINT_KEY", "streaming-test")
        .env_remove("KCHECK_LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kcheck runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    let out = child.wait_with_output().expect("kcheck ends");
    (out.stdout, out.stderr, out.status.code())
}

#[test]
fn streaming_and_in_memory_print_the_same() {
    let piped = b"apiVersion: v1\nkind: Pod\nmetadata: {name: piped, namespace: shop}\nspec:\n  containers: [{name: c, image: busybox}]\n";
    for format in [
        "json",
        "sarif",
        "table",
        "markdown",
        "html",
        "junit",
        "policyreport",
    ] {
        for lang in ["en", "zh"] {
            let args = [
                "examples/demo-cluster",
                "-",
                "--waivers",
                "examples/waivers.yaml",
                "-f",
                format,
                "--lang",
                lang,
            ];
            let streamed = scan(&args, piped);
            let mut reference = args.to_vec();
            reference.push("--in-memory");
            let in_memory = scan(&reference, piped);
            assert!(!streamed.0.is_empty(), "{format} {lang}: no output");
            assert_eq!(
                streamed, in_memory,
                "{format} {lang}: the streaming scan prints other bytes"
            );
        }
    }
}
