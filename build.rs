//! `SPECMOCK_SKIP_BROWSER=1` at build time marks the browser test `ignored`
//! (a test cannot ignore itself at run time, and a skipped test must not be
//! reported as passed).
fn main() {
    println!("cargo::rerun-if-env-changed=SPECMOCK_SKIP_BROWSER");
    println!("cargo::rustc-check-cfg=cfg(specmock_skip_browser)");
    if std::env::var("SPECMOCK_SKIP_BROWSER").as_deref() == Ok("1") {
        println!("cargo::rustc-cfg=specmock_skip_browser");
    }
}
