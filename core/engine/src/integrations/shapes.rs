//! What AWS's Step Functions integrations answer, in their shapes: the parameters a
//! `startExecution` task reads, the start's answer, a child's `DescribeExecution` for
//! `.sync` and `.sync:2`, and API errors as the task's error and cause.
//!
//! Keys are written in AWS's (alphabetical) order: a cause is the JSON text of one of
//! these objects, and a user comparing it with AWS's sees the same text.

use crate::error::EngineError;
use crate::request::TaskAnswer;
use crate::store::ExecutionRecord;
use serde_json::{json, Map, Value};
use stepline_asl::interp::Status;
use stepline_asl::time::{format_http_date, Millis};

/// What a `startExecution` task asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChildParams {
    pub machine_arn: String,
    pub input: Value,
    pub name: Option<String>,
}

/// Reads `StateMachineArn`, `Input` and `Name` from a task's effective input. `Input` is
/// JSON or the text of JSON (as the API takes it); absent or null, the child gets `{}`.
pub(crate) fn child_params(input: &Value, sdk: bool, request_id: &str) -> Result<ChildParams, TaskAnswer> {
    let fail = |e: EngineError| Err(api_error(&e, sdk, request_id));
    let machine_arn = match input.get("StateMachineArn") {
        Some(Value::String(s)) => s.clone(),
        other => {
            let shown = other.map_or_else(|| "null".to_string(), Value::to_string);
            return Err(api_error_named(
                "InvalidArn",
                &format!("Invalid Arn: 'StateMachineArn must be a state machine ARN, not {shown}'"),
                sdk,
                request_id,
            ));
        }
    };
    let child_input = match input.get("Input") {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return fail(EngineError::InvalidExecutionInput(format!("Input is not JSON text: {e}"))),
        },
        Some(v) => v.clone(),
    };
    let name = match input.get("Name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return fail(EngineError::InvalidName(other.to_string())),
    };
    Ok(ChildParams { machine_arn, input: child_input, name })
}

/// The answer to a start: AWS's optimized integration adds the HTTP metadata of the call,
/// the SDK integration does not.
pub(crate) fn start_response(rec: &ExecutionRecord, sdk: bool, request_id: &str, now: Millis) -> Value {
    if sdk {
        return json!({"ExecutionArn": rec.arn, "StartDate": rec.start});
    }
    let body = json!({"executionArn": rec.arn, "startDate": rec.start as f64 / 1000.0}).to_string();
    let length = body.len().to_string();
    let date = format_http_date(now);
    json!({
        "ExecutionArn": rec.arn,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "x-amzn-RequestId": [request_id],
                "connection": ["keep-alive"],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/x-amz-json-1.0"],
            },
            "HttpHeaders": {
                "connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/x-amz-json-1.0",
                "Date": date,
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StartDate": rec.start,
    })
}

/// A child's `DescribeExecution` as the integrations return it: `Input` and `Output` as
/// JSON text, or as JSON (`json`, for `.sync:2`).
pub(crate) fn describe(rec: &ExecutionRecord, json: bool) -> Value {
    let payload = |v: &Value| if json { v.clone() } else { Value::String(v.to_string()) };
    let mut m = Map::new();
    // A failure without a cause has none in AWS's answer (not an empty one).
    if let Some(c) = rec.cause.as_ref().filter(|c| !c.is_empty()) {
        m.insert("Cause".into(), json!(c));
    }
    if let Some(e) = &rec.error {
        m.insert("Error".into(), json!(e));
    }
    m.insert("ExecutionArn".into(), json!(rec.arn));
    m.insert("Input".into(), payload(&rec.input));
    m.insert("InputDetails".into(), json!({"Included": true}));
    m.insert("Name".into(), json!(rec.name));
    if let Some(o) = &rec.output {
        m.insert("Output".into(), payload(o));
        m.insert("OutputDetails".into(), json!({"Included": true}));
    }
    m.insert("RedriveCount".into(), json!(rec.redrive_count));
    match rec.status {
        Status::Running | Status::Succeeded => {
            m.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
            let reason = format!("Execution is {} and cannot be redriven", rec.status.as_str());
            m.insert("RedriveStatusReason".into(), json!(reason));
        }
        _ => {
            m.insert("RedriveStatus".into(), json!("REDRIVABLE"));
        }
    }
    m.insert("StartDate".into(), json!(rec.start));
    m.insert("StateMachineArn".into(), json!(rec.state_machine_arn));
    m.insert("Status".into(), json!(rec.status.as_str()));
    if let Some(s) = rec.stop {
        m.insert("StopDate".into(), json!(s));
    }
    Value::Object(m)
}

