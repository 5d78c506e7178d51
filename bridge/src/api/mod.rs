//! The control API: AWS Step Functions operations translated to engine calls. Handlers
//! only translate shapes; the engine does the work. Every request is checked first
//! (`params`: types and constraints; `arn`: ARNs and task tokens), so a rejected request
//! reaches no engine call and changes nothing.

mod arn;
mod operator;
pub mod params;

use arn::Resource;

use serde_json::{json, Map, Value};
use std::time::Duration;
use stepline_core::engine::{Engine, EngineError, TaskAnswer};
use stepline_core::interp::Status;
use stepline_core::model::{compile_value, MachineType};
use stepline_core::store::{ExecutionRecord, StateMachineRecord};
use stepline_core::validate::Diagnostic;

/// An error in AWS's shape: `__type` names it, `message` explains it.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    pub kind: String,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        ApiError { kind: kind.into(), message: message.into() }
    }

    /// Client errors are 400s, as at AWS; an engine failure is a 500, and a store that
    /// cannot take writes for now a 503 (AWS's `ServiceUnavailable`, which SDKs retry).
    pub fn status(&self) -> u16 {
        match self.kind.as_str() {
            "InternalFailure" => 500,
            "ServiceUnavailable" => 503,
            _ => 400,
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        ApiError::new(e.aws_type(), e.to_string())
    }
}

fn seconds(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    body.get(name).and_then(Value::as_str).ok_or_else(|| ApiError::new("ValidationException", format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null")))
}

fn opt<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

fn execution_json(r: &ExecutionRecord) -> Value {
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
    Value::Object(m)
}

fn machine_json(r: &StateMachineRecord) -> Value {
    json!({
        "stateMachineArn": r.arn, "name": r.name, "status": "ACTIVE", "definition": r.definition,
        "roleArn": r.role_arn, "type": r.kind, "creationDate": seconds(r.created),
        "revisionId": r.version.to_string(),
    })
}

/// `nextToken` for executions: the start time and ARN of the last one listed.
fn page_token(r: &ExecutionRecord) -> String {
    format!("{}|{}", r.start, r.arn)
}

fn parse_token(t: &str) -> Result<(i64, String), ApiError> {
    let (ms, arn) = t.split_once('|').ok_or_else(invalid_token)?;
    Ok((ms.parse().map_err(|_| invalid_token())?, arn.to_string()))
}

/// An execution's input: absent is `{}`; text that is not JSON is AWS's
/// `InvalidExecutionInput`.
fn parse_input(body: &Value) -> Result<Value, ApiError> {
    match opt(body, "input") {
        None => Ok(json!({})),
        Some("") => Err(ApiError::new(
            "InvalidExecutionInput",
            "Invalid State Machine Execution Input: 'Invalid execution input.'",
        )),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            ApiError::new("InvalidExecutionInput", format!("Invalid State Machine Execution Input: '{e}'"))
        }),
    }
}

/// A required ARN member naming `resource`.
fn arn_field<'a>(body: &'a Value, name: &str, resource: Resource) -> Result<&'a str, ApiError> {
    let arn = field(body, name)?;
    arn::check(arn, resource)?;
    Ok(arn)
}

/// An optional ARN member naming `resource`.
fn arn_opt<'a>(body: &'a Value, name: &str, resource: Resource) -> Result<Option<&'a str>, ApiError> {
    opt(body, name).map(|arn| arn::check(arn, resource).map(|_| arn)).transpose()
}

