//! A small blocking client for the control API (AWS JSON 1.0 over HTTP/1.1), enough for
//! the CLI: one request per connection.

use super::error::{ApiError, ClientError};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Client {
    host: String,
    /// How long an answer may take (a long poll is 60 s; a backup of a big store longer).
    read_timeout: Duration,
}

impl Client {
    /// `endpoint`: `http://HOST:PORT`.
    pub fn new(endpoint: &str) -> Result<Client, ClientError> {
        let host = endpoint.strip_prefix("http://").ok_or_else(|| ClientError::BadEndpoint(endpoint.to_string()))?;
        Ok(Client { host: host.trim_end_matches('/').to_string(), read_timeout: Duration::from_secs(90) })
    }

    /// The same client, waiting up to `timeout` for each answer.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Client {
        self.read_timeout = timeout;
        self
    }

    pub fn call(&self, operation: &str, body: &Value) -> Result<Value, ClientError> {
        let mut stream = TcpStream::connect(&self.host)
            .map_err(|source| ClientError::Unreachable { host: self.host.clone(), source })?;
        let io = |source| ClientError::Io { target: format!("http://{}", self.host), source };
        stream.set_read_timeout(Some(self.read_timeout)).map_err(io)?;
        let payload = body.to_string();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            self.host,
            payload.len()
        )
        .map_err(io)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(io)?;
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").ok_or(ClientError::MalformedResponse)?;
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
