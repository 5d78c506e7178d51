//! A small blocking HTTP/1.1 client: one request per connection, plain or over TLS
//! (rustls, the system's roots), bodies sent from a reader and received as a reader
//! (`Content-Length`, chunked, or until the connection closes).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("{0}")]
    Url(String),
    #[error("connecting to {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("a malformed answer: {0}")]
    Malformed(String),
}

/// `scheme://host[:port]`, split.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Endpoint {
    pub tls: bool,
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Endpoint, HttpError> {
        let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(HttpError::Url(format!("'{url}' is not an http:// or https:// URL")));
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| HttpError::Url(format!("bad port in '{url}'")))?),
            None => (authority, if tls { 443 } else { 80 }),
        };
        if host.is_empty() {
            return Err(HttpError::Url(format!("no host in '{url}'")));
        }
        Ok(Endpoint { tls, host: host.to_string(), port })
    }

    /// The `Host` header value.
    pub(crate) fn authority(&self) -> String {
        match (self.tls, self.port) {
            (true, 443) | (false, 80) => self.host.clone(),
            _ => format!("{}:{}", self.host, self.port),
        }
    }
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// An answer: its status and body.
pub(crate) struct Response {
    pub status: u16,
    pub body: Box<dyn Read + Send>,
}

impl Response {
    /// The whole body as text (for errors and listings, which are small).
    pub(crate) fn text(mut self) -> Result<String, HttpError> {
        let mut s = String::new();
        self.body.read_to_string(&mut s)?;
        Ok(s)
    }
}

fn tls_config() -> Result<Arc<rustls::ClientConfig>, HttpError> {
    static CONFIG: std::sync::OnceLock<Result<Arc<rustls::ClientConfig>, String>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(HttpError::Tls)
}

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one request; `body` is `(length, reader)`.
pub(crate) fn send(
    endpoint: &Endpoint,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Option<(u64, &mut dyn Read)>,
    timeout: Duration,
) -> Result<Response, HttpError> {
    let addr = format!("{}:{}", endpoint.host, endpoint.port);
    let connect = || -> std::io::Result<TcpStream> {
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        for a in std::net::ToSocketAddrs::to_socket_addrs(&addr)? {
            match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
                Ok(s) => return Ok(s),
                Err(e) => last = e,
            }
        }
        Err(last)
    };
    let tcp = connect().map_err(|e| HttpError::Connect(addr.clone(), e))?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let _ = tcp.set_nodelay(true);
    let mut stream: Box<dyn Stream> = if endpoint.tls {
        let name = rustls::pki_types::ServerName::try_from(endpoint.host.clone())
            .map_err(|e| HttpError::Tls(e.to_string()))?;
        let conn = rustls::ClientConnection::new(tls_config()?, name).map_err(|e| HttpError::Tls(e.to_string()))?;
        Box::new(rustls::StreamOwned::new(conn, tcp))
    } else {
        Box::new(tcp)
    };
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", endpoint.authority());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let length = body.as_ref().map_or(0, |(n, _)| *n);
    head.push_str(&format!("Content-Length: {length}\r\n\r\n"));
    let mut w = std::io::BufWriter::with_capacity(256 * 1024, &mut stream);
    w.write_all(head.as_bytes())?;
    if let Some((n, reader)) = body {
        let copied = std::io::copy(&mut reader.take(n), &mut w)?;
        if copied != n {
            return Err(HttpError::Malformed(format!("the body held {copied} bytes, not {n}")));
        }
    }
    w.flush()?;
    drop(w);
    read_response(BufReader::with_capacity(256 * 1024, stream), method == "HEAD")
}

fn read_response(mut r: BufReader<Box<dyn Stream>>, head_only: bool) -> Result<Response, HttpError> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpError::Malformed(format!("status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let find = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let body: Box<dyn Read + Send> = if head_only {
        Box::new(std::io::empty())
    } else if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        Box::new(Chunked { inner: r, left: 0, done: false })
    } else if let Some(n) = find("content-length").and_then(|n| n.parse::<u64>().ok()) {
        Box::new(Exact { inner: r.take(n), left: n })
    } else {
        Box::new(r)
    };
    Ok(Response { status, body })
}

/// A body of a known length: one that ends early is an error, never a short read taken
/// for the whole (items would be lost without a word).
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the connection closed with {} bytes of the body still to come", self.left),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A chunked body, unchunked.
struct Chunked<R> {
    inner: R,
    left: u64,
    done: bool,
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut size = String::new();
            self.inner.read_line(&mut size)?;
            let hex = size.trim().split(';').next().unwrap_or_default();
            self.left = u64::from_str_radix(hex, 16)
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "a bad chunk size"))?;
            if self.left == 0 {
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf.len().min(self.left as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.left -= n as u64;
        if self.left == 0 {
            let mut crlf = String::new();
            self.inner.read_line(&mut crlf)?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_split_into_scheme_host_and_port() {
        let e = Endpoint::parse("http://127.0.0.1:5000").unwrap();
        assert_eq!(
            (e.tls, e.host.as_str(), e.port, e.authority()),
            (false, "127.0.0.1", 5000, "127.0.0.1:5000".into())
        );
        let e = Endpoint::parse("https://s3.eu-west-1.amazonaws.com/").unwrap();
        assert_eq!((e.tls, e.port, e.authority()), (true, 443, "s3.eu-west-1.amazonaws.com".into()));
        assert!(Endpoint::parse("ftp://x").is_err());
    }

    #[test]
    fn a_body_cut_short_is_an_error() {
        let mut b = Exact { inner: (&b"abc"[..]).take(5), left: 5 };
        let mut s = String::new();
        let e = b.read_to_string(&mut s).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn chunked_bodies_are_unchunked() {
        let raw = b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n";
        let mut c = Chunked { inner: &raw[..], left: 0, done: false };
        let mut s = String::new();
        c.read_to_string(&mut s).unwrap();
        assert_eq!(s, "Wikipedia");
    }
}
