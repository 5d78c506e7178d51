//! An endpoint's answer as the HTTP Task's result, and the errors Retry and Catch see:
//! `States.Http.StatusCode.<code>` for an answer outside 2xx, `States.Http.Socket` when
//! no answer came.

use crate::integrations::client::error::ClientError;
use crate::integrations::client::pool::OutResponse;
use serde_json::{json, Map, Value};
use stepline_core::engine::TaskAnswer;

/// The error of an answer outside 2xx, followed by its code.
pub const STATUS_CODE_ERROR: &str = "States.Http.StatusCode.";
/// The error of a call that got no answer: refused, reset, timed out, TLS failed.
pub const SOCKET_ERROR: &str = "States.Http.Socket";
/// The error when a connection's credentials could not be had (its OAuth token endpoint
/// failed): EventBridge's name for a connection that is not authorized.
pub const AUTH_ERROR: &str = "Events.ConnectionResource.InvalidConnectionState";
/// The error of an `ConnectionArn` that names no connection.
pub const NO_CONNECTION_ERROR: &str = "Events.ConnectionResource.ResourceNotFound";

/// `{Headers, ResponseBody, StatusCode, StatusText}`: header names in lower case, each
/// with the list of its values; a JSON body (by its content type) parsed, any other as
/// text.
pub fn result(res: &OutResponse) -> Value {
    let mut headers = Map::new();
    for (k, v) in &res.headers {
        match headers.get_mut(k) {
            Some(Value::Array(values)) => values.push(Value::String(v.clone())),
            _ => {
                headers.insert(k.clone(), json!([v]));
            }
        }
    }
    let mut out = json!({"Headers": headers, "StatusCode": res.status, "StatusText": res.reason});
    if !res.body.is_empty() {
        out["ResponseBody"] = body(res);
    }
    out
}

fn content_type(res: &OutResponse) -> &str {
    res.headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.as_str()).unwrap_or("")
}

fn body(res: &OutResponse) -> Value {
    let ct = content_type(res).to_ascii_lowercase();
    if ct.contains("json") {
        if let Ok(v) = serde_json::from_slice::<Value>(&res.body) {
            return v;
        }
    }
    Value::String(String::from_utf8_lossy(&res.body).into_owned())
}

/// Bodies AWS's HTTP Task refuses to read as text.
fn unreadable(res: &OutResponse) -> bool {
    let ct = content_type(res).to_ascii_lowercase();
    let binary = ["application/octet-stream", "image/", "video/", "audio/"].iter().any(|p| ct.starts_with(p));
    binary || (!res.body.is_empty() && std::str::from_utf8(&res.body).is_err())
}

/// The task's answer: the result on 2xx, else the status code's error with the status
/// text as the cause (what AWS gives: the body is not kept).
pub fn answer(res: &OutResponse) -> TaskAnswer {
    if unreadable(res) {
        let cause = format!("the answer's body ({}) cannot be read as text", content_type(res));
        return TaskAnswer::Failure { error: stepline_core::error_names::RUNTIME.into(), cause };
    }
    if (200..300).contains(&res.status) {
        return TaskAnswer::Success(result(res));
    }
    TaskAnswer::Failure { error: format!("{STATUS_CODE_ERROR}{}", res.status), cause: res.reason.clone() }
}

/// The answer when no answer came.
pub fn no_answer(e: &ClientError) -> TaskAnswer {
    TaskAnswer::Failure { error: SOCKET_ERROR.into(), cause: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> OutResponse {
        OutResponse {
            status,
            reason: "Reason".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("set-cookie".into(), "a".into()),
                ("set-cookie".into(), "b".into()),
            ],
            body: bytes::Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn a_2xx_answer_is_the_result_with_a_json_body_parsed() {
        let TaskAnswer::Success(v) = answer(&response(201, r#"{"id":7}"#)) else { panic!() };
        assert_eq!(v["ResponseBody"], json!({"id": 7}));
        assert_eq!((v["StatusCode"].clone(), v["StatusText"].clone()), (json!(201), json!("Reason")));
        assert_eq!(v["Headers"]["set-cookie"], json!(["a", "b"]));
        let mut text = response(200, r#"{"not":"parsed"}"#);
        text.headers[0].1 = "text/plain".into();
        let TaskAnswer::Success(v) = answer(&text) else { panic!() };
        assert_eq!(v["ResponseBody"], json!(r#"{"not":"parsed"}"#));
        text.headers[0].1 = "image/png".into();
        assert!(matches!(answer(&text), TaskAnswer::Failure { error, .. } if error == "States.Runtime"));
    }

    #[test]
    fn an_answer_outside_2xx_fails_with_its_code_and_status_text() {
        let TaskAnswer::Failure { error, cause } = answer(&response(503, "busy")) else { panic!() };
        assert_eq!((error.as_str(), cause.as_str()), ("States.Http.StatusCode.503", "Reason"));
    }
}