/// `maxResults`, already checked to be a whole number in range: 0 or absent is AWS's
/// default page of 100.
fn page_size(body: &Value) -> usize {
    match body.get("maxResults").and_then(Value::as_f64) {
        Some(n) if n >= 1.0 => n as usize,
        _ => 100,
    }
}

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
        Err(EngineError::TaskDoesNotExist | EngineError::ExecutionNotRunning(_)) => {
            Err(ApiError::new("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs one operation: checks the request as AWS does, then calls the engine.
pub fn handle(engine: &Engine, operation: &str, body: &Value) -> Result<Value, ApiError> {
    let members = params::schema(operation).ok_or_else(|| {
        ApiError::new("UnknownOperationException", format!("The operation '{operation}' is not supported"))
    })?;
    params::check(members, body, params::MAX_DATA.max(engine.max_payload()))?;
    run(engine, operation, body)
}

fn run(engine: &Engine, operation: &str, body: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateStateMachine" => {
            let r = engine.create_state_machine(
                field(body, "name")?,
                field(body, "definition")?,
                opt(body, "type").unwrap_or("STANDARD"),
                field(body, "roleArn")?,
            )?;
            Ok(json!({"stateMachineArn": r.arn, "creationDate": seconds(r.created)}))
        }
        "UpdateStateMachine" => {
            let arn = arn_field(body, "stateMachineArn", Resource::StateMachine)?;
            let Some(definition) = opt(body, "definition") else {
                let others = ["roleArn", "loggingConfiguration", "tracingConfiguration"];
                if others.iter().all(|k| body.get(*k).is_none_or(Value::is_null)) {
                    return Err(ApiError::new(
                        "MissingRequiredParameter",
                        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
                    ));
                }
                return Err(ApiError::new(
                    "ValidationException",
                    "Stepline's UpdateStateMachine changes the definition only: give 'definition'",
                ));
            };
            let r = engine.update_state_machine(arn, definition)?;
            Ok(json!({"updateDate": seconds(r.updated), "revisionId": r.version.to_string()}))
        }
        "DescribeStateMachine" => {
            let arn = arn_field(body, "stateMachineArn", Resource::StateMachine)?;
            Ok(machine_json(&engine.describe_state_machine(arn)?))
        }
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
        "ListExecutions" => {
            let machine = arn_opt(body, "stateMachineArn", Resource::StateMachine)?;
            if let Some(m) = machine {
                engine.describe_state_machine(m)?;
            }
            if let Some(run) = opt(body, "mapRunArn") {
                return Err(ApiError::new("ResourceNotFound", format!("Resource not found: '{run}'")));
            }
            let status = match opt(body, "statusFilter") {
                None => None,
                Some(s) => Some(Status::parse(s).ok_or_else(|| {
                    ApiError::new(
                        "ValidationException",
                        format!("statusFilter {s} applies to Map Runs, which Stepline does not have"),
                    )
                })?),
            };
            let limit = page_size(body);
            let before = opt(body, "nextToken").map(parse_token).transpose()?;
            let list = engine.list_executions(
                machine,
                status,
                limit + 1,
                before.as_ref().map(|(ms, arn)| (*ms, arn.as_str())),
            )?;
            let more = list.len() > limit;
            let shown = &list[..list.len().min(limit)];
            let mut out = json!({"executions": shown.iter().map(|r| {
                let mut v = execution_json(r);
                if let Value::Object(m) = &mut v {
                    for k in ["input", "inputDetails", "output", "outputDetails", "error", "cause"] {
                        m.remove(k);
                    }
                }
                v
            }).collect::<Vec<_>>()});
            if let (true, Some(last)) = (more, shown.last()) {
                out["nextToken"] = json!(page_token(last));
            }
            Ok(out)
        }
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
            Ok(json!({"redriveDate": seconds(stepline_core::time::now_millis())}))
        }
        "TestState" => test_state(engine, body),
        "SendTaskSuccess" => {
            let token = task_token(body)?;
            let output: Value = serde_json::from_str(field(body, "output")?)
                .map_err(|e| ApiError::new("InvalidOutput", format!("Invalid Output: '{e}'")))?;
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
            let r = engine.create_activity(field(body, "name")?)?;
            Ok(json!({"activityArn": r.arn, "creationDate": seconds(r.created)}))
        }
        "DescribeActivity" => {
            let r = engine.describe_activity(arn_field(body, "activityArn", Resource::Activity)?)?;
            Ok(json!({"activityArn": r.arn, "name": r.name, "creationDate": seconds(r.created)}))
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
        other => operator::handle(engine, other, body).unwrap_or_else(|| {
            Err(ApiError::new("UnknownOperationException", format!("The operation '{other}' is not supported")))
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

fn invalid_token() -> ApiError {
    ApiError::new("InvalidToken", "Invalid Token: 'Invalid token'")
}

/// Whether `GetActivityTask` may wait on activity `name`: it was created
/// (`CreateActivity`), or tasks for it wait, or a stored state machine's Task names it
/// (Stepline runs activities a definition names without `CreateActivity`). Anything else
/// is AWS's `ActivityDoesNotExist` at once, not a 60-second poll that can never succeed.
fn activity_known(engine: &Engine, arn: &str, name: &str) -> Result<bool, ApiError> {
    if engine.describe_activity(arn).is_ok() || engine.queues().depth().contains_key(name) {
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
                serde_json::from_str(t)
                    .map_err(|e| ApiError::new("ValidationException", format!("{name} is not valid JSON: {e}")))
            })
            .transpose()
    };
    let definition = serde_json::from_str(field(body, "definition")?)
        .map_err(|e| ApiError::new("InvalidDefinition", format!("the definition is not valid JSON: {e}")))?;
    if json_field("variables")?.is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty())) {
        return Err(ApiError::new("ValidationException", "Stepline's TestState does not take variables yet"));
    }
    let mock = match body.get("mock") {
        None | Some(Value::Null) => None,
        Some(m) => match (m.get("result").and_then(Value::as_str), m.get("errorOutput")) {
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    "ValidationException",
                    "A test mock should have only one of the following fields: [result, errorOutput].",
                ))
            }
            (Some(r), None) => Some(TestStateMock::Return(serde_json::from_str(r).map_err(|e| {
                ApiError::new("ValidationException", format!("the mocked result is not valid JSON: {e}"))
            })?)),
            (None, Some(e)) => Some(TestStateMock::Throw {
                error: e["error"].as_str().unwrap_or_default().to_string(),
                cause: e["cause"].as_str().unwrap_or_default().to_string(),
            }),
            (None, None) => return Err(ApiError::new("ValidationException", "a mock needs result or errorOutput")),
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
    let mut worker = |req: &stepline_core::interp::TaskRequest| {
        use stepline_core::runner::TaskOutcome;
        match engine.run_task(req, Duration::from_secs(timeout)) {
            Ok(TaskAnswer::Success(v)) => TaskOutcome::Success(v),
            Ok(TaskAnswer::Failure { error, cause }) => TaskOutcome::Failure { error, cause },
            Ok(TaskAnswer::Heartbeat) => TaskOutcome::NoAnswer,
            Err(e) => TaskOutcome::Failure { error: "States.Runtime".into(), cause: e.to_string() },
        }
    };
    test_state(&request, Some(&mut worker)).map_err(|e| ApiError::new(e.kind, e.message))
}

/// AWS's JSON protocol carries timestamps as epoch seconds.
fn epoch_timestamp(mut e: Value) -> Value {
    if let Some(ts) = e.get("timestamp").and_then(Value::as_str) {
        if let Ok(t) = chrono_like_millis(ts) {
            e["timestamp"] = seconds(t);
        }
    }
    e
}

fn chrono_like_millis(ts: &str) -> Result<i64, ()> {
    stepline_core::time::parse_timestamp(ts).ok_or(())
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn statuses_are_aws_statuses() {
        let status = |kind: &str| ApiError::new(kind, "").status();
        assert_eq!(
            [status("ValidationException"), status("InternalFailure"), status("ServiceUnavailable")],
            [400, 500, 503]
        );
    }
}
