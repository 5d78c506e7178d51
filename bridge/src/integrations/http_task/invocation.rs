//! The pure half of `arn:aws:states:::http:invoke`: the Task's arguments read and checked
//! (`ApiEndpoint`, `Method`, `Headers`, `QueryParameters`, `RequestBody`, `Transform`,
//! `Authentication`), a connection's parameters merged in, and the request encoded.

use super::form::{self, ArrayFormat};
use crate::integrations::client::pool::OutRequest;
use crate::integrations::settings::HttpParameters;
use serde_json::{Map, Value};

/// What an `http:invoke` Task asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub endpoint: String,
    pub method: hyper::Method,
    pub headers: Vec<(String, String)>,
    pub query: Map<String, Value>,
    pub body: Option<Value>,
    pub url_encoded: bool,
    pub array_format: ArrayFormat,
    /// `Authentication.ConnectionArn`, when given.
    pub connection: Option<String>,
}

/// Why the arguments cannot be sent: the task fails with `States.Runtime`, as AWS fails a
/// Task whose parameters its service refuses before calling.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("http:invoke: {0}")]
pub struct ArgumentError(pub String);

/// Headers a Task may not set (AWS's list): the connection and the transport own them.
/// `x-amz-*`, `x-amzn-*` and `x-forwarded-*` are refused too.
const RESERVED: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "range",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];

fn reserved(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    RESERVED.contains(&n.as_str()) || ["x-amz-", "x-amzn-", "x-forwarded-"].iter().any(|p| n.starts_with(p))
}

/// Methods AWS's HTTP Task sends.
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

