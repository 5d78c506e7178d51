//! A small blocking client for the control API (AWS JSON 1.0 over HTTP/1.1), enough for
//! the CLI: one request per connection.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

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
            let kind = value.get("__type").and_then(Value::as_str).unwrap_or("Error");
            let message = value.get("message").and_then(Value::as_str).unwrap_or("");
            bail!("{kind}: {message}");
        }
        Ok(value)
    }
}
