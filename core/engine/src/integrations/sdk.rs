//! `aws-sdk:sfn:*` calls back into this engine, so a state machine can drive Stepline
//! itself without a worker: describe an execution or a state machine, stop an execution,
//! answer another task by its token. Parameters and answers are the SDK's (PascalCase).

use super::call::SdkApi;
use super::shapes::{api_error, api_error_named, describe};
use crate::error::EngineError;
use crate::request::TaskAnswer;
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::ExecutionRecord;
use serde_json::{json, Value};
use stepline_asl::interp::Status;

impl EngineState {
    /// Makes one SDK call and returns the calling task's answer.
    pub(crate) fn sdk_call(
        &mut self,
        batch: &mut dyn BatchWriter,
        api: SdkApi,
        input: &Value,
        rid: &str,
    ) -> TaskAnswer {
        match self.sdk_result(batch, api, input) {
            Ok(v) => TaskAnswer::Success(v),
            Err(SdkError::Engine(e)) => api_error(&e, true, rid),
            Err(SdkError::Named(aws_type, message)) => api_error_named(aws_type, &message, true, rid),
            Err(SdkError::Parameter(name)) => api_error_named(
                "ValidationException",
                &format!(
                    "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must not be null",
                    lower_first(name)
                ),
                true,
                rid,
            ),
        }
    }

    fn sdk_result(&mut self, batch: &mut dyn BatchWriter, api: SdkApi, input: &Value) -> Result<Value, SdkError> {
        match api {
            SdkApi::DescribeExecution => {
                let arn = text(input, "ExecutionArn")?;
                Ok(describe(&self.find_execution(arn)?, false))
            }
            SdkApi::DescribeStateMachine => {
                let arn = text(input, "StateMachineArn")?;
                let sm = self.machines.record(self.store.as_ref(), arn)?;
                Ok(json!({
                    "CreationDate": sm.created,
                    "Definition": sm.definition,
                    "Name": sm.name,
                    "RevisionId": sm.version.to_string(),
                    "RoleArn": sm.role_arn,
                    "StateMachineArn": sm.arn,
                    "Status": "ACTIVE",
                    "Type": sm.kind,
                }))
            }
            SdkApi::DescribeStateMachineForExecution => {
                let rec = self.find_execution(text(input, "ExecutionArn")?)?;
                let sm = self.machines.record(self.store.as_ref(), &rec.state_machine_arn)?;
                let definition = match self.store.state_machine_version(&sm.arn, rec.state_machine_version)? {
                    Some(d) => d,
                    None => sm.definition.clone(),
                };
                Ok(json!({
                    "Definition": definition,
                    "Name": sm.name,
                    "RevisionId": rec.state_machine_version.to_string(),
                    "RoleArn": sm.role_arn,
                    "StateMachineArn": sm.arn,
                    "UpdateDate": sm.updated,
                }))
            }
            SdkApi::ListExecutions => {
                let arn = text(input, "StateMachineArn")?;
                self.machines.record(self.store.as_ref(), arn)?;
                let status = match input.get("StatusFilter").and_then(Value::as_str) {
                    None => None,
                    Some(s) => Some(Status::parse(s).ok_or(SdkError::Parameter("StatusFilter"))?),
                };
                let limit = input.get("MaxResults").and_then(Value::as_u64).filter(|n| (1..=1000).contains(n));
                let limit = limit.unwrap_or(100) as usize;
                // As of the last commit, with the EXPRESS executions still in memory.
                let mut list = self.store.list_executions(Some(arn), status, limit, None)?;
                list.extend(self.express.list(Some(arn), status, limit, None));
                list.sort_by(|a, b| (b.start, &b.arn).cmp(&(a.start, &a.arn)));
                list.truncate(limit);
                let items: Vec<Value> = list
                    .iter()
                    .map(|r| {
                        let mut v = json!({"ExecutionArn": r.arn, "Name": r.name, "RedriveCount": r.redrive_count,
                            "StartDate": r.start, "StateMachineArn": r.state_machine_arn, "Status": r.status.as_str()});
                        if let Some(s) = r.stop {
                            v["StopDate"] = json!(s);
                        }
                        v
                    })
                    .collect();
                Ok(json!({"Executions": items}))
            }
            SdkApi::RedriveExecution => {
                let arn = text(input, "ExecutionArn")?.to_string();
                self.redrive(batch, &arn)?;
                Ok(json!({"RedriveDate": self.clock.now()}))
            }
            SdkApi::StopExecution => {
                let arn = text(input, "ExecutionArn")?.to_string();
                let error = input.get("Error").and_then(Value::as_str).map(str::to_string);
                let cause = input.get("Cause").and_then(Value::as_str).map(str::to_string);
                let rec = self.stop(batch, &arn, error, cause)?;
                Ok(json!({"StopDate": rec.stop.unwrap_or_else(|| self.clock.now())}))
            }
            SdkApi::SendTaskSuccess => {
                let token = self.known_token(input)?;
                let output = match input.get("Output") {
                    Some(Value::String(s)) => serde_json::from_str(s)
                        .map_err(|e| EngineError::InvalidExecutionInput(format!("Output is not JSON text: {e}")))?,
                    Some(v) => v.clone(),
                    None => return Err(SdkError::Parameter("Output")),
                };
                self.held_answers.push((token, TaskAnswer::Success(output)));
                Ok(json!({}))
            }
            SdkApi::SendTaskFailure => {
                let token = self.known_token(input)?;
                let field = |k: &str| input.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                self.held_answers.push((token, TaskAnswer::Failure { error: field("Error"), cause: field("Cause") }));
                Ok(json!({}))
            }
            SdkApi::SendTaskHeartbeat => {
                let token = self.known_token(input)?;
                self.held_answers.push((token, TaskAnswer::Heartbeat));
                Ok(json!({}))
            }
        }
    }

