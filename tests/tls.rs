//! HTTPS end to end: the real binary serves TLS with a certificate it made
//! (trusted by the test's client through the path it printed) or with PEM
//! files the test made; HTTP/2 is negotiated by ALPN; `run` hands the child
//! `SPECMOCK_URL=https://...` and `SPECMOCK_CA`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{self, STARTUP_TIMEOUT, bin};

const DOC: &str = "tests/documents/chaos.yaml";

/// `specmock serve ARGS` on a free port: its URL (stdout's first line) and
/// its stderr lines as they come.
struct Server {
    child: Child,
    url: String,
    stderr: mpsc::Receiver<String>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn specmock");
        let (tx, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (utx, urx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            let _ = utx.send(lines.next().and_then(Result::ok).unwrap_or_default());
            for _ in lines {}
        });
        let url = urx.recv_timeout(STARTUP_TIMEOUT).unwrap_or_default();
        Server { child, url, stderr }
    }

    /// The first stderr line containing `needle`.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + STARTUP_TIMEOUT;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no stderr line with {needle:?}; saw:\n{}", seen.join("\n"));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM: a clean stop removes the certificate it wrote to the temp folder.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        common::wait_with_timeout(&mut self.child, common::COMMAND_TIMEOUT);
    }
}

/// The certificate path the server printed: `... written to PATH (trust it: ...)`.
fn printed_certificate(server: &Server) -> String {
    let line = server.wait_for("self-signed certificate");
    let path = line
        .split(" written to ")
        .nth(1)
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("no path in {line:?}"));
    path.to_string()
}

fn runtime() -> tokio::runtime::Runtime {
    // The client's TLS uses the same provider as specmock's (ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A client that trusts only `pem` (no system roots).
fn client(pem: &[u8], http1_only: bool) -> reqwest::Client {
    let cert = reqwest::Certificate::from_pem(pem).expect("a PEM certificate");
    let mut b = reqwest::Client::builder()
        .tls_certs_only([cert])
        .timeout(Duration::from_secs(60));
    if http1_only {
        b = b.http1_only();
    }
    b.build().unwrap()
}

#[test]
fn self_signed_https_is_trusted_by_the_printed_path_and_speaks_http2() {
    let server = Server::start(&[DOC, "--tls-self-signed", "--seed", "1"]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{:?}",
        server.url
    );
    let ca = printed_certificate(&server);
    let pem = std::fs::read(&ca).unwrap_or_else(|e| panic!("{ca}: {e}"));
    assert!(
        !String::from_utf8_lossy(&pem).contains("PRIVATE KEY"),
        "the key must stay in memory"
    );
    let rt = runtime();
    rt.block_on(async {
        let url = format!("{}/orders/7", server.url);
        // ALPN: the server offers h2, so a client that can speak it does.
        let r = client(&pem, false).get(&url).send().await.unwrap();
        assert_eq!(r.version(), reqwest::Version::HTTP_2);
        assert_eq!(r.status(), 200);
        let order: serde_json::Value = r.json_body().await;
        assert!(order["total"].is_u64(), "{order}");
        // HTTP/1.1 over TLS too.
        let r = client(&pem, true).get(&url).send().await.unwrap();
        assert_eq!(r.version(), reqwest::Version::HTTP_11);
        assert_eq!(r.status(), 200);
        // By name as well as by address: the certificate names localhost.
        let by_name = url.replace("127.0.0.1", "localhost");
        let r = client(&pem, false).get(&by_name).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // A client that does not trust it is refused: the certificate is really checked.
        let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let e = client(other.cert.pem().as_bytes(), false)
            .get(&url)
            .send()
            .await
            .unwrap_err();
        assert!(e.is_connect(), "{e:?}");
    });
    // Plain HTTP to the HTTPS port is told what to do.
    let addr = server.url.trim_start_matches("https://").to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    std::io::Write::write_all(&mut conn, b"GET /orders/7 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut conn, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("https-required"), "{answer}");
    assert!(answer.contains(&format!("use https://{addr}")), "{answer}");
}

/// `.json()` needs reqwest's json feature; parse the text instead.
trait JsonBody {
    async fn json_body(self) -> serde_json::Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> serde_json::Value {
        let text = self.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }
}

#[test]
fn pem_files_serve_https_and_a_wrong_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = dir.path().join("server.crt");
    let key = dir.path().join("server.key");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let (c, k) = (cert.to_str().unwrap(), key.to_str().unwrap());
    {
        let server = Server::start(&[DOC, "--tls-cert", c, "--tls-key", k]);
        assert!(server.url.starts_with("https://"), "{:?}", server.url);
        runtime().block_on(async {
            let r = client(made.cert.pem().as_bytes(), false)
                .get(format!("{}/orders", server.url))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.version(), reqwest::Version::HTTP_2);
        });
    }
    // Another certificate's key: refused at start, both files named.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let wrong = dir.path().join("other.key");
    std::fs::write(&wrong, other.signing_key.serialize_pem()).unwrap();
    let w = wrong.to_str().unwrap();
    let run = common::run(&["serve", DOC, "--port", "0", "--tls-cert", c, "--tls-key", w]);
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stderr.contains("server.crt and "), "{}", run.stderr);
    assert!(run.stderr.contains("other.key"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the key does not belong to the certificate"),
        "{}",
        run.stderr
    );
    // A key without its certificate is a usage error clap explains.
    let run = common::run(&["serve", DOC, "--tls-key", k]);
    assert_eq!(run.code, Some(2), "{}", run.output());
    assert!(run.stderr.contains("--tls-cert"), "{}", run.stderr);
}

#[test]
fn run_hands_the_child_an_https_url_and_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen.txt");
    // curl trusts exactly the certificate specmock handed over (no -k).
    let script = format!(
        "curl -fsS --cacert \"$SPECMOCK_CA\" \"$SPECMOCK_URL/orders/1\" > {out} && printf '\\n%s\\n' \"$SPECMOCK_URL\" >> {out}",
        out = seen.display()
    );
    let run = common::run(&["run", DOC, "--tls-self-signed", "--", "sh", "-c", &script]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let text = std::fs::read_to_string(&seen).unwrap();
    let mut lines = text.lines();
    let body: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert!(body["id"].is_string(), "{body}");
    assert!(
        lines.next().unwrap().starts_with("https://127.0.0.1:"),
        "{text}"
    );
    // The certificate file in the temp folder is gone with the server.
    let ca = run
        .stderr
        .split(" written to ")
        .nth(1)
        .and_then(|r| r.split(" (").next())
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(!std::path::Path::new(ca).exists(), "{ca} was left behind");
}
