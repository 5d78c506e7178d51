//! The pure interpreter: `(definition, execution state, event)` in, `(new state, commands,
//! history events)` out. No clock, no IO, no global randomness: the driver passes the time
//! with every event and seeds the execution's random source, so the same events replay to
//! the same history.
//!
//! An execution is a tree of [`frame::Frame`]s: the top-level machine, and one frame per
//! Parallel branch or Map iteration. A frame runs states until it must wait for the outside
//! world (a task result or a timer); the driver answers with an [`Event`].

mod context;
mod errors;
mod exec;
mod frame;
mod io;
mod jsonata;
mod states;
#[cfg(test)]
mod tests;

pub use errors::{error_matches, Failure};
pub use exec::{Execution, ExecutionInfo, Status, DEADLINE_WAIT};
pub use io::{
    apply_io_path, apply_result_path, apply_template, json_len, nested_deeper_than, payload_too_large, IoResult,
    MAX_NESTING, MAX_PAYLOAD_BYTES,
};

use crate::history::TaskRef;
use crate::model::StateMachine;
use crate::time::Millis;
use serde_json::Value;

/// Identifies one outstanding task or timer between the interpreter and its driver.
pub type WaitId = u64;

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
}

/// What the interpreter asks its driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    ScheduleTask(Box<TaskRequest>),
    /// The task's result is no longer wanted (its branch was aborted or it timed out).
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

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InterpError {
    /// A result or timer for something the execution no longer waits for: recorded by the
    /// caller and dropped, never applied twice.
    #[error("the execution is not waiting for task or timer {0}")]
    UnknownWait(WaitId),
    #[error("the execution has already ended with status {0:?}")]
    Finished(Status),
    #[error("the execution cannot be redriven: {0}")]
    NotRedrivable(&'static str),
}

/// Starts an execution: records `ExecutionStarted` and runs until the first wait.
pub fn start(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    now: Millis,
    seed: u64,
) -> (Execution, Vec<Command>) {
    start_with(machine, info, input, now, seed, true)
}

/// Starts an execution that keeps no history (EXPRESS): events are counted, not kept.
pub fn start_unrecorded(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    now: Millis,
    seed: u64,
) -> (Execution, Vec<Command>) {
    start_with(machine, info, input, now, seed, false)
}

fn start_with(
    machine: &StateMachine,
    info: ExecutionInfo,
    input: Value,
    now: Millis,
    seed: u64,
    keep_history: bool,
) -> (Execution, Vec<Command>) {
    let mut exec = Execution::new(info, input, now, seed);
    if !keep_history {
        exec.keep_history = false;
        exec.history = Vec::new();
    }
    let cmds = exec::Interp::new(machine, &mut exec, now).start();
    (exec, cmds)
}

/// Applies one event to a running execution.
pub fn handle(
    machine: &StateMachine,
    exec: &mut Execution,
    now: Millis,
    event: Event,
) -> Result<Vec<Command>, InterpError> {
    if event == Event::Redrive {
        return exec::Interp::new(machine, exec, now).redrive();
    }
    if exec.status != Status::Running {
        return Err(InterpError::Finished(exec.status));
    }
    exec::Interp::new(machine, exec, now).handle(event)
}