    /// `TaskToken`, when it names a task that waits. As the control API: a token Stepline
    /// cannot have issued is `InvalidToken`, one of a task that ended `TaskTimedOut`.
    fn known_token(&self, input: &Value) -> Result<String, SdkError> {
        let token = text(input, "TaskToken")?;
        let well_formed = token.len() == 32 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !well_formed {
            return Err(SdkError::Named("InvalidToken", "Invalid Token: 'Invalid token'".into()));
        }
        match self.tasks.tokens.get(token) {
            Some(t) if t.activity != crate::map_runs::live::MAP_RUN_ACTIVITY => Ok(token.to_string()),
            _ => Err(SdkError::Named("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'".into())),
        }
    }

    /// An execution as the engine knows it now: running here, stored, or EXPRESS.
    pub(crate) fn find_execution(&self, arn: &str) -> Result<ExecutionRecord, EngineError> {
        if let Some(l) = self.live.get(arn) {
            return Ok(l.record.clone());
        }
        if let Some(r) = self.store.execution(arn)? {
            return Ok(r);
        }
        self.express.describe(arn).ok_or_else(|| EngineError::ExecutionDoesNotExist(arn.into()))
    }
}

enum SdkError {
    Engine(EngineError),
    /// An error of AWS's type with its message.
    Named(&'static str, String),
    /// A required parameter is missing or not text.
    Parameter(&'static str),
}

impl From<EngineError> for SdkError {
    fn from(e: EngineError) -> Self {
        SdkError::Engine(e)
    }
}

impl From<crate::store::StoreError> for SdkError {
    fn from(e: crate::store::StoreError) -> Self {
        SdkError::Engine(e.into())
    }
}

fn text<'a>(input: &'a Value, key: &'static str) -> Result<&'a str, SdkError> {
    input.get(key).and_then(Value::as_str).ok_or(SdkError::Parameter(key))
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}