impl Invocation {
    /// Reads the Task's effective arguments.
    pub fn parse(input: &Value) -> Result<Invocation, ArgumentError> {
        let bad = |m: String| ArgumentError(m);
        let Some(args) = input.as_object() else {
            return Err(bad("the arguments must be an object with ApiEndpoint and Method".into()));
        };
        let text = |k: &str| args.get(k).and_then(Value::as_str);
        let endpoint =
            text("ApiEndpoint").ok_or_else(|| bad("ApiEndpoint must be a string: the URL to call".into()))?;
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(bad(format!(
                "ApiEndpoint {} must be an http:// or https:// URL",
                endpoint.chars().take(100).collect::<String>()
            )));
        }
        let method = text("Method").ok_or_else(|| bad(format!("Method must be one of {}", METHODS.join(", "))))?;
        let method = METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(method))
            .and_then(|m| m.parse::<hyper::Method>().ok())
            .ok_or_else(|| bad(format!("Method {method} is not one of {}", METHODS.join(", "))))?;
        let mut headers = Vec::new();
        match args.get("Headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) => {
                for (k, v) in h {
                    if reserved(k) {
                        return Err(bad(format!("the header {k} cannot be set by a Task")));
                    }
                    headers.push((k.clone(), header_text(v)));
                }
            }
            Some(_) => return Err(bad("Headers must be an object of header names and values".into())),
        }
        let query = match args.get("QueryParameters") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(q)) => q.clone(),
            Some(_) => return Err(bad("QueryParameters must be an object".into())),
        };
        let transform = args.get("Transform");
        let url_encoded = match transform.and_then(|t| t.get("RequestBodyEncoding")) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) if s == "NONE" => false,
            Some(Value::String(s)) if s == "URL_ENCODED" => true,
            Some(other) => {
                return Err(bad(format!("Transform.RequestBodyEncoding {other} is not NONE or URL_ENCODED")))
            }
        };
        let array_format =
            match transform.and_then(|t| t.get("RequestEncodingOptions")).and_then(|o| o.get("ArrayFormat")) {
                None | Some(Value::Null) => ArrayFormat::default(),
                Some(v) => v.as_str().and_then(ArrayFormat::parse).ok_or_else(|| {
                    bad(format!(
                        "Transform.RequestEncodingOptions.ArrayFormat {v} is not INDICES, REPEAT, COMMAS or BRACKETS"
                    ))
                })?,
            };
        let body = args.get("RequestBody").filter(|b| !b.is_null()).cloned();
        if url_encoded && !matches!(body, None | Some(Value::Object(_))) {
            return Err(bad("a URL_ENCODED RequestBody must be an object".into()));
        }
        // `InvocationConfig` is AWS's current name, `Authentication` the earlier one.
        let connection = match (args.get("Authentication"), args.get("InvocationConfig")) {
            (None | Some(Value::Null), None | Some(Value::Null)) => None,
            (Some(a), None | Some(Value::Null)) | (None | Some(Value::Null), Some(a)) => Some(
                a.get("ConnectionArn")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("Authentication needs a ConnectionArn string".into()))?
                    .to_string(),
            ),
            _ => return Err(bad("give one of Authentication and InvocationConfig, not both".into())),
        };
        Ok(Invocation {
            endpoint: endpoint.to_string(),
            method,
            headers,
            query,
            body,
            url_encoded,
            array_format,
            connection,
        })
    }

    /// The request, with `extra` (a connection's invocation parameters) merged in: as on
    /// AWS, the connection's value wins where both set a key, and a text body cannot take
    /// body parameters.
    pub fn request(&self, extra: &HttpParameters, user_agent: &str) -> Result<OutRequest, ArgumentError> {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(h, _)| !extra.headers.keys().any(|k| k.eq_ignore_ascii_case(h)))
            .cloned()
            .collect();
        headers.extend(extra.headers.iter().map(|(k, v)| (k.clone(), header_text(v))));
        let has = |headers: &[(String, String)], name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        let mut query = self.query.clone();
        query.extend(extra.query.clone());
        let mut url = self.endpoint.clone();
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&form::encode(&form::pairs(&query, self.array_format)));
        }
        let body = match (&self.body, extra.body.is_empty()) {
            (None, true) => None,
            (None, false) => Some(Value::Object(extra.body.clone())),
            (Some(Value::Object(b)), false) => {
                let mut merged = b.clone();
                merged.extend(extra.body.clone());
                Some(Value::Object(merged))
            }
            (Some(b), true) => Some(b.clone()),
            (Some(_), false) => {
                return Err(ArgumentError(
                    "the connection adds body parameters, so RequestBody must be an object".into(),
                ))
            }
        };
        let (content_type, bytes) = match &body {
            None => (None, bytes::Bytes::new()),
            Some(Value::Object(o)) if self.url_encoded => (
                Some("application/x-www-form-urlencoded"),
                bytes::Bytes::from(form::encode(&form::pairs(o, self.array_format))),
            ),
            Some(Value::String(s)) => (Some("text/plain; charset=UTF-8"), bytes::Bytes::from(s.clone())),
            Some(v) => (Some("application/json; charset=UTF-8"), bytes::Bytes::from(v.to_string())),
        };
        if let Some(ct) = content_type.filter(|_| !has(&headers, "content-type")) {
            headers.push(("content-type".into(), ct.into()));
        }
        headers.push(("user-agent".into(), user_agent.into()));
        if !has(&headers, "accept") {
            headers.push(("accept".into(), "*/*".into()));
        }
        Ok(OutRequest { method: self.method.clone(), url, headers, body: bytes })
    }
}

