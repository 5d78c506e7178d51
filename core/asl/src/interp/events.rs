//! What the interpreter and its driver say to each other: the commands it asks for, the
//! events it is fed, and the wait ids that tie one to the other.

use crate::history::TaskRef;
use crate::model::{route, AnswerShape, Route};
use crate::time::Millis;
use serde_json::Value;

/// Identifies one outstanding task or timer between the interpreter and its driver.
pub type WaitId = u64;

/// The wait id of the longest-duration deadline: outside the ids `new_wait` hands out, so
/// arming it never shifts the ids a stored journal refers to.
pub const DEADLINE_WAIT: WaitId = WaitId::MAX;

/// Work for a worker, as the interpreter asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRequest {
    pub id: WaitId,
    pub task: TaskRef,
    /// The name after `activity:` / `function:`, or the service API (`lambda:invoke`).
    pub target: String,
    pub state_name: String,
    pub input: Value,
    pub token: String,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub retry_count: u32,
    /// When the Task state was entered (`$$.State.EnteredTime`).
    pub entered_time: Millis,
    pub wait_for_token: bool,
    /// How the worker's answer becomes the task's result.
    pub answer: AnswerShape,
}

impl TaskRequest {
    /// The activity this task goes to, what its worker sees, and whether the answer is
    /// wrapped as a Lambda response.
    pub fn route(&self) -> Route {
        route(&self.target, self.answer, &self.input)
    }
}

/// What the interpreter asks its driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    ScheduleTask(Box<TaskRequest>),
    /// A Distributed Map's Map Run (when the machine runs them: `StateMachine::map_runs`),
    /// answered like a task through its wait id and cancelled like one.
    StartMapRun(Box<super::map_run::MapRunRequest>),
    /// The task's (or Map Run's) result is no longer wanted (its branch was aborted or it
    /// timed out).
    CancelTask {
        id: WaitId,
    },
    StartTimer {
        id: WaitId,
        fire_at: Millis,
    },
    CancelTimer {
        id: WaitId,
    },
}

/// What happened outside that the execution must react to. Events are journaled: replaying
/// them in order rebuilds the execution exactly.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    TaskSucceeded {
        id: WaitId,
        output: Value,
    },
    TaskFailed {
        id: WaitId,
        error: String,
        cause: String,
    },
    TaskHeartbeat {
        id: WaitId,
    },
    TimerFired {
        id: WaitId,
    },
    /// `StopExecution`.
    Stop {
        error: Option<String>,
        cause: Option<String>,
    },
    /// `RedriveExecution`: a failed, timed-out or aborted execution resumes at the
    /// top-level state where it stopped, with that state's input and variables.
    Redrive,
}
