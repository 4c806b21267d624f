//! `--watch`, end to end: the real binary watching real files in a temporary
//! folder, its counters read through `GET /__specmock/health`. Only content
//! changes reload; a touch, a read or an identical rewrite does not, and an
//! idle folder costs nothing. Waits are generous and nothing is timed.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{Specmock, get};

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /one:\n    get:\n      operationId: one\n      responses: {'200': {description: ok, content: {application/json: {example: {n: 1}}}}}\n";
const TWO: &str = "  /two:\n    get:\n      operationId: two\n      responses: {'200': {description: ok, content: {application/json: {example: {n: 2}}}}}\n";

/// Long enough for any burst to settle and be checked (the debounce is 250 ms)
/// on a loaded machine; used only to show that nothing more happens.
const SETTLE: Duration = Duration::from_millis(2000);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counters {
    reloads: u64,
    failed: u64,
    checks: u64,
}

fn counters(s: &Specmock) -> Counters {
    let h = get(&s.url("/__specmock/health")).json();
    let w = &h["watch"];
    assert_eq!(w["active"], true, "{h}");
    let n = |k: &str| w[k].as_u64().unwrap_or_else(|| panic!("watch.{k} in {h}"));
    Counters {
        reloads: n("reloads"),
        failed: n("failedReloads"),
        checks: n("fileChecks"),
    }
}

/// Poll the counters until `done` holds; fail after a generous minute.
fn wait_for(s: &Specmock, what: &str, done: impl Fn(Counters) -> bool) -> Counters {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let c = counters(s);
        if done(c) {
            return c;
        }
        assert!(
            Instant::now() < deadline,
            "waited a minute for {what}; counters {c:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Wait, then show that the counters did not move.
fn stays(s: &Specmock, c: Counters, why: &str) {
    std::thread::sleep(SETTLE);
    assert_eq!(counters(s), c, "{why}");
}

fn shell(program: &str, args: &[&str], file: &Path) {
    let st = Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(st.status.success(), "{program} {args:?}: {st:?}");
}

fn lines_with(stderr: &str, needle: &str) -> usize {
    stderr.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn touch_read_and_rewrite_reload_once_per_content_change() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("api.yaml");
    fs::write(&f, SPEC).unwrap();
    let s = Specmock::serve(&[dir.path().to_str().unwrap(), "--watch"]);
    let start = counters(&s);
    assert_eq!(
        start,
        Counters {
            reloads: 0,
            failed: 0,
            checks: 0
        }
    );
    stays(&s, start, "idle: no reload and no file check");

    // Neither a touch nor reads are edits: not even a check.
    shell("touch", &[], &f);
    shell("cat", &[], &f);
    fs::read(&f).unwrap();
    stays(&s, start, "a touch and two reads");

    // The same bytes written again: checked, not reloaded.
    fs::write(&f, SPEC).unwrap();
    let c = wait_for(&s, "the rewrite to be checked", |c| c.checks > start.checks);
    assert_eq!(c.reloads, 0, "an identical rewrite reloaded: {c:?}");
    stays(&s, c, "after an identical rewrite");

    // `sed -i` (temp file, then rename over): one reload.
    shell("sed", &["-i", "s/n: 1/n: 11/"], &f);
    let c = wait_for(&s, "the sed edit to reload", |c| c.reloads >= 1);
    assert_eq!(get(&s.url("/one")).json()["n"], 11);
    stays(&s, c, "after one edit");
    assert_eq!(c.reloads, 1);

    // A plain write that adds a path: one more.
    fs::write(&f, format!("{}{TWO}", SPEC.replace("n: 1}", "n: 11}"))).unwrap();
    let c = wait_for(&s, "the second edit to reload", |c| c.reloads >= 2);
    assert_eq!(get(&s.url("/two")).status, 200);
    stays(&s, c, "after the second edit");
    assert_eq!((c.reloads, c.failed), (2, 0));

    let (_, stderr) = s.terminate();
    assert_eq!(lines_with(&stderr, "reloaded after"), 2, "{stderr}");
    assert_eq!(
        lines_with(&stderr, "api.yaml changed: 2 operations"),
        1,
        "{stderr}"
    );
}

#[test]
fn a_broken_edit_keeps_serving_and_logs_once_then_a_fix_reloads_once() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("api.yaml");
    fs::write(&f, SPEC).unwrap();
    let s = Specmock::serve(&[f.to_str().unwrap(), "--watch"]);

    fs::write(&f, "openapi: 3.0.3\npaths:\n  /one: [unclosed\n").unwrap();
    let c = wait_for(&s, "the broken edit to be refused", |c| c.failed >= 1);
    assert_eq!(get(&s.url("/one")).status, 200, "the old contract serves");
    // Reading or touching the broken file does not repeat the error.
    shell("touch", &[], &f);
    shell("cat", &[], &f);
    stays(&s, c, "after a broken edit");
    assert_eq!((c.reloads, c.failed), (0, 1));

    fs::write(&f, format!("{SPEC}{TWO}")).unwrap();
    let c = wait_for(&s, "the fix to reload", |c| c.reloads >= 1);
    assert_eq!(get(&s.url("/two")).json()["n"], 2);
    stays(&s, c, "after the fix");
    assert_eq!((c.reloads, c.failed), (1, 1));

    let (_, stderr) = s.terminate();
    assert_eq!(lines_with(&stderr, "reload failed after"), 1, "{stderr}");
    assert_eq!(lines_with(&stderr, "reloaded after"), 1, "{stderr}");
    assert!(stderr.contains("api.yaml"), "{stderr}");
}

#[test]
fn a_fixture_written_atomically_reloads_once() {
    let dir = tempfile::tempdir().unwrap();
    let (specs, fx) = (dir.path().join("specs"), dir.path().join("fx/one"));
    fs::create_dir_all(&specs).unwrap();
    fs::create_dir_all(&fx).unwrap();
    fs::write(specs.join("api.yaml"), SPEC).unwrap();
    let s = Specmock::serve(&[
        specs.to_str().unwrap(),
        "--fixtures",
        dir.path().join("fx").to_str().unwrap(),
        "--watch",
    ]);
    assert_eq!(get(&s.url("/__specmock/health")).json()["fixtures"], 0);

    // As the recorder writes: a hidden temp file in the folder, renamed into place.
    let tmp = fx.join(".one.json.tmp");
    fs::write(
        &tmp,
        r#"{"request": {"method": "GET", "path": "/one"}, "response": {"status": 200, "body": {"n": 42}}}"#,
    )
    .unwrap();
    fs::rename(&tmp, fx.join("one.json")).unwrap();
    let c = wait_for(&s, "the new fixture to reload", |c| c.reloads >= 1);
    assert_eq!(get(&s.url("/one")).json()["n"], 42);
    assert_eq!(get(&s.url("/__specmock/health")).json()["fixtures"], 1);
    stays(&s, c, "after one new fixture");
    assert_eq!(c.reloads, 1);
}