/// How a `.sync` task ends with its child: the child's description when it succeeded,
/// otherwise `States.TaskFailed` with that description as the cause (AWS's shape for a
/// child that failed, timed out or was aborted).
pub(crate) fn sync_answer(rec: &ExecutionRecord, json: bool) -> TaskAnswer {
    match rec.status {
        Status::Succeeded => TaskAnswer::Success(describe(rec, json)),
        _ => TaskAnswer::Failure {
            error: stepline_asl::error_names::TASK_FAILED.into(),
            cause: describe(rec, json).to_string(),
        },
    }
}

/// An API error as a task's error: `StepFunctions.<Type>Exception` with the Java SDK's
/// cause for the optimized integration, `Sfn.<Type>Exception` for the SDK one.
pub(crate) fn api_error(e: &EngineError, sdk: bool, request_id: &str) -> TaskAnswer {
    api_error_named(e.aws_type(), &e.to_string(), sdk, request_id)
}

pub(crate) fn api_error_named(aws_type: &str, message: &str, sdk: bool, request_id: &str) -> TaskAnswer {
    let exception = if aws_type.ends_with("Exception") { aws_type.to_string() } else { format!("{aws_type}Exception") };
    let status = crate::error::AwsErrorType::from_name(aws_type).map_or(400, |t| t.http_status());
    if sdk {
        TaskAnswer::Failure {
            error: format!("Sfn.{exception}"),
            // The Java SDK v2 AWS calls with names its attempts.
            cause: format!(
                "{message} (Service: Sfn, Status Code: {status}, Request ID: {request_id}) (SDK Attempt Count: 1)"
            ),
        }
    } else {
        TaskAnswer::Failure {
            error: format!("StepFunctions.{exception}"),
            cause: format!(
                "{message} (Service: AWSStepFunctions; Status Code: {status}; Error Code: {aws_type}; Request ID: {request_id}; Proxy: null)"
            ),
        }
    }
}

