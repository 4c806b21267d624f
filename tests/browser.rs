//! The inspector page (`GET /__specmock/`) in a real browser: Debian's
//! chromium driven by playwright-core (tests/browser/inspector.mjs) against the
//! real binary (the four bundled documents, and a second server with
//! `tests/documents/fields.yaml` for the field coverage tree). Its dependencies are installed by `tests/browser/install`
//! (`make test` runs it before `cargo test`).

use crate::common::Specmock;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// What the browser test needs and this machine lacks.
fn missing(browser_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        out.push(format!("{CHROMIUM} (Debian's chromium)"));
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        out.push("tests/browser/node_modules (npm ci)".to_string());
    }
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|s| s.success()) {
        out.push("node (Node.js 20 or newer)".to_string());
    }
    out
}

#[test]
#[cfg_attr(
    specmock_skip_browser,
    ignore = "SPECMOCK_SKIP_BROWSER=1: the browser test is skipped"
)]
fn inspector_page_works_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    let lacking = missing(&browser_dir);
    if !lacking.is_empty() {
        let what = lacking.join(", ");
        panic!(
            "the inspector browser test cannot run: missing {what}.\n\
             Run `tests/browser/install` (or `make test`, which runs it before cargo test); \
             set SPECMOCK_SKIP_BROWSER=1 to skip this test."
        );
    }

    let server = Specmock::serve(&[]);
    let fields = Specmock::serve(&["tests/documents/fields.yaml"]);
    let screenshot = root.join("target/inspector.png");
    let mut child = Command::new("node")
        .arg(browser_dir.join("inspector.mjs"))
        .arg(&server.url)
        .arg(&screenshot)
        .arg(&fields.url)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = crate::common::wait_with_timeout(&mut child, BROWSER_TIMEOUT);
    let (out, err) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    match status {
        Some(s) if s.success() => {
            println!("{out}");
        }
        Some(s) => panic!(
            "the inspector browser test failed ({s}); screenshot: {}\n--- stdout\n{out}\n--- stderr\n{err}",
            screenshot.display()
        ),
        None => panic!(
            "the inspector browser test did not finish within {BROWSER_TIMEOUT:?}\n--- stdout\n{out}\n--- stderr\n{err}"
        ),
    }
}
