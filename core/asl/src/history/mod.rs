//! History events with AWS's event types and detail shapes, so `GetExecutionHistory` output
//! can be compared with what AWS records.

mod aws_json;
mod stored;

pub use stored::{normalize_stored, stored_timestamp};

use crate::time::Millis;
use serde_json::Value;
use std::sync::Arc;

/// A state's input or output: shared between the history and the running frames, so
/// passing it from one state to the next copies a pointer, not the document.
pub type Payload = Arc<Value>;

/// Which family of task events a Task state records, decided by its `Resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskFamily {
    /// `LambdaFunction*` events (a Lambda ARN used directly as the resource).
    Lambda,
    /// `Activity*` events.
    Activity,
    /// `Task*` events (service integrations).
    Service,
}

/// Details of a scheduled task, as recorded in `TaskScheduled` and friends.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRef {
    pub family: TaskFamily,
    pub resource: String,
    /// Service name for `Task*` events (`lambda`, `sqs`, ...), empty otherwise.
    pub resource_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    ExecutionStarted {
        input: Payload,
        role_arn: String,
        state_machine_arn: String,
    },
    ExecutionSucceeded {
        output: Payload,
    },
    ExecutionFailed {
        error: String,
        cause: String,
    },
    ExecutionAborted {
        error: String,
        cause: String,
    },
    ExecutionTimedOut {
        error: String,
        cause: String,
    },
    ExecutionRedriven {
        redrive_count: u32,
    },
    StateEntered {
        state_type: &'static str,
        name: Arc<str>,
        input: Payload,
    },
    StateExited {
        state_type: &'static str,
        name: Arc<str>,
        output: Payload,
    },
    MapStateStarted {
        length: usize,
    },
    MapStateSucceeded,
    MapStateFailed,
    MapStateAborted,
    MapRunStarted {
        map_run_arn: String,
    },
    MapRunSucceeded,
    MapRunFailed {
        error: String,
        cause: String,
    },
    MapRunAborted,
    MapRunRedriven {
        map_run_arn: String,
        redrive_count: u32,
    },
    MapIterationStarted {
        name: Arc<str>,
        index: usize,
    },
    MapIterationSucceeded {
        name: Arc<str>,
        index: usize,
    },
    MapIterationFailed {
        name: Arc<str>,
        index: usize,
    },
    MapIterationAborted {
        name: Arc<str>,
        index: usize,
    },
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    ParallelStateAborted,
    TaskScheduled {
        task: Arc<TaskRef>,
        parameters: Payload,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    },
    TaskStarted {
        task: Arc<TaskRef>,
    },
    TaskSubmitted {
        task: Arc<TaskRef>,
        output: Payload,
    },
    TaskSucceeded {
        task: Arc<TaskRef>,
        output: Payload,
    },
    TaskFailed {
        task: Arc<TaskRef>,
        error: String,
        cause: String,
    },
    TaskTimedOut {
        task: Arc<TaskRef>,
        error: String,
        cause: String,
    },
    WaitStateAborted {
        name: String,
    },
    /// A state's data processing failed (path, template, type error) before the error
    /// reached Retry/Catch or ended the execution.
    EvaluationFailed(Box<EvaluationFailure>),
}

/// Details of an `EvaluationFailed` event (boxed: events are kept small, they are many).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationFailure {
    pub state: String,
    pub error: String,
    pub cause: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: Millis,
    pub kind: EventKind,
}

impl EventKind {
    /// The event that ends an execution (it may be the last one the history limit allows).
    pub fn is_execution_end(&self) -> bool {
        matches!(
            self,
            EventKind::ExecutionSucceeded { .. }
                | EventKind::ExecutionFailed { .. }
                | EventKind::ExecutionAborted { .. }
                | EventKind::ExecutionTimedOut { .. }
        )
    }

    /// AWS's event type string (`PassStateEntered`, `LambdaFunctionScheduled`, ...).
    pub fn type_name(&self) -> String {
        use EventKind::*;
        match self {
            ExecutionStarted { .. } => "ExecutionStarted".into(),
            ExecutionSucceeded { .. } => "ExecutionSucceeded".into(),
            ExecutionFailed { .. } => "ExecutionFailed".into(),
            ExecutionAborted { .. } => "ExecutionAborted".into(),
            ExecutionTimedOut { .. } => "ExecutionTimedOut".into(),
            ExecutionRedriven { .. } => "ExecutionRedriven".into(),
            StateEntered { state_type, .. } => format!("{state_type}StateEntered"),
            StateExited { state_type, .. } => format!("{state_type}StateExited"),
            MapStateStarted { .. } => "MapStateStarted".into(),
            MapStateSucceeded => "MapStateSucceeded".into(),
            MapStateFailed => "MapStateFailed".into(),
            MapStateAborted => "MapStateAborted".into(),
            MapRunStarted { .. } => "MapRunStarted".into(),
            MapRunSucceeded => "MapRunSucceeded".into(),
            MapRunFailed { .. } => "MapRunFailed".into(),
            MapRunAborted => "MapRunAborted".into(),
            MapRunRedriven { .. } => "MapRunRedriven".into(),
            MapIterationStarted { .. } => "MapIterationStarted".into(),
            MapIterationSucceeded { .. } => "MapIterationSucceeded".into(),
            MapIterationFailed { .. } => "MapIterationFailed".into(),
            MapIterationAborted { .. } => "MapIterationAborted".into(),
            ParallelStateStarted => "ParallelStateStarted".into(),
            ParallelStateSucceeded => "ParallelStateSucceeded".into(),
            ParallelStateFailed => "ParallelStateFailed".into(),
            ParallelStateAborted => "ParallelStateAborted".into(),
            TaskScheduled { task, .. } => task_name(task, "Scheduled"),
            TaskStarted { task } => task_name(task, "Started"),
            TaskSubmitted { task, .. } => task_name(task, "Submitted"),
            TaskSucceeded { task, .. } => task_name(task, "Succeeded"),
            TaskFailed { task, .. } => task_name(task, "Failed"),
            TaskTimedOut { task, .. } => task_name(task, "TimedOut"),
            WaitStateAborted { .. } => "WaitStateAborted".into(),
            EvaluationFailed(_) => "EvaluationFailed".into(),
        }
    }
}

fn task_name(t: &TaskRef, what: &str) -> String {
    let prefix = match t.family {
        TaskFamily::Lambda => "LambdaFunction",
        TaskFamily::Activity => "Activity",
        TaskFamily::Service => "Task",
    };
    format!("{prefix}{what}")
}

#[cfg(test)]
mod tests;