/// A request id for one call, from its token and attempt: the same call replayed gets the
/// same id, two calls get two.
pub(crate) fn call_id(token: &str, retry_count: u32) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x6c62_272e_07bb_0142;
    for b in token.bytes().chain(retry_count.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        h2 = (h2 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(17);
    }
    let b = (h2 & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        0x4000 | (h & 0x0fff),
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepline_asl::interp::ExecutionInfo;

    fn record(status: Status) -> ExecutionRecord {
        let info = ExecutionInfo {
            arn: "arn:aws:states:us-east-1:1:execution:child:c1".into(),
            name: "c1".into(),
            state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:child".into(),
            state_machine_name: "child".into(),
            role_arn: "r".into(),
            start_time: 1_000,
            redrive_count: 0,
        };
        let mut r = ExecutionRecord::started(&info, 1, json!({"a": 1}).into());
        r.status = status;
        r.stop = Some(2_000);
        r
    }

    #[test]
    fn parameters_take_json_or_its_text_and_null_is_an_empty_object() {
        let p = child_params(&json!({"StateMachineArn": "sm", "Input": null, "Name": "n"}), false, "id").unwrap();
        assert_eq!(p, ChildParams { machine_arn: "sm".into(), input: json!({}), name: Some("n".into()) });
        let p = child_params(&json!({"StateMachineArn": "sm", "Input": "{\"k\":[1]}"}), true, "id").unwrap();
        assert_eq!((p.input, p.name), (json!({"k": [1]}), None));
        let Err(TaskAnswer::Failure { error, cause }) =
            child_params(&json!({"StateMachineArn": "sm", "Input": "{oops"}), false, "id")
        else {
            panic!("text that is not JSON is refused")
        };
        assert_eq!(error, "StepFunctions.InvalidExecutionInputException");
        assert!(cause.starts_with("Invalid Execution Input: Input is not JSON text"), "{cause}");
        let Err(TaskAnswer::Failure { error, .. }) = child_params(&json!({"Input": {}}), true, "id") else {
            panic!("a missing ARN is refused")
        };
        assert_eq!(error, "Sfn.InvalidArnException");
    }

    #[test]
    fn errors_are_named_as_each_integration_names_them() {
        let e = EngineError::StateMachineDoesNotExist("arn:x".into());
        assert_eq!(
            api_error(&e, false, "rid"),
            TaskAnswer::Failure {
                error: "StepFunctions.StateMachineDoesNotExistException".into(),
                cause: "State Machine Does Not Exist: 'arn:x' (Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: rid; Proxy: null)".into(),
            }
        );
        assert_eq!(
            api_error(&e, true, "rid"),
            TaskAnswer::Failure {
                error: "Sfn.StateMachineDoesNotExistException".into(),
                cause: "State Machine Does Not Exist: 'arn:x' (Service: Sfn, Status Code: 400, Request ID: rid) (SDK Attempt Count: 1)".into(),
            }
        );
    }

    #[test]
    fn a_sync_child_answers_with_its_description_in_aws_key_order() {
        let mut ok = record(Status::Succeeded);
        ok.output = Some(json!({"Arg1": "argument1"}).into());
        let TaskAnswer::Success(v) = sync_answer(&ok, false) else { panic!("a success") };
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "ExecutionArn",
                "Input",
                "InputDetails",
                "Name",
                "Output",
                "OutputDetails",
                "RedriveCount",
                "RedriveStatus",
                "RedriveStatusReason",
                "StartDate",
                "StateMachineArn",
                "Status",
                "StopDate"
            ]
        );
        assert_eq!(v["Output"], json!("{\"Arg1\":\"argument1\"}"));
        assert_eq!(v["RedriveStatusReason"], json!("Execution is SUCCEEDED and cannot be redriven"));
        let TaskAnswer::Success(v2) = sync_answer(&ok, true) else { panic!("a success") };
        assert_eq!((&v2["Input"], &v2["Output"]), (&json!({"a": 1}), &json!({"Arg1": "argument1"})));

        let mut failed = record(Status::Failed);
        failed.error = Some("States.Timeout".into());
        let TaskAnswer::Failure { error, cause } = sync_answer(&failed, false) else { panic!("a failure") };
        assert_eq!(error, "States.TaskFailed");
        let cause: Value = serde_json::from_str(&cause).unwrap();
        assert_eq!((&cause["Error"], &cause["Status"]), (&json!("States.Timeout"), &json!("FAILED")));
        assert_eq!(cause["RedriveStatus"], json!("REDRIVABLE"));
        assert!(cause.get("Output").is_none());
    }

    #[test]
    fn the_optimized_start_carries_http_metadata_and_the_sdk_one_does_not() {
        let r = record(Status::Running);
        let v = start_response(&r, false, "rid", 0);
        assert_eq!(v["ExecutionArn"], json!(r.arn));
        assert_eq!(v["SdkHttpMetadata"]["HttpStatusCode"], json!(200));
        assert_eq!(v["SdkResponseMetadata"]["RequestId"], json!("rid"));
        assert_eq!(v["SdkHttpMetadata"]["HttpHeaders"]["Date"], json!("Thu, 01 Jan 1970 00:00:00 GMT"));
        assert_eq!(start_response(&r, true, "rid", 0), json!({"ExecutionArn": r.arn, "StartDate": 1_000}));
    }

    #[test]
    fn call_ids_are_stable_per_call_and_differ_between_calls() {
        assert_eq!(call_id("ab", 0), call_id("ab", 0));
        assert_ne!(call_id("ab", 0), call_id("ab", 1));
        assert_ne!(call_id("ab", 0), call_id("ac", 0));
        assert_eq!(call_id("ab", 0).len(), 36);
    }
}
