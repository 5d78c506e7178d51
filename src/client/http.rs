//! A small blocking client for the control API (AWS JSON 1.0 over HTTP/1.1), enough for
//! the CLI: one request per connection.

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An error the API answered with: its AWS error name and message.
#[derive(Debug)]
pub struct ApiError {
    pub kind: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

/// Whether `e` is the API saying that what was asked for does not exist (`kind`).
pub fn is_api_error(e: &anyhow::Error, kind: &str) -> bool {
    e.downcast_ref::<ApiError>().is_some_and(|a| a.kind == kind)
}

pub struct Client {
    host: String,
}

impl Client {
    /// `endpoint`: `http://HOST:PORT`.
    pub fn new(endpoint: &str) -> Result<Client> {
        let host = endpoint
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("the endpoint must start with http:// ({endpoint})"))?;
        Ok(Client { host: host.trim_end_matches('/').to_string() })
    }

    pub fn call(&self, operation: &str, body: &Value) -> Result<Value> {
        let mut stream = TcpStream::connect(&self.host)
            .with_context(|| format!("cannot reach stepline serve at http://{}", self.host))?;
        stream.set_read_timeout(Some(Duration::from_secs(90)))?;
        let payload = body.to_string();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            self.host,
            payload.len()
        )?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| anyhow!("malformed HTTP response"))?;
        let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let value: Value = serde_json::from_str(body.trim()).unwrap_or(Value::Null);
        if status != 200 {
            let kind = value.get("__type").and_then(Value::as_str).unwrap_or("Error").to_string();
            let message = value.get("message").and_then(Value::as_str).unwrap_or("").to_string();
            return Err(ApiError { kind, message }.into());
        }
        Ok(value)
    }
}
