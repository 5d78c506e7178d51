//! How a task ended, whoever answered it: a worker, a mock, the in-process runner's
//! handler. Every driver speaks this one type and turns it into the interpreter's [`Event`].

use super::events::{Event, WaitId};
use serde_json::Value;

/// How a task ended, or that it has not.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOutcome {
    /// The task's result.
    Success(Value),
    Failure {
        error: String,
        cause: String,
    },
    /// The worker is still on it: its heartbeat timer starts again.
    Heartbeat,
    /// No answer: the task stays outstanding until its timeout (if any) fires.
    NoAnswer,
}

impl TaskOutcome {
    /// The event that feeds this outcome of task `id` to the interpreter (none for
    /// [`TaskOutcome::NoAnswer`]).
    pub fn into_event(self, id: WaitId) -> Option<Event> {
        match self {
            TaskOutcome::Success(output) => Some(Event::TaskSucceeded { id, output }),
            TaskOutcome::Failure { error, cause } => Some(Event::TaskFailed { id, error, cause }),
            TaskOutcome::Heartbeat => Some(Event::TaskHeartbeat { id }),
            TaskOutcome::NoAnswer => None,
        }
    }
}
