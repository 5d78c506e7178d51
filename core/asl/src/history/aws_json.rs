//! Rendering of history events in the JSON shape of AWS's `GetExecutionHistory`.

use super::{EventKind, HistoryEvent, TaskFamily, TaskRef};
use crate::time::format_timestamp;
use serde_json::{json, Map, Value};

fn payload(v: &Value) -> Value {
    Value::String(v.to_string())
}

fn included() -> Value {
    json!({"truncated": false})
}

fn task_details(t: &TaskRef, mut extra: Map<String, Value>) -> Value {
    if t.family == TaskFamily::Service {
        extra.insert("resourceType".into(), Value::String(t.resource_type.clone()));
        extra.insert("resource".into(), Value::String(t.resource.rsplit(':').next().unwrap_or_default().to_string()));
    } else {
        extra.insert("resource".into(), Value::String(t.resource.clone()));
    }
    Value::Object(extra)
}

fn obj(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

impl HistoryEvent {
    /// The event as AWS's `HistoryEvent` JSON (`type`, `id`, `previousEventId`,
    /// `timestamp` as RFC 3339 text, and the one `...EventDetails` member its type has).
    pub fn to_aws_json(&self) -> Value {
        self.to_json_with(json!(format_timestamp(self.timestamp)))
    }

    /// The event as stored: AWS's shape with `timestamp` kept as integer milliseconds
    /// since the epoch, so each reader renders it in its own protocol's form.
    pub fn to_stored_json(&self) -> Value {
        self.to_json_with(json!(self.timestamp))
    }

    fn to_json_with(&self, timestamp: Value) -> Value {
        use EventKind::*;
        let ty = self.kind.type_name();
        let (key, details): (String, Value) = match &self.kind {
            ExecutionStarted { input, role_arn, state_machine_arn } => (
                "executionStartedEventDetails".into(),
                json!({"input": payload(input), "inputDetails": included(), "roleArn": role_arn, "stateMachineArn": state_machine_arn}),
            ),
            ExecutionSucceeded { output } => (
                "executionSucceededEventDetails".into(),
                json!({"output": payload(output), "outputDetails": included()}),
            ),
            ExecutionFailed { error, cause } => {
                ("executionFailedEventDetails".into(), json!({"error": error, "cause": cause}))
            }
            ExecutionAborted { error, cause } => {
                ("executionAbortedEventDetails".into(), json!({"error": error, "cause": cause}))
            }
            ExecutionTimedOut { error, cause } => {
                ("executionTimedOutEventDetails".into(), json!({"error": error, "cause": cause}))
            }
            ExecutionRedriven { redrive_count } => {
                ("executionRedrivenEventDetails".into(), json!({"redriveCount": redrive_count}))
            }
            StateEntered { name, input, .. } => (
                "stateEnteredEventDetails".into(),
                json!({"name": &**name, "input": payload(input), "inputDetails": included()}),
            ),
            StateExited { name, output, .. } => (
                "stateExitedEventDetails".into(),
                json!({"name": &**name, "output": payload(output), "outputDetails": included()}),
            ),
            MapStateStarted { length } => ("mapStateStartedEventDetails".into(), json!({"length": length})),
            MapIterationStarted { name, index }
            | MapIterationSucceeded { name, index }
            | MapIterationFailed { name, index }
            | MapIterationAborted { name, index } => {
                let k = format!("{}{}EventDetails", ty[..1].to_lowercase(), &ty[1..]);
                (k, json!({"name": &**name, "index": index}))
            }
            TaskScheduled { task, parameters, timeout_seconds, heartbeat_seconds } => {
                let mut m = obj(vec![("region", json!("us-east-1")), ("parameters", payload(parameters))]);
                if let Some(t) = timeout_seconds {
                    m.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(h) = heartbeat_seconds {
                    m.insert("heartbeatInSeconds".into(), json!(h));
                }
                if task.family == TaskFamily::Lambda {
                    m.remove("parameters");
                    m.insert("input".into(), payload(parameters));
                    m.insert("inputDetails".into(), included());
                    m.remove("region");
                }
                if task.family == TaskFamily::Activity {
                    m.remove("parameters");
                    m.remove("region");
                    m.insert("input".into(), payload(parameters));
                    m.insert("inputDetails".into(), included());
                }
                (details_key(task, "Scheduled"), task_details(task, m))
            }
            TaskStarted { task } => (details_key(task, "Started"), task_details(task, Map::new())),
            TaskSubmitted { task, output } => (
                details_key(task, "Submitted"),
                task_details(task, obj(vec![("output", payload(output)), ("outputDetails", included())])),
            ),
            TaskSucceeded { task, output } => (
                details_key(task, "Succeeded"),
                task_details(task, obj(vec![("output", payload(output)), ("outputDetails", included())])),
            ),
            TaskFailed { task, error, cause } | TaskTimedOut { task, error, cause } => {
                let what = if matches!(self.kind, TaskFailed { .. }) { "Failed" } else { "TimedOut" };
                (
                    details_key(task, what),
                    task_details(task, obj(vec![("error", json!(error)), ("cause", json!(cause))])),
                )
            }
            MapRunStarted { map_run_arn } => ("mapRunStartedEventDetails".into(), json!({"mapRunArn": map_run_arn})),
            MapRunRedriven { map_run_arn, redrive_count } => {
                ("mapRunRedrivenEventDetails".into(), json!({"mapRunArn": map_run_arn, "redriveCount": redrive_count}))
            }
            MapRunFailed { error, cause } => {
                ("mapRunFailedEventDetails".into(), json!({"error": error, "cause": cause}))
            }
            EvaluationFailed(e) => {
                ("evaluationFailedEventDetails".into(), json!({"state": e.state, "error": e.error, "cause": e.cause}))
            }
            WaitStateAborted { .. }
            | MapStateSucceeded
            | MapStateFailed
            | MapStateAborted
            | MapRunSucceeded
            | MapRunAborted
            | ParallelStateStarted
            | ParallelStateSucceeded
            | ParallelStateFailed
            | ParallelStateAborted => (String::new(), Value::Null),
        };
        let mut out = obj(vec![
            ("timestamp", timestamp),
            ("type", json!(ty)),
            ("id", json!(self.id)),
            ("previousEventId", json!(self.previous_event_id)),
        ]);
        if !key.is_empty() {
            out.insert(key, details);
        }
        Value::Object(out)
    }
}

fn details_key(t: &TaskRef, what: &str) -> String {
    let prefix = match t.family {
        TaskFamily::Lambda => "lambdaFunction",
        TaskFamily::Activity => "activity",
        TaskFamily::Service => "task",
    };
    format!("{prefix}{what}EventDetails")
}
