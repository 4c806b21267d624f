//! Every example in examples/ runs here, so none of them rots.

use std::process::{Command, Stdio};

fn run_script(path: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path)
        .args(args)
        .env("SPECMOCK_BIN", crate::common::bin())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash");
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || std::io::read_to_string(out).unwrap_or_default());
    let e = std::thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let status = crate::common::wait_with_timeout(&mut child, crate::common::COMMAND_TIMEOUT)
        .expect("the example finished in time");
    (
        status.code(),
        format!("{}\n{}", o.join().unwrap(), e.join().unwrap()),
    )
}

#[test]
fn ci_example_passes_and_writes_junit() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = run_script("examples/ci/run.sh", &[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    let xml = std::fs::read_to_string(dir.path().join("contract.xml")).unwrap();
    assert!(
        xml.contains("<testcase") && !xml.contains("<failure"),
        "{xml}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("contract.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["requests"], 3, "{report}");
    assert_eq!(report["summary"]["violating_requests"], 0);
}

#[test]
fn record_example_records_replays_and_checks() {
    let (code, out) = run_script("examples/record/run.sh", &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("replayed: ingest-token ingest"), "{out}");
    assert!(out.contains("0 problem(s)"), "{out}");
}
