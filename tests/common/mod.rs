//! Shared helpers for end-to-end tests: run the real `specmock` binary on
//! 127.0.0.1 with a free port, talk to it over real HTTP, stop it on drop.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Generous: a loaded CI machine can be slow; nothing here measures speed.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_specmock")
}

/// A `specmock serve` process; killed when dropped.
pub struct Specmock {
    child: Child,
    pub url: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Specmock {
    /// `specmock serve --port 0 ARGS...`, waiting for the address line.
    pub fn serve(args: &[&str]) -> Specmock {
        Specmock::serve_in(args, None)
    }

    pub fn serve_in(args: &[&str], dir: Option<&Path>) -> Specmock {
        let mut cmd = Command::new(bin());
        cmd.arg("serve")
            .args(args)
            .args(["--host", "127.0.0.1", "--port", "0"]);
        if let Some(d) = dir {
            cmd.current_dir(d);
        }
        Specmock::spawn(cmd)
    }

    /// Start a prepared command that prints its address first.
    pub fn spawn(mut cmd: Command) -> Specmock {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn specmock");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut r = BufReader::new(stdout);
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the server never blocks on a full pipe.
            let mut sink = String::new();
            let _ = r.read_to_string(&mut sink);
        });
        let line = match rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("specmock did not print its address within {STARTUP_TIMEOUT:?}");
            }
        };
        let url = line.trim().to_string();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            let err = stderr.join().unwrap_or_default();
            panic!("specmock did not start: stdout {url:?}, stderr:\n{err}");
        }
        Specmock {
            child,
            url,
            stderr: Some(stderr),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// The process id (to kill it hard in tests).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send SIGTERM and wait for the process to end; returns its status and stderr.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = wait_with_timeout(&mut self.child, COMMAND_TIMEOUT)
            .expect("specmock did not stop after SIGTERM");
        let err = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        (status, err)
    }
}

impl Drop for Specmock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The result of running `specmock ARGS...` to completion.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Everything it printed, stdout then stderr (`validate` lists problems
    /// on stdout, refusals on stderr).
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Run the binary with a generous timeout (a hang fails the test, it does not stall CI).
pub fn run(args: &[&str]) -> Run {
    run_in(None, args)
}

/// [`run`] in a folder of the test's choosing (the working directory otherwise).
pub fn run_in<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(dir: Option<&Path>, args: &[S]) -> Run {
    let mut cmd = Command::new(bin());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let mut child = cmd
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn specmock");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = wait_with_timeout(&mut child, COMMAND_TIMEOUT)
        .unwrap_or_else(|| panic!("specmock {args:?} did not finish within {COMMAND_TIMEOUT:?}"));
    Run {
        code: status.code(),
        stdout: o.join().unwrap_or_default(),
        stderr: e.join().unwrap_or_default(),
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }
}

thread_local! {
    // One client per test thread: connections are kept alive between requests.
    static AGENT: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
}

fn agent() -> ureq::Agent {
    AGENT.with(|a| a.clone())
}

/// Send a request with headers and an optional body.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(body.unwrap_or("").to_string()).expect("request");
    let resp = agent()
        .run(req)
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp.into_body().read_to_string().unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(url: &str) -> Reply {
    send("GET", url, &[], None)
}

/// A fake vendor on 127.0.0.1: answers every request with what `answer`
/// returns for (method, path, headers, body), then closes the connection.
/// Stops when dropped (the listener thread exits on the next accept error).
pub struct Upstream {
    pub url: String,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
}

pub type Answer = (u16, Vec<(String, String)>, String);

impl Upstream {
    pub fn start(answer: fn(&str, &str, &str) -> Answer) -> Upstream {
        use std::io::Write;
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind upstream");
        let addr = listener.local_addr().unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0u8; len];
                let _ = reader.read_exact(&mut body);
                let body = String::from_utf8_lossy(&body).into_owned();
                let first = head.lines().next().unwrap_or("").to_string();
                let mut parts = first.split_whitespace();
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                seen2.lock().unwrap().push(format!("{head}\n{body}"));
                let (status, headers, reply) = answer(method, path, &head);
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    reply.len()
                );
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&reply);
                let _ = stream.write_all(out.as_bytes());
            }
        });
        Upstream {
            url: format!("http://{addr}"),
            seen,
            stop,
            addr,
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

/// Every file under a folder, recursively.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `specmock record ARGS...` with a free port.
pub fn record(args: &[&str]) -> Specmock {
    let mut cmd = Command::new(bin());
    cmd.arg("record")
        .args(args)
        .args(["--host", "127.0.0.1", "--port", "0"]);
    Specmock::spawn(cmd)
}
