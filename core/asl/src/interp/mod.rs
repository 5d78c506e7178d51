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
mod events;
mod exec;
mod execution;
mod frame;
mod io;
mod jsonata;
mod map_run;
mod outcome;
#[cfg(test)]
mod redrive_tests;
mod retry_catch;
mod select;
mod states;
#[cfg(test)]
mod tests;

pub use crate::limits::{MAX_NESTING, MAX_PAYLOAD_BYTES};
pub use crate::model::default_label;
pub use errors::{error_matches, Failure};
pub use events::{Command, Event, TaskRequest, WaitId, DEADLINE_WAIT};
pub use execution::{Execution, ExecutionInfo, InterpError, Status};
pub use io::{
    apply_io_path, apply_result_path, apply_template, json_len, nested_deeper_than, payload_too_large, IoResult,
};
pub use map_run::{map_run_arn, BatchSpec, Batcher, MapItems, MapRunRequest, ReaderItems, ResourceCall, SelectScope};
pub use outcome::TaskOutcome;
pub use select::select_item;

use crate::model::StateMachine;
use crate::time::Millis;
use serde_json::Value;

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
