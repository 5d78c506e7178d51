//! The calls a Map Run makes on an S3-compatible store: `GetObject` (streamed),
//! `ListObjectsV2` (every page) and `PutObject` (from a file), path-style addressed and
//! signed with SigV4.

use super::http::{send, Endpoint, HttpError, Response};
use super::sigv4::{authorization, sha256_hex, uri_encode, Signable};
use crate::config::ObjectStoreConfig;
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;

/// Why an object store call failed, in words for a Map Run's cause.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ObjectError {
    #[error("the object store at {endpoint}: {source}")]
    Http {
        endpoint: String,
        #[source]
        source: HttpError,
    },
    #[error("the object store answered {status} to {what}: {message}")]
    Refused { status: u16, what: String, message: String },
}

#[derive(Clone)]
pub(crate) struct S3 {
    endpoint: Endpoint,
    url: String,
    region: String,
    access_key: String,
    secret_key: String,
    /// Temporary credentials' token (`AWS_SESSION_TOKEN`), signed with the request.
    session_token: Option<String>,
}

/// How long one call may wait for the store.
const TIMEOUT: Duration = Duration::from_secs(60);

impl S3 {
    pub(crate) fn new(cfg: &ObjectStoreConfig) -> Result<S3, ObjectError> {
        let endpoint = Endpoint::parse(&cfg.endpoint)
            .map_err(|source| ObjectError::Http { endpoint: cfg.endpoint.clone(), source })?;
        Ok(S3 {
            endpoint,
            url: cfg.endpoint.trim_end_matches('/').to_string(),
            region: cfg.region.clone(),
            access_key: cfg.access_key_id.clone(),
            secret_key: cfg.secret_access_key.clone(),
            session_token: cfg.session_token.clone(),
        })
    }

    /// One call, tried again (up to three times in all, 100 ms then 400 ms apart) when the
    /// store could not be reached or answered that it is busy or failing (5xx).
    fn call(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        query: &[(String, String)],
        body: Option<&std::path::Path>,
    ) -> Result<Response, ObjectError> {
        let mut wait = Duration::from_millis(100);
        for attempt in 1.. {
            let r = match body {
                Some(path) => {
                    let io =
                        |e: std::io::Error| ObjectError::Http { endpoint: self.url.clone(), source: HttpError::Io(e) };
                    let mut f = std::fs::File::open(path).map_err(io)?;
                    let len = f.metadata().map_err(io)?.len();
                    self.call_once(method, bucket, key, query, Some((len, &mut f)))
                }
                None => self.call_once(method, bucket, key, query, None),
            };
            let again = match &r {
                Err(ObjectError::Http { .. }) => true,
                Err(ObjectError::Refused { status, .. }) => *status >= 500,
                Ok(_) => false,
            };
            if !again || attempt >= 3 {
                return r;
            }
            std::thread::sleep(wait);
            wait *= 4;
        }
        unreachable!("the loop returns")
    }

