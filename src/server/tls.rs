//! HTTPS: the certificate and key a server presents, from PEM files
//! (`--tls-cert`, `--tls-key`) or generated at start (`--tls-self-signed`),
//! as a rustls acceptor that offers HTTP/2 and HTTP/1.1 through ALPN.
//!
//! A generated key lives in memory only; its certificate (public) is
//! written to a file so that a client can trust it: the path given with
//! `--tls-self-signed-out`, else a file in the OS temp folder that is
//! removed when the server stops.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::idle::Tracked;
use crate::problem::{Problem, ProblemKind};

pub use crate::app::TlsSource;

/// The names a self-signed certificate is valid for.
pub const SELF_SIGNED_NAMES: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// A server's TLS, ready to accept connections.
pub struct Tls {
    /// Wraps each accepted connection.
    pub acceptor: TlsAcceptor,
    /// The certificate a client should trust, when specmock made it.
    pub ca: Option<PathBuf>,
    /// A certificate file in the temp folder: removed when this is dropped.
    _temp: Option<tempfile::TempPath>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("ca", &self.ca).finish()
    }
}

impl Tls {
    /// Read or make the certificate and key, and build the acceptor.
    pub fn new(source: &TlsSource) -> io::Result<Tls> {
        let (chain, key, ca, temp) = match source {
            TlsSource::Files { cert, key } => (read_chain(cert)?, read_key(key)?, None, None),
            TlsSource::SelfSigned { out } => {
                let (chain, key, pem) = self_signed()?;
                let (path, temp) = write_certificate(out.as_deref(), &pem)?;
                (chain, key, Some(path), temp)
            }
        };
        let config = server_config(chain, key).map_err(|e| match source {
            TlsSource::Files { cert, key } => invalid(format!(
                "{} and {}: {}; give the private key made with that certificate (the first certificate of the file is the server's)",
                cert.display(),
                key.display(),
                match e {
                    rustls::Error::InconsistentKeys(_) => {
                        "the key does not belong to the certificate".to_string()
                    }
                    other => other.to_string(),
                }
            )),
            TlsSource::SelfSigned { .. } => invalid(format!("the self-signed certificate: {e}")),
        })?;
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca,
            _temp: temp,
        })
    }
}

/// The TLS handshake of one accepted connection, bounded like a request's
/// headers (a client that opens and says nothing must not hold a slot).
/// A failed handshake (a plain-HTTP client, an untrusted certificate) ends
/// the connection, logged at debug.
/// A client that speaks plain HTTP to the HTTPS port gets a 400 problem
/// saying to use `https://` (its first byte is a letter, where TLS starts
/// with a handshake record), not a silent close.
pub async fn handshake(
    acceptor: &TlsAcceptor,
    stream: Tracked<TcpStream>,
    limit: std::time::Duration,
) -> Option<tokio_rustls::server::TlsStream<Tracked<TcpStream>>> {
    let mut first = [0u8; 1];
    match tokio::time::timeout(limit, stream.get_ref().peek(&mut first)).await {
        Ok(Ok(1)) if first[0].is_ascii_alphabetic() => {
            refuse_plain_http(stream.get_ref()).await;
            return None;
        }
        Ok(Ok(1)) => {}
        _ => return None,
    }
    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            tracing::debug!("TLS handshake failed: {e}");
            None
        }
        Err(_) => {
            tracing::debug!("TLS handshake not done within {limit:?}; closed");
            None
        }
    }
}

async fn refuse_plain_http(stream: &TcpStream) {
    let at = match stream.local_addr() {
        Ok(a) => format!("https://{a}"),
        Err(_) => "https://".into(),
    };
    let problem = Problem::new(
        ProblemKind::HttpsRequired,
        format!("this server speaks HTTPS only: use {at} (and trust its certificate)"),
    );
    let body = problem.to_json().to_string();
    let head = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        crate::problem::PROBLEM_JSON,
        body.len()
    );
    let mut out = std::io::Cursor::new([head.as_bytes(), body.as_bytes()].concat());
    while (out.position() as usize) < out.get_ref().len() {
        if stream.writable().await.is_err() {
            return;
        }
        let at = out.position() as usize;
        match stream.try_write(&out.get_ref()[at..]) {
            Ok(n) => out.set_position((at + n) as u64),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        }
    }
    // Read what the client sent, so closing does not reset the answer away.
    let mut sink = [0u8; 4096];
    while let Ok(n) = stream.try_read(&mut sink) {
        if n == 0 {
            break;
        }
    }
}

