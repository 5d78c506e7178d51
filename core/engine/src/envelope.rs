//! A task as a worker receives it: what the engine hands a dispatcher.

use crate::records::ExecutionRecord;
use serde_json::Value;
use stepline_asl::interp::TaskRequest;

/// A task as a worker receives it (the worker protocol's request).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskEnvelope {
    pub token: String,
    pub activity: String,
    /// The Task state's `Resource` ARN, as written.
    pub resource: String,
    pub input: Value,
    pub execution_arn: String,
    pub execution_name: String,
    pub state_machine_arn: String,
    pub state_name: String,
    /// When the Task state was entered, in ms since the epoch.
    pub entered_time: stepline_asl::time::Millis,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub retry_count: u32,
    /// `.waitForTaskToken`: the task is answered by a callback, not by whoever takes it.
    pub wait_for_token: bool,
}

impl TaskEnvelope {
    /// The task invokes a Lambda function (`arn:aws:lambda:...:function:NAME` or
    /// `arn:aws:states:::lambda:invoke`), whose name is the task's activity.
    pub fn invokes_lambda(&self) -> bool {
        // Read without allocating: this is on every task's path.
        let mut parts = self.resource.splitn(7, ':');
        match (parts.next(), parts.nth(1), parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("arn"), Some("lambda"), Some(_), Some(_), Some("function"), Some(_)) => true,
            (Some("arn"), Some("states"), Some(""), Some(""), Some("lambda"), Some(api)) => {
                api == "invoke" || api.starts_with("invoke.")
            }
            _ => false,
        }
    }

    /// Task `req` as handed out under `token` to `activity` with `input` (its route); the
    /// execution's fields are empty for a task outside any execution (`TestState`).
    pub fn of(
        req: &TaskRequest,
        token: String,
        activity: String,
        input: Value,
        execution: Option<&ExecutionRecord>,
    ) -> TaskEnvelope {
        TaskEnvelope {
            token,
            activity,
            resource: req.task.resource.clone(),
            input,
            execution_arn: execution.map(|r| r.arn.clone()).unwrap_or_default(),
            execution_name: execution.map(|r| r.name.clone()).unwrap_or_default(),
            state_machine_arn: execution.map(|r| r.state_machine_arn.clone()).unwrap_or_default(),
            state_name: req.state_name.clone(),
            entered_time: req.entered_time,
            timeout_seconds: req.timeout_seconds,
            heartbeat_seconds: req.heartbeat_seconds,
            retry_count: req.retry_count,
            wait_for_token: req.wait_for_token,
        }
    }
}
