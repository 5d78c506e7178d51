//! The control API: AWS Step Functions operations translated to engine calls. Handlers
//! only translate shapes; the engine does the work.

mod operator;

use serde_json::{json, Map, Value};
use std::time::Duration;
use stepline_core::engine::{Engine, EngineError, TaskAnswer};
use stepline_core::interp::Status;
use stepline_core::model::{compile_value, MachineType};
use stepline_core::store::{ExecutionRecord, StateMachineRecord};

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

    /// Client errors are 400s; only engine failures are 500s.
    pub fn status(&self) -> u16 {
        if self.kind == "InternalFailure" {
            500
        } else {
            400
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
    let (ms, arn) = t.split_once('|').ok_or_else(|| ApiError::new("InvalidToken", "The nextToken is not valid"))?;
    Ok((ms.parse().map_err(|_| ApiError::new("InvalidToken", "The nextToken is not valid"))?, arn.to_string()))
}

fn parse_input(body: &Value) -> Result<Value, ApiError> {
    match opt(body, "input") {
        None => Ok(json!({})),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| ApiError::new("InvalidExecutionInput", format!("Invalid execution input: {e}"))),
    }
}

/// Runs one operation.
pub fn handle(engine: &Engine, operation: &str, body: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateStateMachine" => {
            let r = engine.create_state_machine(
                field(body, "name")?,
                field(body, "definition")?,
                opt(body, "type").unwrap_or("STANDARD"),
                opt(body, "roleArn").unwrap_or(""),
            )?;
            Ok(json!({"stateMachineArn": r.arn, "creationDate": seconds(r.created)}))
        }
        "UpdateStateMachine" => {
            let r = engine.update_state_machine(field(body, "stateMachineArn")?, field(body, "definition")?)?;
            Ok(json!({"updateDate": seconds(r.updated), "revisionId": r.version.to_string()}))
        }
        "DescribeStateMachine" => Ok(machine_json(&engine.describe_state_machine(field(body, "stateMachineArn")?)?)),
        "DeleteStateMachine" => {
            engine.delete_state_machine(field(body, "stateMachineArn")?)?;
            Ok(json!({}))
        }
        "ListStateMachines" => {
            let list: Vec<Value> = engine
                .list_state_machines()?
                .iter()
                .map(|r| json!({"stateMachineArn": r.arn, "name": r.name, "type": r.kind, "creationDate": seconds(r.created)}))
                .collect();
            Ok(json!({"stateMachines": list}))
        }
        "ValidateStateMachineDefinition" => {
            let def: Value = serde_json::from_str(field(body, "definition")?)
                .map_err(|e| ApiError::new("ValidationException", format!("definition is not JSON: {e}")))?;
            let kind = if opt(body, "type") == Some("EXPRESS") { MachineType::Express } else { MachineType::Standard };
            let diags = compile_value(&def, kind).err().unwrap_or_default();
            Ok(
                json!({"result": if diags.is_empty() { "OK" } else { "FAIL" }, "diagnostics": diags, "truncated": false}),
            )
        }
        "StartExecution" => {
            let input = parse_input(body)?;
            let r = match field(body, "stateMachineArn")?.split_once('#') {
                // AWS Step Functions Local's mock mode: `<arn>#<TestCase>`.
                Some((arn, case)) => engine.start_test_case(arn, case, opt(body, "name"), input)?,
                None => engine.start_execution(field(body, "stateMachineArn")?, opt(body, "name"), input)?,
            };
            Ok(json!({"executionArn": r.arn, "startDate": seconds(r.start)}))
        }
        "StartSyncExecution" => {
            let input = parse_input(body)?;
            let r = engine.start_sync_execution(field(body, "stateMachineArn")?, opt(body, "name"), input)?;
            Ok(execution_json(&r))
        }
        "DescribeExecution" => Ok(execution_json(&engine.describe_execution(field(body, "executionArn")?)?)),
        "ListExecutions" => {
            let machine = opt(body, "stateMachineArn");
            let status = match opt(body, "statusFilter") {
                None => None,
                Some(s) => Some(
                    Status::parse(s)
                        .ok_or_else(|| ApiError::new("ValidationException", format!("unknown statusFilter '{s}'")))?,
                ),
            };
            let limit =
                body.get("maxResults").and_then(Value::as_u64).filter(|n| *n > 0).unwrap_or(100).min(1000) as usize;
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
            if more {
                out["nextToken"] = json!(page_token(shown.last().expect("more than limit")));
            }
            Ok(out)
        }
        "GetExecutionHistory" => {
            let arn = field(body, "executionArn")?;
            let limit =
                body.get("maxResults").and_then(Value::as_u64).filter(|n| *n > 0).unwrap_or(100).min(1000) as usize;
            let reverse = body.get("reverseOrder").and_then(Value::as_bool).unwrap_or(false);
            let after = match opt(body, "nextToken") {
                Some(t) => t.parse::<u64>().map_err(|_| ApiError::new("InvalidToken", "The nextToken is not valid"))?,
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
            let r = engine.stop_execution(field(body, "executionArn")?, opt(body, "error"), opt(body, "cause"))?;
            Ok(json!({"stopDate": seconds(r.stop.unwrap_or(r.start))}))
        }
        "RedriveExecution" => {
            engine.redrive_execution(field(body, "executionArn")?)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            Ok(json!({"redriveDate": seconds(now)}))
        }
        "TestState" => test_state(engine, body),
        "SendTaskSuccess" => {
            let output: Value = serde_json::from_str(field(body, "output")?)
                .map_err(|e| ApiError::new("InvalidOutput", format!("Invalid output: {e}")))?;
            engine.answer_task(field(body, "taskToken")?, TaskAnswer::Success(output))?;
            Ok(json!({}))
        }
        "SendTaskFailure" => {
            let answer = TaskAnswer::Failure {
                error: opt(body, "error").unwrap_or("").into(),
                cause: opt(body, "cause").unwrap_or("").into(),
            };
            engine.answer_task(field(body, "taskToken")?, answer)?;
            Ok(json!({}))
        }
        "SendTaskHeartbeat" => {
            engine.answer_task(field(body, "taskToken")?, TaskAnswer::Heartbeat)?;
            Ok(json!({}))
        }
        "CreateActivity" => {
            let r = engine.create_activity(field(body, "name")?)?;
            Ok(json!({"activityArn": r.arn, "creationDate": seconds(r.created)}))
        }
        "DescribeActivity" => {
            let r = engine.describe_activity(field(body, "activityArn")?)?;
            Ok(json!({"activityArn": r.arn, "name": r.name, "creationDate": seconds(r.created)}))
        }
        "ListActivities" => {
            let list: Vec<Value> = engine
                .list_activities()?
                .iter()
                .map(|r| json!({"activityArn": r.arn, "name": r.name, "creationDate": seconds(r.created)}))
                .collect();
            Ok(json!({"activities": list}))
        }
        "DeleteActivity" => {
            engine.delete_activity(field(body, "activityArn")?)?;
            Ok(json!({}))
        }
        "GetActivityTask" => {
            let arn = field(body, "activityArn")?;
            let name = arn.rsplit(':').next().unwrap_or(arn);
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
