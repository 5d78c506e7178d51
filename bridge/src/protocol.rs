//! The worker protocol and status events, the same JSON on every bus (`docs/workers.md`).
//! Transports only move these bytes.

use serde_json::{json, Map, Value};
use stepline_core::engine::{TaskAnswer, TaskEnvelope};
use stepline_core::store::ExecutionRecord;

/// Why a worker's message was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProtocolError {
    #[error("the message is not JSON: {0}")]
    NotJson(String),
    #[error("the message is not a JSON object")]
    NotAnObject,
    #[error("the message has no string field \"{0}\"")]
    Missing(&'static str),
    #[error("unknown \"type\" \"{0}\" (expected success, failure or heartbeat)")]
    UnknownType(String),
}

fn iso(ms: i64) -> String {
    stepline_core::time::format_timestamp(ms)
}

/// The task request a worker receives.
pub fn task_request(t: &TaskEnvelope) -> Value {
    let mut v = json!({
        "taskToken": t.token,
        "activity": t.activity,
        "input": t.input,
        "execution": {"arn": t.execution_arn, "name": t.execution_name, "stateMachine": t.state_machine_arn},
        "state": {"name": t.state_name, "enteredTime": iso(t.entered_time), "retryCount": t.retry_count},
    });
    if let Some(s) = t.timeout_seconds {
        v["timeoutSeconds"] = json!(s);
    }
    if let Some(s) = t.heartbeat_seconds {
        v["heartbeatSeconds"] = json!(s);
    }
    v
}

/// A worker's answer: its task token and what it says.
pub fn parse_result(bytes: &[u8]) -> Result<(String, TaskAnswer), ProtocolError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| ProtocolError::NotJson(e.to_string()))?;
    let o = v.as_object().ok_or(ProtocolError::NotAnObject)?;
    let text = |k: &'static str| o.get(k).and_then(Value::as_str).ok_or(ProtocolError::Missing(k));
    let token = text("taskToken")?.to_string();
    let answer = match text("type")? {
        "success" => TaskAnswer::Success(o.get("output").cloned().unwrap_or(Value::Null)),
        "failure" => TaskAnswer::Failure {
            error: o.get("error").and_then(Value::as_str).unwrap_or("").to_string(),
            cause: o.get("cause").and_then(Value::as_str).unwrap_or("").to_string(),
        },
        "heartbeat" => TaskAnswer::Heartbeat,
        other => return Err(ProtocolError::UnknownType(other.to_string())),
    };
    Ok((token, answer))
}

/// A result on a bus whose messages carry a correlation id (AMQP's request/response
/// style, where the task's `correlation_id` is its token). A protocol message is taken as
/// it is, its token from the correlation id when it has none; any other body is a reply:
/// the task's output, or a failure when `error` (the `Stepline-Error` header) is set.
pub fn parse_reply(
    bytes: &[u8],
    correlation_id: Option<&str>,
    error: Option<String>,
    cause: Option<String>,
) -> Result<(String, TaskAnswer), ProtocolError> {
    let first = match parse_result(bytes) {
        Ok(r) => return Ok(r),
        Err(e) => e,
    };
    let Some(token) = correlation_id.filter(|t| !t.is_empty()) else { return Err(first) };
    if let Some(error) = error {
        return Ok((token.to_string(), TaskAnswer::Failure { error, cause: cause.unwrap_or_default() }));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| ProtocolError::NotJson(e.to_string()))?;
    if let Value::Object(mut o) = v {
        if o.contains_key("type") && !o.contains_key("taskToken") {
            o.insert("taskToken".into(), json!(token));
            return parse_result(&serde_json::to_vec(&o).unwrap_or_default());
        }
        return Ok((token.to_string(), TaskAnswer::Success(Value::Object(o))));
    }
    Ok((token.to_string(), TaskAnswer::Success(v)))
}

/// An execution status change, shaped like the `detail` of EventBridge's Step Functions
/// "Execution Status Change" event.
pub fn status_event(r: &ExecutionRecord) -> Value {
    let mut d = Map::new();
    d.insert("executionArn".into(), json!(r.arn));
    d.insert("stateMachineArn".into(), json!(r.state_machine_arn));
    d.insert("name".into(), json!(r.name));
    d.insert("status".into(), json!(r.status.as_str()));
    d.insert("startDate".into(), json!(r.start));
    d.insert("stopDate".into(), json!(r.stop));
    d.insert("input".into(), json!(r.input.to_string()));
    d.insert("inputDetails".into(), json!({"included": true}));
    d.insert("output".into(), json!(r.output.as_ref().map(|o| o.to_string())));
    d.insert("outputDetails".into(), json!(r.output.as_ref().map(|_| json!({"included": true}))));
    d.insert("error".into(), json!(r.error));
    d.insert("cause".into(), json!(r.cause));
    d.insert("redriveCount".into(), json!(r.redrive_count));
    Value::Object(d)
}

