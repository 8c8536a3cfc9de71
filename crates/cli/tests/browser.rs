//! The HTML report in a real browser: headless Chromium, driven over the DevTools protocol by a
//! small client of our own (a WebSocket over a loopback TCP stream), loads the demo's report in
//! English and in Chinese and checks what a person would: no console error or exception, the
//! grid shows the 35 items, unticking a severity hides its findings and only those, an anchor
//! opens its item. A screenshot of each page is written to `target/screenshots/report-en.png`
//! and `report-zh.png` (under `CARGO_TARGET_DIR` when it is set) for CI to keep.
//!
//! Without Chromium (`/usr/bin/chromium`, or the one `KCHECK_CHROMIUM` names) the test says so
//! and passes, unless `KCHECK_REQUIRE_BROWSER=1` (CI sets it), when it fails.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KCHECK_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.exists().then_some(p);
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// The browser, killed when dropped.
struct Browser {
    child: Child,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts Chromium on a blank page; returns it and the port of its DevTools endpoint.
fn launch(exe: &Path, name: &str) -> (Browser, u16) {
    let profile =
        TempDir(std::env::temp_dir().join(format!("kcheck-browser-{name}-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&profile.0);
    std::fs::create_dir_all(&profile.0).unwrap();
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--window-size=1280,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.split("DevTools listening on ").nth(1) {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("chromium announces its DevTools endpoint");
    // ws://127.0.0.1:PORT/devtools/browser/ID
    let port = url
        .trim_start_matches("ws://")
        .split(['/', ':'])
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("a port");
    (
        Browser {
            child,
            _profile: profile,
        },
        port,
    )
}

/// A DevTools session over one WebSocket.
struct Cdp {
    stream: TcpStream,
    next: u64,
    /// Console errors and exceptions seen so far.
    errors: Vec<String>,
    events: Vec<Value>,
}

impl Cdp {
    /// Connects to the first page of the browser on `port`.
    fn page(port: u16) -> Cdp {
        let list = http_get(port, "/json/list");
        let targets: Value = serde_json::from_str(&list).expect("the target list");
        let ws = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page")
            .to_owned();
        let path = ws.splitn(4, '/').nth(3).expect("a path");
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        Cdp {
            stream,
            next: 0,
            errors: Vec::new(),
            events: Vec::new(),
        }
    }

    fn send_frame(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x5a, 0x17, 0xc3, 0x8e];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).unwrap();
    }

    fn read_message(&mut self) -> Value {
        let mut message = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.stream
                .read_exact(&mut h)
                .expect("a frame from chromium");
            let fin = h[0] & 0x80 != 0;
            let opcode = h[0] & 0x0f;
            let len = match h[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.stream.read_exact(&mut b).unwrap();
                    u16::from_be_bytes(b) as usize
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.stream.read_exact(&mut b).unwrap();
                    u64::from_be_bytes(b) as usize
                }
                n => n as usize,
            };
            let mut payload = vec![0u8; len];
            self.stream.read_exact(&mut payload).unwrap();
            match opcode {
                0x8 => panic!("chromium closed the connection"),
                0x9 | 0xa => continue,
                _ => message.extend_from_slice(&payload),
            }
            if fin {
                return serde_json::from_slice(&message).expect("JSON from chromium");
            }
        }
    }

    /// Notes what an event says about errors, and keeps it.
    fn event(&mut self, v: Value) {
        match v["method"].as_str() {
            Some("Runtime.exceptionThrown") => self
                .errors
                .push(format!("exception: {}", v["params"]["exceptionDetails"])),
            Some("Runtime.consoleAPICalled") if v["params"]["type"] == "error" => self
                .errors
                .push(format!("console: {}", v["params"]["args"])),
            Some("Log.entryAdded") if v["params"]["entry"]["level"] == "error" => self
                .errors
                .push(format!("log: {}", v["params"]["entry"]["text"])),
            _ => {}
        }
        self.events.push(v);
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.send_frame(&msg);
        loop {
            let v = self.read_message();
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
            self.event(v);
        }
    }

    fn wait_for(&mut self, method: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        if self.events.iter().any(|e| e["method"] == method) {
            return;
        }
        while Instant::now() < deadline {
            let v = self.read_message();
            let hit = v["method"] == method;
            self.event(v);
            if hit {
                return;
            }
        }
        panic!("no {method} within a minute");
    }

    /// The value of a JavaScript expression.
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    fn screenshot(&mut self, path: &Path) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = data_encoding::BASE64
            .decode(r["data"].as_str().unwrap().as_bytes())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(path, png).unwrap();
    }
}