fn header_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(r: &OutRequest) -> String {
        String::from_utf8(r.body.to_vec()).unwrap()
    }

    fn header<'a>(r: &'a OutRequest, name: &str) -> Option<&'a str> {
        r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_json_body_goes_as_json_with_the_query_encoded() {
        let inv = Invocation::parse(&json!({
            "ApiEndpoint": "https://api.example.com/v1/orders",
            "Method": "POST",
            "Headers": {"X-Trace": "t-1"},
            "QueryParameters": {"ids": ["a b", "c"], "page": 2},
            "RequestBody": {"order": 7}
        }))
        .unwrap();
        let r = inv.request(&HttpParameters::default(), "Stepline").unwrap();
        assert_eq!(r.method, hyper::Method::POST);
        assert_eq!(r.url, "https://api.example.com/v1/orders?ids%5B0%5D=a%20b&ids%5B1%5D=c&page=2");
        assert_eq!(body(&r), r#"{"order":7}"#);
        assert_eq!(
            (header(&r, "content-type"), header(&r, "x-trace")),
            (Some("application/json; charset=UTF-8"), Some("t-1"))
        );
    }

    #[test]
    fn a_url_encoded_body_follows_its_array_format() {
        let inv = Invocation::parse(&json!({
            "ApiEndpoint": "http://127.0.0.1:1/form?fixed=1",
            "Method": "put",
            "RequestBody": {"tags": ["x", "y"], "name": "Jo"},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}
        }))
        .unwrap();
        let r = inv.request(&HttpParameters::default(), "Stepline").unwrap();
        assert_eq!(body(&r), "tags%5B%5D=x&tags%5B%5D=y&name=Jo");
        assert_eq!(header(&r, "content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!((r.method, r.url.as_str()), (hyper::Method::PUT, "http://127.0.0.1:1/form?fixed=1"));
    }

    #[test]
    fn a_connections_parameters_are_merged_and_win_over_the_tasks() {
        let extra = HttpParameters {
            headers: json!({"X-Tenant": "acme", "X-Trace": "from-connection"}).as_object().unwrap().clone(),
            query: json!({"api-version": "2"}).as_object().unwrap().clone(),
            body: json!({"source": "stepline", "order": 0}).as_object().unwrap().clone(),
        };
        let inv = Invocation::parse(&json!({"ApiEndpoint": "http://h/x", "Method": "POST",
            "Headers": {"X-Trace": "task"}, "RequestBody": {"order": 7}}))
        .unwrap();
        let r = inv.request(&extra, "Stepline").unwrap();
        assert_eq!((header(&r, "x-tenant"), header(&r, "x-trace")), (Some("acme"), Some("from-connection")));
        assert_eq!(r.url, "http://h/x?api-version=2");
        assert_eq!(body(&r), r#"{"order":0,"source":"stepline"}"#);
        let text =
            Invocation::parse(&json!({"ApiEndpoint": "http://h/x", "Method": "POST", "RequestBody": "words"})).unwrap();
        assert!(text.request(&extra, "Stepline").unwrap_err().to_string().contains("must be an object"));
    }

    #[test]
    fn mistakes_are_named() {
        let e = |v: Value| Invocation::parse(&v).unwrap_err().to_string();
        assert_eq!(e(json!({"Method": "GET"})), "http:invoke: ApiEndpoint must be a string: the URL to call");
        assert!(e(json!({"ApiEndpoint": "ftp://h", "Method": "GET"})).contains("must be an http:// or https:// URL"));
        assert!(e(json!({"ApiEndpoint": "http://h", "Method": "FETCH"})).contains("Method FETCH is not one of GET"));
        assert!(e(json!({"ApiEndpoint": "http://h", "Method": "GET", "Headers": {"Host": "x"}}))
            .contains("Host cannot be set"));
        assert!(e(json!({"ApiEndpoint": "http://h", "Method": "GET", "Headers": {"X-Amzn-Trace-Id": "x"}}))
            .contains("cannot be set"));
        assert!(e(json!({"ApiEndpoint": "http://h", "Method": "GET",
            "Transform": {"RequestEncodingOptions": {"ArrayFormat": "JSON"}}}))
        .contains("ArrayFormat \"JSON\""));
        assert!(e(json!({"ApiEndpoint": "http://h", "Method": "POST", "RequestBody": "x",
            "Transform": {"RequestBodyEncoding": "URL_ENCODED"}}))
        .contains("must be an object"));
    }
}