/// The state machine's name in an ARN (`...:stateMachine:<name>`), for event subjects.
pub fn machine_name(state_machine_arn: &str) -> &str {
    state_machine_arn.rsplit(':').next().unwrap_or(state_machine_arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_parse_and_bad_ones_say_why() {
        let (t, a) = parse_result(br#"{"type":"success","taskToken":"k","output":{"a":1}}"#).unwrap();
        assert_eq!(t, "k");
        assert!(matches!(a, TaskAnswer::Success(v) if v == json!({"a": 1})));
        let (_, a) = parse_result(br#"{"type":"failure","taskToken":"k","error":"E","cause":"C"}"#).unwrap();
        assert!(matches!(a, TaskAnswer::Failure { error, cause } if error == "E" && cause == "C"));
        assert!(matches!(parse_result(br#"{"type":"heartbeat","taskToken":"k"}"#).unwrap().1, TaskAnswer::Heartbeat));
        assert!(matches!(parse_result(b"nope"), Err(ProtocolError::NotJson(_))));
        assert_eq!(parse_result(b"[1]").unwrap_err(), ProtocolError::NotAnObject);
        assert_eq!(parse_result(br#"{"type":"success"}"#).unwrap_err(), ProtocolError::Missing("taskToken"));
        assert_eq!(
            parse_result(br#"{"type":"done","taskToken":"k"}"#).unwrap_err(),
            ProtocolError::UnknownType("done".into())
        );
    }

    #[test]
    fn replies_take_their_token_from_the_correlation_id() {
        let (t, a) = parse_reply(br#"{"total": 3}"#, Some("k"), None, None).unwrap();
        assert_eq!(t, "k");
        assert!(matches!(a, TaskAnswer::Success(v) if v == json!({"total": 3})));
        let (_, a) = parse_reply(b"7", Some("k"), None, None).unwrap();
        assert!(matches!(a, TaskAnswer::Success(v) if v == json!(7)));
        let (_, a) = parse_reply(b"", Some("k"), Some("Declined".into()), Some("no funds".into())).unwrap();
        assert!(matches!(a, TaskAnswer::Failure { error, cause } if error == "Declined" && cause == "no funds"));
        let (t, a) = parse_reply(br#"{"type":"heartbeat"}"#, Some("k"), None, None).unwrap();
        assert!(t == "k" && matches!(a, TaskAnswer::Heartbeat));
        // A protocol message's own token wins over the correlation id.
        let (t, _) = parse_reply(br#"{"type":"success","taskToken":"own","output":1}"#, Some("k"), None, None).unwrap();
        assert_eq!(t, "own");
        assert!(matches!(parse_reply(b"not json", Some("k"), None, None), Err(ProtocolError::NotJson(_))));
        assert_eq!(parse_reply(br#"{"total": 3}"#, None, None, None).unwrap_err(), ProtocolError::Missing("taskToken"));
    }

    #[test]
    fn a_task_request_has_the_documented_fields() {
        let t = TaskEnvelope {
            resource: String::new(),
            token: "tok".into(),
            activity: "charge".into(),
            input: json!({"amount": 3}),
            execution_arn: "arn:aws:states:us-east-1:1:execution:orders:e1".into(),
            execution_name: "e1".into(),
            state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:orders".into(),
            state_name: "Charge".into(),
            entered_time: 0,
            timeout_seconds: Some(30),
            heartbeat_seconds: None,
            retry_count: 1,
            wait_for_token: false,
        };
        let v = task_request(&t);
        assert_eq!(v["taskToken"], "tok");
        assert_eq!(v["execution"]["name"], "e1");
        assert_eq!(v["state"], json!({"name": "Charge", "enteredTime": "1970-01-01T00:00:00.000Z", "retryCount": 1}));
        assert_eq!(v["timeoutSeconds"], 30);
        assert!(v.get("heartbeatSeconds").is_none());
        assert_eq!(machine_name(&t.state_machine_arn), "orders");
    }
}
