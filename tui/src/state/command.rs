//! The operator's commands, each confirmed before it runs, and the text a command is
//! edited as in `$EDITOR` first.

use super::text::{capital, clip, short};
use serde_json::Value;

/// An operator command; each is confirmed before it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Stop(String),
    Redrive(String),
    Replay(String),
    Start { machine_arn: String, input: Value },
    TaskSuccess { token: String, state: String, output: Value },
    TaskFailure { token: String, state: String, error: String, cause: String },
    Bulk(BulkKind, Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkKind {
    Stop,
    Redrive,
}

impl BulkKind {
    pub fn verb(self) -> &'static str {
        match self {
            BulkKind::Stop => "stop",
            BulkKind::Redrive => "redrive",
        }
    }
}

/// A bulk action under way.
#[derive(Debug, Clone, PartialEq)]
pub struct Bulk {
    pub kind: BulkKind,
    pub targets: Vec<String>,
    pub done: usize,
    pub failed: usize,
}

/// Text for the operator to edit in `$EDITOR`, and what it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub purpose: EditPurpose,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EditPurpose {
    /// The input of a new execution (also a replay with an edited input).
    Start { machine_arn: String },
    /// A task's output.
    TaskSuccess { token: String, state: String },
    /// `{"error": ..., "cause": ...}` for a task.
    TaskFailure { token: String, state: String },
}

impl Command {
    pub fn describe(&self) -> String {
        match self {
            Command::Stop(a) => format!("Stop {}?", short(a)),
            Command::Redrive(a) => format!("Redrive {} from where it failed?", short(a)),
            Command::Replay(a) => {
                format!("Start a new execution of {} with the same input? (e: edit it first)", short(a))
            }
            Command::Start { machine_arn, input } => {
                format!("Start {} with input {}? (e: edit again)", short(machine_arn), clip(&input.to_string()))
            }
            Command::TaskSuccess { state, output, .. } => {
                format!("Answer the task of {state} with success, output {}?", clip(&output.to_string()))
            }
            Command::TaskFailure { state, error, cause, .. } => {
                format!("Fail the task of {state} with {error}: {}?", clip(cause))
            }
            Command::Bulk(kind, targets) => match targets.len() {
                1 => format!("{} the execution listed?", capital(kind.verb())),
                n => format!("{} all {n} executions listed?", capital(kind.verb())),
            },
        }
    }
}