fn http_get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    s.write_all(request.as_bytes()).unwrap();
    // The headers, then as many bytes as they announce.
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .expect("a Content-Length");
            if body.len() >= length {
                return body.to_owned();
            }
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "GET {path}: the connection closed early");
        bytes.extend_from_slice(&buf[..n]);
    }
}

/// The demo's report in `lang`, written where the screenshots go.
fn report(lang: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("report-{lang}.html"));
    let status = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .current_dir(workspace())
        .args([
            "scan",
            "examples/demo-cluster",
            "--format",
            "html",
            "--lang",
            lang,
        ])
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the demo has failing items");
    out
}

#[test]
fn the_html_report_works_in_a_browser() {
    let Some(exe) = chromium() else {
        let missing = "no chromium (apt-get install chromium fonts-noto-cjk)";
        assert!(
            std::env::var("KCHECK_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "KCHECK_REQUIRE_BROWSER=1 and {missing}"
        );
        eprintln!("{missing}: the browser test is skipped");
        return;
    };
    let shots = target_dir().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for lang in ["en", "zh"] {
        let page = report(lang, &shots);
        let (_browser, port) = launch(&exe, lang);
        let mut cdp = Cdp::page(port);
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            cdp.call(domain, json!({}));
        }
        cdp.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1280, "height": 1800, "deviceScaleFactor": 1, "mobile": false}),
        );
        let url = format!("file://{}", page.canonicalize().unwrap().display());
        cdp.call("Page.navigate", json!({ "url": url }));
        cdp.wait_for("Page.loadEventFired");

        assert_eq!(
            cdp.eval("document.documentElement.lang"),
            if lang == "en" { "en" } else { "zh-CN" }
        );
        assert_eq!(
            cdp.eval("document.querySelectorAll('.grid a.cell').length"),
            35
        );
        // Every cell links to its item.
        assert_eq!(
            cdp.eval("Array.from(document.querySelectorAll('a.cell')).every(a => document.getElementById(a.getAttribute('href').slice(1)))"),
            true
        );
        // Unticking "critical" hides every critical finding and no other.
        let visible = |sev: &str| {
            format!("Array.from(document.querySelectorAll('.finding[data-sev={sev}]')).filter(e => e.offsetParent !== null).length")
        };
        let critical = cdp.eval(&visible("critical")).as_u64().unwrap();
        let high = cdp.eval(&visible("high")).as_u64().unwrap();
        assert!(
            critical > 0 && high > 0,
            "{critical} critical, {high} high shown"
        );
        cdp.eval("document.getElementById('f-sev-critical').click()");
        assert_eq!(cdp.eval(&visible("critical")), 0);
        assert_eq!(cdp.eval(&visible("high")).as_u64(), Some(high));
        // A rule whose findings are all critical is hidden with them.
        assert_eq!(
            cdp.eval("Array.from(document.querySelectorAll('details.rule[data-sevs=critical]')).every(e => e.offsetParent === null)"),
            true
        );
        cdp.eval("document.getElementById('f-sev-critical').click()");
        assert_eq!(cdp.eval(&visible("critical")).as_u64(), Some(critical));
        // The status filter keeps only the items of a status.
        cdp.eval("var s = document.getElementById('f-status'); s.value = 'pass'; s.dispatchEvent(new Event('change'))");
        assert_eq!(
            cdp.eval("Array.from(document.querySelectorAll('.item')).filter(e => e.offsetParent !== null).every(e => e.dataset.status === 'pass')"),
            true
        );
        cdp.eval("var s = document.getElementById('f-status'); s.value = ''; s.dispatchEvent(new Event('change'))");
        // The namespace and rule filters were filled from the page.
        assert!(
            cdp.eval("document.getElementById('f-rule').options.length")
                .as_u64()
                .unwrap()
                > 10
        );
        assert!(
            cdp.eval("document.getElementById('f-ns').options.length")
                .as_u64()
                .unwrap()
                > 3
        );
        // An anchor to a rule opens it and scrolls to it.
        cdp.eval("location.hash = '#KC301'");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            cdp.eval("(function () { var r = document.getElementById('KC301').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()"),
            true
        );
        cdp.eval("window.scrollTo(0, 0)");
        std::thread::sleep(Duration::from_millis(300));
        cdp.screenshot(&shots.join(format!("report-{lang}.png")));
        // The findings of an item, with their snippets, for a look.
        cdp.eval("document.getElementById('item-3.2').scrollIntoView()");
        std::thread::sleep(Duration::from_millis(300));
        cdp.screenshot(&shots.join(format!("report-{lang}-findings.png")));
        assert!(cdp.errors.is_empty(), "{lang}: {:#?}", cdp.errors);
    }
}