/// rustls with the ring provider (the one the upstream client uses), no
/// client certificates, HTTP/2 preferred over HTTP/1.1.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn read(path: &Path, what: &str, flag: &str) -> io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "{}: cannot read the TLS {what} ({flag}): {e}; give a readable PEM file, or --tls-self-signed",
                path.display()
            ),
        )
    })
}

fn read_chain(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let bytes = read(path, "certificate", "--tls-cert")?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("{}: not a PEM certificate: {e}", path.display())))?;
    if chain.is_empty() {
        return Err(invalid(format!(
            "{}: no certificate in it (no -----BEGIN CERTIFICATE----- block); --tls-cert takes the server's certificate chain in PEM",
            path.display()
        )));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    let bytes = read(path, "key", "--tls-key")?;
    // The error names the file, never its content: a key stays out of the logs.
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|_| {
        invalid(format!(
            "{}: no private key in it; --tls-key takes a PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)",
            path.display()
        ))
    })
}

/// A certificate for [`SELF_SIGNED_NAMES`], its key (in memory only) and the
/// certificate as PEM.
fn self_signed() -> io::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String)> {
    let names: Vec<String> = SELF_SIGNED_NAMES.iter().map(|s| s.to_string()).collect();
    let made = rcgen::generate_simple_self_signed(names)
        .map_err(|e| io::Error::other(format!("cannot make a self-signed certificate: {e}")))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    Ok((vec![made.cert.der().clone()], key, made.cert.pem()))
}

/// Write the (public) certificate where the user asked, else to a fresh
/// file in the temp folder that is removed when the server stops.
fn write_certificate(
    out: Option<&Path>,
    pem: &str,
) -> io::Result<(PathBuf, Option<tempfile::TempPath>)> {
    match out {
        Some(path) => {
            crate::report::write_atomic(path, pem.as_bytes()).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "{}: cannot write the self-signed certificate (--tls-self-signed-out): {e}",
                        path.display()
                    ),
                )
            })?;
            Ok((path.to_path_buf(), None))
        }
        None => {
            let mut file = tempfile::Builder::new()
                .prefix("specmock-ca-")
                .suffix(".pem")
                .tempfile()?;
            io::Write::write_all(&mut file, pem.as_bytes())?;
            let temp = file.into_temp_path();
            Ok((temp.to_path_buf(), Some(temp)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_pem_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        std::fs::write(&key, "not a key").unwrap();
        let files = |c: &Path, k: &Path| TlsSource::Files {
            cert: c.to_path_buf(),
            key: k.to_path_buf(),
        };
        let e = Tls::new(&files(&cert, &key)).unwrap_err().to_string();
        assert!(e.contains("cert.pem: no certificate"), "{e}");
        let missing = dir.path().join("missing.pem");
        let e = Tls::new(&files(&missing, &key)).unwrap_err().to_string();
        assert!(
            e.contains("missing.pem: cannot read the TLS certificate"),
            "{e}"
        );
        // A real certificate with another certificate's key.
        let a = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        std::fs::write(&cert, a.cert.pem()).unwrap();
        let e = Tls::new(&files(&cert, &key)).unwrap_err().to_string();
        assert!(e.contains("key.pem: no private key"), "{e}");
        std::fs::write(&key, b.signing_key.serialize_pem()).unwrap();
        let e = Tls::new(&files(&cert, &key)).unwrap_err().to_string();
        assert!(
            e.contains("the key does not belong to the certificate"),
            "{e}"
        );
        std::fs::write(&key, a.signing_key.serialize_pem()).unwrap();
        assert!(Tls::new(&files(&cert, &key)).is_ok());
    }

    #[test]
    fn a_self_signed_certificate_is_written_and_removed_with_the_server() {
        let tls = Tls::new(&TlsSource::SelfSigned { out: None }).unwrap();
        let path = tls.ca.clone().unwrap();
        let pem = std::fs::read_to_string(&path).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        assert!(!pem.contains("PRIVATE KEY"));
        drop(tls);
        assert!(!path.exists());
    }
}
