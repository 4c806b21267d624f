//! The inspector's browser session (`--admin-token`): a random cookie value
//! drawn once per process, never the token. Kept with the server's state;
//! the admin API's login (`admin::login`) checks and sets it.

use hyper::header::{self, HeaderValue};

use crate::request::Request;

/// Where the cookie is sent: the admin API and the inspector only.
const COOKIE_PATH: &str = "/__specmock";

/// The browser session of the admin API.
#[derive(Debug, Clone)]
pub struct Session {
    /// `specmock_admin_<port>`: cookies are not scoped by port, and two
    /// servers on one host must not overwrite each other's session.
    pub(crate) name: String,
    /// 32 random bytes, hex.
    pub(crate) value: String,
}

impl Session {
    /// A fresh random session value (from the operating system's generator).
    pub fn new() -> std::io::Result<Session> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|e| {
            std::io::Error::other(format!(
                "cannot draw a random admin session value from the operating system: {e}"
            ))
        })?;
        let value = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Session {
            name: "specmock_admin".to_string(),
            value,
        })
    }

    /// Name the cookie after the port actually listened on.
    pub fn for_port(mut self, port: u16) -> Session {
        self.name = format!("specmock_admin_{port}");
        self
    }

    /// The `Set-Cookie` value that logs a browser in.
    pub(crate) fn set_cookie(&self) -> Option<HeaderValue> {
        HeaderValue::from_str(&format!(
            "{}={}; HttpOnly; SameSite=Strict; Path={COOKIE_PATH}",
            self.name, self.value
        ))
        .ok()
    }

    /// Does the request carry this session's cookie?
    pub fn admits(&self, req: &Request) -> bool {
        req.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(k, v)| k == self.name && token_matches(v, &self.value))
    }
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
pub fn token_matches(given: &str, want: &str) -> bool {
    let (a, b) = (given.as_bytes(), want.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= (a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0)) as usize;
    }
    diff == 0
}
