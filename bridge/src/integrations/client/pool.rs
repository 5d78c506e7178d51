//! An HTTP/1.1 client that keeps connections open per origin and reuses them, over TCP
//! or TLS (rustls). Small on purpose: one request at a time per connection, the body
//! read whole up to a limit, the deadline the caller's.

use super::error::ClientError;
use super::tls::TlsFiles;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An outbound request, already encoded.
#[derive(Debug, Clone)]
pub struct OutRequest {
    pub method: hyper::Method,
    /// An absolute `http://` or `https://` URL with its query.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// An answer, read whole.
#[derive(Debug, Clone)]
pub struct OutResponse {
    pub status: u16,
    pub reason: String,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// Idle connections kept per origin.
const IDLE_PER_ORIGIN: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

/// A pooled client with one TLS configuration.
pub struct HttpClient {
    tls: Arc<rustls::ClientConfig>,
    idle: Mutex<HashMap<Origin, Vec<SendRequest<Full<Bytes>>>>>,
    /// Largest answer body read.
    max_body: usize,
}

impl HttpClient {
    /// A client trusting the system's roots and what `tls` adds.
    pub fn new(tls: &TlsFiles, max_body: usize) -> Result<HttpClient, ClientError> {
        Ok(HttpClient { tls: tls.client_config()?, idle: Mutex::new(HashMap::new()), max_body })
    }

    /// Sends `req` and reads its answer, within `timeout` in all.
    pub async fn send(&self, req: OutRequest, timeout: Duration) -> Result<OutResponse, ClientError> {
        let endpoint = endpoint_of(&req.url);
        match tokio::time::timeout(timeout, self.exchange(req)).await {
            Ok(r) => r,
            Err(_) => Err(ClientError::Timeout { endpoint, seconds: timeout.as_secs().max(1) }),
        }
    }

    async fn exchange(&self, req: OutRequest) -> Result<OutResponse, ClientError> {
        let uri: hyper::Uri = req.url.parse().map_err(|_| ClientError::BadUrl(endpoint_of(&req.url)))?;
        let origin = origin(&uri).ok_or_else(|| ClientError::BadUrl(endpoint_of(&req.url)))?;
        let endpoint = format!("{}://{}:{}", if origin.https { "https" } else { "http" }, origin.host, origin.port);
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
        let mut builder = hyper::Request::builder().method(req.method.clone()).uri(path);
        let has = |name: &str| req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        if !has("host") {
            let default_port = if origin.https { 443 } else { 80 };
            let host = match origin.port == default_port {
                true => origin.host.clone(),
                false => format!("{}:{}", origin.host, origin.port),
            };
            builder = builder.header(hyper::header::HOST, host);
        }
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(Full::new(req.body.clone()))
            .map_err(|e| ClientError::Exchange { endpoint: endpoint.clone(), reason: e.to_string() })?;
        let mut sender = self.sender(&origin, &endpoint).await?;
        let response = match sender.send_request(request).await {
            Ok(r) => r,
            Err(e) => return Err(ClientError::Exchange { endpoint, reason: e.to_string() }),
        };
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = Limited::new(response.into_body(), self.max_body).collect().await.map_err(|e| {
            match e.downcast_ref::<http_body_util::LengthLimitError>() {
                Some(_) => ClientError::TooLarge { endpoint: endpoint.clone(), limit: self.max_body },
                None => ClientError::Exchange { endpoint: endpoint.clone(), reason: e.to_string() },
            }
        })?;
        self.give_back(origin, sender);
        Ok(OutResponse {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body: body.to_bytes(),
        })
    }

    /// An idle connection to `origin` that is still open, or a new one.
    async fn sender(&self, origin: &Origin, endpoint: &str) -> Result<SendRequest<Full<Bytes>>, ClientError> {
        loop {
            let idle = self.idle.lock().ok().and_then(|mut m| m.get_mut(origin).and_then(Vec::pop));
            let Some(mut s) = idle else { break };
            if !s.is_closed() && s.ready().await.is_ok() {
                return Ok(s);
            }
        }
        self.connect(origin, endpoint).await
    }

    fn give_back(&self, origin: Origin, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut m) = self.idle.lock() {
            let list = m.entry(origin).or_default();
            if list.len() < IDLE_PER_ORIGIN {
                list.push(sender);
            }
        }
    }

    async fn connect(&self, origin: &Origin, endpoint: &str) -> Result<SendRequest<Full<Bytes>>, ClientError> {
        let connect_error =
            |e: std::io::Error| ClientError::Connect { endpoint: endpoint.into(), reason: e.to_string() };
        let tcp = tokio::net::TcpStream::connect((origin.host.as_str(), origin.port)).await.map_err(connect_error)?;
        let _ = tcp.set_nodelay(true);
        let handshake_error =
            |e: hyper::Error| ClientError::Exchange { endpoint: endpoint.into(), reason: e.to_string() };
        if !origin.https {
            let (sender, conn) = http1::handshake(TokioIo::new(tcp)).await.map_err(handshake_error)?;
            tokio::spawn(conn);
            return Ok(sender);
        }
        let name = rustls::pki_types::ServerName::try_from(origin.host.clone())
            .map_err(|e| ClientError::Tls { endpoint: endpoint.into(), reason: e.to_string() })?;
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| ClientError::Tls { endpoint: endpoint.into(), reason: e.to_string() })?;
        let (sender, conn) = http1::handshake(TokioIo::new(tls)).await.map_err(handshake_error)?;
        tokio::spawn(conn);
        Ok(sender)
    }
}

fn origin(uri: &hyper::Uri) -> Option<Origin> {
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return None,
    };
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    Some(Origin { https, host, port })
}

/// The scheme, host and port of `url`, for messages: never its path or query, which may
/// carry credentials.
pub fn endpoint_of(url: &str) -> String {
    match url.parse::<hyper::Uri>().ok().as_ref().and_then(origin) {
        Some(o) => format!("{}://{}:{}", if o.https { "https" } else { "http" }, o.host, o.port),
        None => url.split(['?', '#']).next().unwrap_or_default().chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_named_without_its_path_or_query() {
        assert_eq!(endpoint_of("https://api.example.com/v1/x?key=secret"), "https://api.example.com:443");
        assert_eq!(endpoint_of("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(endpoint_of("ftp://h/x?k=1"), "ftp://h/x");
    }
}