    fn call_once(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        query: &[(String, String)],
        body: Option<(u64, &mut dyn Read)>,
    ) -> Result<Response, ObjectError> {
        let path = if key.is_empty() {
            format!("/{}", uri_encode(bucket, false))
        } else {
            format!("/{}/{}", uri_encode(bucket, false), uri_encode(key, true))
        };
        let amz_date = amz_now();
        let payload = if body.is_some() { "UNSIGNED-PAYLOAD".to_string() } else { sha256_hex(b"") };
        let mut headers = vec![
            ("host".to_string(), self.endpoint.authority()),
            ("x-amz-content-sha256".to_string(), payload.clone()),
            ("x-amz-date".to_string(), amz_date.clone()),
        ];
        if let Some(token) = &self.session_token {
            headers.push(("x-amz-security-token".to_string(), token.clone()));
        }
        let signable = Signable { method, path: &path, query, headers: &headers, payload_hash: &payload };
        let auth = authorization(&signable, &amz_date, &self.region, &self.access_key, &self.secret_key);
        headers.retain(|(k, _)| k != "host");
        headers.push(("Authorization".to_string(), auth));
        let target = match query.is_empty() {
            true => path,
            false => {
                let q: Vec<String> =
                    query.iter().map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false))).collect();
                format!("{path}?{}", q.join("&"))
            }
        };
        let http = |source| ObjectError::Http { endpoint: self.url.clone(), source };
        let r = send(&self.endpoint, method, &target, &headers, body, TIMEOUT).map_err(http)?;
        if r.status / 100 == 2 {
            return Ok(r);
        }
        let status = r.status;
        let text = r.text().unwrap_or_default();
        let code = tag(&text, "Code").unwrap_or_default();
        let message = tag(&text, "Message").unwrap_or_else(|| text.chars().take(200).collect());
        let what = format!("{method} s3://{bucket}/{key}");
        Err(ObjectError::Refused { status, what, message: format!("{code} {message}").trim().to_string() })
    }

    /// `GetObject`: the object's bytes as they arrive.
    pub(crate) fn get(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, ObjectError> {
        Ok(self.call("GET", bucket, key, &[], None)?.body)
    }

    /// `ListObjectsV2`: every object under `prefix`, in key order, as a Map Run's items.
    pub(crate) fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<Value>, ObjectError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type".to_string(), "2".to_string())];
            if !prefix.is_empty() {
                query.push(("prefix".to_string(), prefix.to_string()));
            }
            if let Some(t) = &token {
                query.push(("continuation-token".to_string(), t.clone()));
            }
            let text = self
                .call("GET", bucket, "", &query, None)?
                .text()
                .map_err(|source| ObjectError::Http { endpoint: self.url.clone(), source })?;
            for c in blocks(&text, "Contents") {
                out.push(json!({
                    "Etag": tag(c, "ETag").unwrap_or_default(),
                    "Key": tag(c, "Key").unwrap_or_default(),
                    "LastModified": tag(c, "LastModified").unwrap_or_default(),
                    "Size": tag(c, "Size").and_then(|s| s.parse::<u64>().ok()).unwrap_or_default(),
                    "StorageClass": tag(c, "StorageClass").unwrap_or_else(|| "STANDARD".into()),
                }));
            }
            token = (tag(&text, "IsTruncated").as_deref() == Some("true"))
                .then(|| tag(&text, "NextContinuationToken"))
                .flatten();
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// `PutObject` of a file's bytes.
    pub(crate) fn put_file(&self, bucket: &str, key: &str, path: &std::path::Path) -> Result<(), ObjectError> {
        self.call("PUT", bucket, key, &[], Some(path)).map(drop)
    }
}

/// Now as SigV4 writes it: `YYYYMMDDTHHMMSSZ`.
fn amz_now() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let iso = stepline_asl::time::format_timestamp(ms);
    let digits: String = iso.chars().take(19).filter(|c| c.is_ascii_digit() || *c == 'T').collect();
    format!("{digits}Z")
}

/// The bodies of every `<name>...</name>` element.
fn blocks<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// The text of the first `<name>` element, unescaped.
fn tag(xml: &str, name: &str) -> Option<String> {
    let v = blocks(xml, name).into_iter().next()?;
    Some(
        v.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#34;", "\"")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_store_is_asked_again_with_the_session_token_signed() {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for answer in [
                "HTTP/1.1 503 Slow Down\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            ] {
                let (conn, _) = listener.accept().unwrap();
                let mut r = BufReader::new(conn.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    head.push_str(&line);
                }
                seen.push(head);
                (&conn).write_all(answer.as_bytes()).unwrap();
            }
            seen
        });
        let cfg = ObjectStoreConfig {
            endpoint: format!("http://127.0.0.1:{port}"),
            region: "eu-west-1".into(),
            access_key_id: "AKID".into(),
            secret_access_key: "secret".into(),
            session_token: Some("tok".into()),
        };
        let mut body = String::new();
        S3::new(&cfg).unwrap().get("b", "dir/k.json").unwrap().read_to_string(&mut body).unwrap();
        assert_eq!(body, "hello");
        let seen = server.join().unwrap();
        assert_eq!(seen.len(), 2, "asked again after the 503");
        assert!(seen[1].starts_with("GET /b/dir/k.json HTTP/1.1"), "{}", seen[1]);
        assert!(seen[1].contains("x-amz-security-token: tok"), "{}", seen[1]);
        assert!(
            seen[1].contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
            "{}",
            seen[1]
        );
        assert!(seen[1].contains("Credential=AKID/"), "{}", seen[1]);
    }

    #[test]
    fn listings_are_read_from_aws_xml() {
        let xml = r#"<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b.json</Key>
            <Size>12</Size><ETag>&quot;x&quot;</ETag></Contents><Contents><Key>c</Key><Size>3</Size></Contents>
            <NextContinuationToken>t1</NextContinuationToken></ListBucketResult>"#;
        let keys: Vec<String> = blocks(xml, "Contents").iter().map(|c| tag(c, "Key").unwrap()).collect();
        assert_eq!(keys, ["a&b.json", "c"]);
        assert_eq!(tag(xml, "NextContinuationToken").as_deref(), Some("t1"));
        assert_eq!(tag(blocks(xml, "Contents")[0], "ETag").as_deref(), Some("\"x\""));
        assert_eq!(amz_now().len(), 16);
    }
}
