//! AWS's JSON shapes for the control API: reading members of a request (names, ARNs,
//! inputs, page tokens) and writing records as AWS answers them.

use super::arn::{self, Resource};
use super::error::ApiError;
use serde_json::{json, Map, Value};
use stepline_core::engine::AwsErrorType;
use stepline_core::interp::Status;
use stepline_core::store::ExecutionRecord;

pub(super) fn seconds(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

pub(super) fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    body.get(name).and_then(Value::as_str).ok_or_else(|| ApiError::new(AwsErrorType::ValidationException, format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null")))
}

pub(super) fn opt<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

pub(super) fn execution_json(r: &ExecutionRecord) -> Value {
    let mut m = Map::new();
    m.insert("executionArn".into(), json!(r.arn));
    m.insert("stateMachineArn".into(), json!(r.state_machine_arn));
    m.insert("name".into(), json!(r.name));
    m.insert("status".into(), json!(r.status.as_str()));
    m.insert("startDate".into(), seconds(r.start));
    if let Some(s) = r.stop {
        m.insert("stopDate".into(), seconds(s));
    }
    m.insert("input".into(), json!(r.input.to_string()));
    m.insert("inputDetails".into(), json!({"included": true}));
    if let Some(o) = &r.output {
        m.insert("output".into(), json!(o.to_string()));
        m.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(e) = &r.error {
        m.insert("error".into(), json!(e));
    }
    if let Some(c) = &r.cause {
        m.insert("cause".into(), json!(c));
    }
    m.insert("redriveCount".into(), json!(r.redrive_count));
    if let Some(at) = r.redriven {
        m.insert("redriveDate".into(), seconds(at));
    }
    let (redrive, reason) = redrive_status(r);
    m.insert("redriveStatus".into(), json!(redrive));
    if let Some(why) = reason {
        m.insert("redriveStatusReason".into(), json!(why));
    }
    if let Some(p) = &r.parent {
        // Stepline's own field (AWS links a child to its parent only in its console): the
        // execution whose Task started this one, or that its input names.
        m.insert("parentExecutionArn".into(), json!(p));
    }
    if let Some(run) = &r.map_run {
        m.insert("mapRunArn".into(), json!(run));
    }
    if let Some(v) = &r.version_arn {
        m.insert("stateMachineVersionArn".into(), json!(v));
    }
    if let Some(a) = &r.alias_arn {
        m.insert("stateMachineAliasArn".into(), json!(a));
    }
    Value::Object(m)
}

/// Whether `RedriveExecution` would take the execution, in AWS's terms: a child of a Map
/// Run is redriven by redriving its parent; an EXPRESS execution only that way.
fn redrive_status(r: &ExecutionRecord) -> (&'static str, Option<String>) {
    let express = r.arn.contains(":express:");
    match r.status {
        Status::Running | Status::Succeeded => {
            (NOT_REDRIVABLE, Some(format!("Execution is {} and cannot be redriven", r.status.as_str())))
        }
        _ if r.map_run.is_some() => ("REDRIVABLE_BY_MAP_RUN", None),
        _ if express => (NOT_REDRIVABLE, Some("Execution of an EXPRESS state machine cannot be redriven".into())),
        _ => ("REDRIVABLE", None),
    }
}

const NOT_REDRIVABLE: &str = "NOT_REDRIVABLE";

/// `nextToken` for executions: the start time and ARN of the last one listed.
pub(super) fn page_token(r: &ExecutionRecord) -> String {
    format!("{}|{}", r.start, r.arn)
}

pub(super) fn parse_token(t: &str) -> Result<(i64, String), ApiError> {
    let (ms, arn) = t.split_once('|').ok_or_else(invalid_token)?;
    Ok((ms.parse().map_err(|_| invalid_token())?, arn.to_string()))
}

/// An execution's input: absent is `{}`; text that is not JSON is AWS's
/// `InvalidExecutionInput`.
pub(super) fn parse_input(body: &Value) -> Result<Value, ApiError> {
    match opt(body, "input") {
        None => Ok(json!({})),
        Some("") => Err(ApiError::new(
            AwsErrorType::InvalidExecutionInput,
            "Invalid State Machine Execution Input: 'Invalid execution input.'",
        )),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            ApiError::new(AwsErrorType::InvalidExecutionInput, format!("Invalid State Machine Execution Input: '{e}'"))
        }),
    }
}

/// A required ARN member naming `resource`.
pub(super) fn arn_field<'a>(body: &'a Value, name: &str, resource: Resource) -> Result<&'a str, ApiError> {
    let arn = field(body, name)?;
    arn::check(arn, resource)?;
    Ok(arn)
}

/// An optional ARN member naming `resource`.
pub(super) fn arn_opt<'a>(body: &'a Value, name: &str, resource: Resource) -> Result<Option<&'a str>, ApiError> {
    opt(body, name).map(|arn| arn::check(arn, resource).map(|_| arn)).transpose()
}

/// `maxResults`, already checked to be a whole number in range: 0 or absent is AWS's
/// default page of 100.
pub(super) fn page_size(body: &Value) -> usize {
    match body.get("maxResults").and_then(Value::as_f64) {
        Some(n) if n >= 1.0 => n as usize,
        _ => 100,
    }
}

/// A page token that is not one this API gave out.
pub(super) fn invalid_token() -> ApiError {
    ApiError::new(AwsErrorType::InvalidToken, "Invalid Token: 'Invalid token'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepline_core::interp::ExecutionInfo;

    #[test]
    fn redrive_status_says_whether_and_how_an_execution_can_be_redriven() {
        let info = ExecutionInfo {
            arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
            name: "e".into(),
            state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            state_machine_name: "m".into(),
            role_arn: "r".into(),
            start_time: 0,
            redrive_count: 0,
        };
        let mut r = ExecutionRecord::started(&info, 1, json!({}).into());
        let status = |r: &ExecutionRecord| {
            let v = execution_json(r);
            (v["redriveStatus"].as_str().unwrap().to_string(), v.get("redriveStatusReason").cloned())
        };
        assert_eq!(status(&r), ("NOT_REDRIVABLE".into(), Some(json!("Execution is RUNNING and cannot be redriven"))));
        r.status = Status::Failed;
        assert_eq!(status(&r), ("REDRIVABLE".into(), None));
        r.map_run = Some("arn:aws:states:us-east-1:1:mapRun:m/x:1".into());
        assert_eq!(status(&r), ("REDRIVABLE_BY_MAP_RUN".into(), None));
    }
}
