//! The control API: AWS Step Functions operations translated to engine calls. Handlers
//! only translate shapes; the engine does the work. Every request is checked first
//! (`params`: types and constraints; `arn`: ARNs and task tokens), so a rejected request
//! reaches no engine call and changes nothing.

mod arn;
mod catalog;
pub mod control;
mod error;
mod listing;
mod machines;
mod map_runs;
mod operator;
pub mod params;
mod shapes;
mod variables;

use arn::Resource;
pub use error::ApiError;
use shapes::{arn_field, execution_json, field, invalid_token, opt, page_size, parse_input, seconds};
use stepline_core::engine::AwsErrorType;

use serde_json::{json, Value};
use std::time::Duration;
use stepline_core::engine::{Engine, EngineError, TaskAnswer, TaskError};
use stepline_core::model::{compile_value, MachineType};
use stepline_core::validate::Diagnostic;

/// A task token, well formed, for `SendTask*`.
fn task_token(body: &Value) -> Result<&str, ApiError> {
    let token = field(body, "taskToken")?;
    arn::check_task_token(token)?;
    Ok(token)
}

/// Answers a task: a well-formed token no task waits on belongs to one that has ended
/// (timed out, answered, or its execution stopped), which AWS calls `TaskTimedOut`.
fn answer(engine: &Engine, token: &str, answer: TaskAnswer) -> Result<Value, ApiError> {
    match engine.answer_task(token, answer) {
        Ok(()) => Ok(json!({})),
        Err(TaskError::TaskDoesNotExist | TaskError::ExecutionNotRunning(_)) => {
            Err(ApiError::new(AwsErrorType::TaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs one operation: checks the request as AWS does, then calls the engine.
pub fn handle(engine: &Engine, operation: &str, body: &Value) -> Result<Value, ApiError> {
    let members = params::schema(operation).ok_or_else(|| {
        ApiError::new(AwsErrorType::UnknownOperationException, format!("The operation '{operation}' is not supported"))
    })?;
    params::check(members, body, params::MAX_DATA.max(engine.max_payload()))?;
    run(engine, operation, body)
}

fn run(engine: &Engine, operation: &str, body: &Value) -> Result<Value, ApiError> {
    match operation {
        "DeleteStateMachine" => {
            engine.delete_state_machine(arn_field(body, "stateMachineArn", Resource::StateMachine)?)?;
            Ok(json!({}))
        }
        "ListStateMachines" => {
            let all = engine.list_state_machines()?;
            let (shown, next) = arn_page(&all, |r| &r.arn, body, Resource::StateMachine)?;
            let list: Vec<Value> = shown
                .iter()
                .map(|r| json!({"stateMachineArn": r.arn, "name": r.name, "type": r.kind, "creationDate": seconds(r.created)}))
                .collect();
            Ok(with_next(json!({"stateMachines": list}), next))
        }
        "ValidateStateMachineDefinition" => {
            let kind = if opt(body, "type") == Some("EXPRESS") { MachineType::Express } else { MachineType::Standard };
            // As at AWS, a definition that is not JSON is a FAIL result, not an error.
            let diags = match serde_json::from_str::<Value>(field(body, "definition")?) {
                Ok(def) => compile_value(&def, kind).err().unwrap_or_default(),
                Err(e) => vec![Diagnostic::error("INVALID_JSON_DESCRIPTION", "", e.to_string())],
            };
            Ok(
                json!({"result": if diags.is_empty() { "OK" } else { "FAIL" }, "diagnostics": diags, "truncated": false}),
            )
        }
        "StartExecution" => {
            let given = field(body, "stateMachineArn")?;
            // AWS Step Functions Local's mock mode: `<arn>#<TestCase>`.
            let (machine, case) = match given.split_once('#') {
                Some((arn, case)) => (arn, Some(case)),
                None => (given, None),
            };
            arn::check(machine, Resource::StateMachine)?;
            let input = parse_input(body)?;
            let r = match case {
                Some(case) => engine.start_test_case(machine, case, opt(body, "name"), input)?,
                None => engine.start_execution(machine, opt(body, "name"), input)?,
            };
            Ok(json!({"executionArn": r.arn, "startDate": seconds(r.start)}))
        }
        "StartSyncExecution" => {
            let machine = arn_field(body, "stateMachineArn", Resource::StateMachine)?;
            let input = parse_input(body)?;
            let r = engine.start_sync_execution(machine, opt(body, "name"), input)?;
            Ok(execution_json(&r))
        }
        "DescribeExecution" => {
            let arn = arn_field(body, "executionArn", Resource::Execution)?;
            Ok(execution_json(&engine.describe_execution(arn)?))
        }
        "ListExecutions" => listing::list_executions(engine, body),
        "GetExecutionHistory" => {
            let arn = arn_field(body, "executionArn", Resource::Execution)?;
            let limit = page_size(body);
            let reverse = body.get("reverseOrder").and_then(Value::as_bool).unwrap_or(false);
            let after = match opt(body, "nextToken") {
                Some(t) => t.parse::<u64>().map_err(|_| invalid_token())?,
                None => 0,
            };
            let events = engine.history(arn, after, limit + 1, reverse)?;
            let more = events.len() > limit;
            let shown: Vec<Value> = events.into_iter().take(limit).map(epoch_timestamp).collect();
            let mut out = json!({});
            if more {
                out["nextToken"] = json!(shown.last().and_then(|e| e["id"].as_u64()).unwrap_or(0).to_string());
            }
            out["events"] = Value::Array(shown);
            Ok(out)
        }
        "StopExecution" => {
            let arn = arn_field(body, "executionArn", Resource::Execution)?;
            let r = engine.stop_execution(arn, opt(body, "error"), opt(body, "cause"))?;
            Ok(json!({"stopDate": seconds(r.stop.unwrap_or(r.start))}))
        }
        "RedriveExecution" => {
            engine.redrive_execution(arn_field(body, "executionArn", Resource::Execution)?)?;
            Ok(json!({"redriveDate": seconds(engine.now())}))
        }
        "TestState" => test_state(engine, body),
        "SendTaskSuccess" => {
            let token = task_token(body)?;
            let output: Value = serde_json::from_str(field(body, "output")?)
                .map_err(|e| ApiError::new(AwsErrorType::InvalidOutput, format!("Invalid Output: '{e}'")))?;
            answer(engine, token, TaskAnswer::Success(output))
        }
        "SendTaskFailure" => {
            let token = task_token(body)?;
            let failure = TaskAnswer::Failure {
                error: opt(body, "error").unwrap_or("").into(),
                cause: opt(body, "cause").unwrap_or("").into(),
            };
            answer(engine, token, failure)
        }
        "SendTaskHeartbeat" => answer(engine, task_token(body)?, TaskAnswer::Heartbeat),
        "CreateActivity" => {
            let r = engine.create_activity_tagged(field(body, "name")?, catalog::parse_tags(body.get("tags"))?)?;
            Ok(json!({"activityArn": r.arn, "creationDate": seconds(r.created)}))
        }
        "DescribeActivity" => {
            let r = engine.describe_activity(arn_field(body, "activityArn", Resource::Activity)?)?;
            Ok(json!({"activityArn": r.arn, "name": r.name, "creationDate": seconds(r.created),
                "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}))
        }
        "ListActivities" => {
            let all = engine.list_activities()?;
            let (shown, next) = arn_page(&all, |r| &r.arn, body, Resource::Activity)?;
            let list: Vec<Value> = shown
                .iter()
                .map(|r| json!({"activityArn": r.arn, "name": r.name, "creationDate": seconds(r.created)}))
                .collect();
            Ok(with_next(json!({"activities": list}), next))
        }
        "DeleteActivity" => {
            engine.delete_activity(arn_field(body, "activityArn", Resource::Activity)?)?;
            Ok(json!({}))
        }
        "GetActivityTask" => {
            let arn = arn_field(body, "activityArn", Resource::Activity)?;
            let name = arn.rsplit(':').next().unwrap_or(arn);
            if !activity_known(engine, arn, name)? {
                return Err(EngineError::ActivityDoesNotExist(arn.into()).into());
            }
            Ok(match engine.poll_task(name, Duration::from_secs(60)) {
                Some(t) => json!({"taskToken": t.token, "input": t.input.to_string()}),
                None => json!({}),
            })
        }
        other => machines::handle(engine, other, body)
            .or_else(|| catalog::handle(engine, other, body))
            .or_else(|| map_runs::handle(engine, other, body))
            .or_else(|| operator::handle(engine, other, body))
            .unwrap_or_else(|| {
                Err(ApiError::new(
                    AwsErrorType::UnknownOperationException,
                    format!("The operation '{other}' is not supported"),
                ))
            }),
    }
}

/// A page of `items` (in ARN order, as the store keeps them) after `nextToken`, the ARN
/// of the last one shown, and the token of the next page. Without `maxResults` or
/// `nextToken` every item is one page, which Stepline's clients read whole.
fn arn_page<'a, T>(
    items: &'a [T],
    arn: impl Fn(&T) -> &str,
    body: &Value,
    resource: Resource,
) -> Result<(&'a [T], Option<String>), ApiError> {
    let after = opt(body, "nextToken");
    if let Some(t) = after {
        arn::check(t, resource).map_err(|_| invalid_token())?;
    }
    let paged = after.is_some() || body.get("maxResults").and_then(Value::as_f64).is_some_and(|n| n >= 1.0);
    let start = after.map_or(0, |t| items.partition_point(|i| arn(i) <= t));
    let rest = &items[start..];
    if !paged || rest.len() <= page_size(body) {
        return Ok((rest, None));
    }
    let shown = &rest[..page_size(body)];
    Ok((shown, shown.last().map(|i| arn(i).to_string())))
}

fn with_next(mut out: Value, next: Option<String>) -> Value {
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    out
}

/// Whether `GetActivityTask` may wait on activity `name`: it was created
/// (`CreateActivity`), or tasks for it wait, or a stored state machine's Task names it
/// (Stepline runs activities a definition names without `CreateActivity`). Anything else
/// is AWS's `ActivityDoesNotExist` at once, not a 60-second poll that can never succeed.
fn activity_known(engine: &Engine, arn: &str, name: &str) -> Result<bool, ApiError> {
    if engine.describe_activity(arn).is_ok() || engine.local_depth().contains_key(name) {
        return Ok(true);
    }
    Ok(engine
        .list_state_machines()?
        .iter()
        .any(|m| serde_json::from_str::<Value>(&m.definition).is_ok_and(|d| names_activity(&d, name))))
}

/// Whether a definition has a Task whose `Resource` (or `lambda:invoke`'s `FunctionName`)
/// ends in `name`, the way the engine picks a task's activity.
fn names_activity(v: &Value, name: &str) -> bool {
    let last = |s: &str| {
        let s = s.trim_end_matches(".waitForTaskToken").trim_end_matches(".sync");
        s.rsplit(':').next() == Some(name)
    };
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| match (k.as_str(), v) {
            ("Resource" | "FunctionName", Value::String(s)) => last(s),
            _ => names_activity(v, name),
        }),
        Value::Array(items) => items.iter().any(|v| names_activity(v, name)),
        _ => false,
    }
}

/// `TestState`: one state with a given input and an optional mocked result or error.
fn test_state(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    use stepline_core::testing::test_state::{test_state, TestStateMock, TestStateRequest};
    let json_field = |name: &str| -> Result<Option<Value>, ApiError> {
        opt(body, name)
            .map(|t| {
                serde_json::from_str(t).map_err(|e| {
                    ApiError::new(AwsErrorType::ValidationException, format!("{name} is not valid JSON: {e}"))
                })
            })
            .transpose()
    };
    let definition = serde_json::from_str(field(body, "definition")?).map_err(|e| {
        ApiError::new(AwsErrorType::InvalidDefinition, format!("the definition is not valid JSON: {e}"))
    })?;
    if json_field("variables")?.is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty())) {
        return Err(ApiError::new(
            AwsErrorType::ValidationException,
            "Stepline's TestState does not take variables yet",
        ));
    }
    let mock = match body.get("mock") {
        None | Some(Value::Null) => None,
        Some(m) => match (m.get("result").and_then(Value::as_str), m.get("errorOutput")) {
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    AwsErrorType::ValidationException,
                    "A test mock should have only one of the following fields: [result, errorOutput].",
                ))
            }
            (Some(r), None) => Some(TestStateMock::Return(serde_json::from_str(r).map_err(|e| {
                ApiError::new(AwsErrorType::ValidationException, format!("the mocked result is not valid JSON: {e}"))
            })?)),
            (None, Some(e)) => Some(TestStateMock::Throw {
                error: e["error"].as_str().unwrap_or_default().to_string(),
                cause: e["cause"].as_str().unwrap_or_default().to_string(),
            }),
            (None, None) => {
                return Err(ApiError::new(AwsErrorType::ValidationException, "a mock needs result or errorOutput"))
            }
        },
    };
    let request = TestStateRequest {
        definition,
        state_name: opt(body, "stateName").map(str::to_string),
        input: json_field("input")?.unwrap_or_else(|| json!({})),
        inspection_level: opt(body, "inspectionLevel").map(str::to_string),
        mock,
    };
    // A Task with no mock goes to its worker, as AWS calls the service; AWS's limit is
    // 5 minutes, the state's TimeoutSeconds when shorter.
    let timeout = request.definition_timeout().unwrap_or(300).min(300);
    let mut worker = |req: &stepline_core::interp::TaskRequest| match engine.run_task(req, Duration::from_secs(timeout))
    {
        // A heartbeat is not an answer: TestState reports the task as unanswered.
        Ok(TaskAnswer::Heartbeat) => TaskAnswer::NoAnswer,
        Ok(answer) => answer,
        Err(e) => TaskAnswer::Failure { error: stepline_core::error_names::RUNTIME.into(), cause: e.to_string() },
    };
    test_state(&request, Some(&mut worker)).map_err(|e| {
        ApiError::new(AwsErrorType::from_name(e.kind).unwrap_or(AwsErrorType::ValidationException), e.message)
    })
}

/// AWS's JSON protocol carries timestamps as epoch seconds; the store keeps milliseconds.
fn epoch_timestamp(mut e: Value) -> Value {
    if let Some(t) = stepline_core::history::stored_timestamp(&e) {
        e["timestamp"] = seconds(t);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn statuses_are_aws_statuses() {
        use stepline_core::engine::AwsErrorType as T;
        let status = |kind: T| ApiError::new(kind, "").status();
        assert_eq!(
            [status(T::ValidationException), status(T::InternalFailure), status(T::ServiceUnavailable)],
            [400, 500, 503]
        );
    }

    #[test]
    fn history_timestamps_are_served_as_epoch_seconds() {
        use serde_json::json;
        let served = super::epoch_timestamp(json!({"id": 1, "timestamp": 1_700_000_000_123_i64}));
        assert_eq!(served.to_string(), r#"{"id":1,"timestamp":1700000000.123}"#);
        // Events stored as RFC 3339 text by earlier versions are served the same way.
        let older = super::epoch_timestamp(json!({"id": 1, "timestamp": "2023-11-14T22:13:20.123Z"}));
        assert_eq!(older, served);
    }
}
