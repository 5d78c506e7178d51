//! The state of one execution between events, and its identity and status: the
//! vocabulary the store, engine, bridge and dashboard share with the interpreter.

use super::errors::Failure;
use super::events::WaitId;
use super::frame::{Frame, FrameId};
use crate::entropy::SplitMix64;
use crate::history::{HistoryEvent, Payload};
use crate::model::StateId;
use crate::time::Millis;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

/// Identity of an execution, as the context object and history show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExecutionInfo {
    pub arn: String,
    pub name: String,
    pub state_machine_arn: String,
    pub state_machine_name: String,
    pub role_arn: String,
    pub start_time: Millis,
    pub redrive_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    /// AWS's spelling (`SUCCEEDED`, ...).
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Running, Status::Succeeded, Status::Failed, Status::TimedOut, Status::Aborted]
            .into_iter()
            .find(|st| st.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// What an outstanding wait id stands for.
#[derive(Debug, Clone)]
pub(super) enum Wake {
    Task(FrameId),
    /// A Map Run the Map state of the frame waits for.
    MapRun(FrameId),
    TaskTimeout {
        frame: FrameId,
        task: WaitId,
        heartbeat: bool,
    },
    Timer(FrameId),
    Retry(FrameId),
    ExecutionTimeout,
}

/// The whole state of one execution between events.
#[derive(Debug, Clone)]
pub struct Execution {
    pub info: ExecutionInfo,
    pub input: Payload,
    pub status: Status,
    /// Shared with the last state's output (and the `ExecutionSucceeded` event).
    pub output: Option<Payload>,
    pub failure: Option<Failure>,
    /// Events recorded and not yet taken by [`Execution::take_history`].
    pub history: Vec<HistoryEvent>,
    /// Events taken out of `history` so far (the engine stores them and lets them go).
    pub(super) history_taken: u64,
    /// False for executions whose history nobody reads (EXPRESS): events are only counted.
    pub(super) keep_history: bool,
    pub stop_time: Option<Millis>,
    /// States entered so far (AWS's billing unit, and the benchmark's).
    pub state_transitions: u64,
    /// Where a redrive resumes: the top-level state that was running when the execution
    /// ended unsuccessfully, and its input.
    pub(super) redrive_point: Option<RedrivePoint>,
    pub(super) frames: Vec<Option<Frame>>,
    pub(super) ready: VecDeque<FrameId>,
    pub(super) waits: HashMap<WaitId, Wake>,
    pub(super) next_wait: WaitId,
    pub(super) rng: SplitMix64,
    /// Set when the execution reached a limit of the interpreter's (its history is full, a
    /// step produced too much data): it fails at the next point the interpreter checks.
    pub(super) halted: Option<Halt>,
    /// When the longest-duration clock started (the start, or the last redrive).
    pub(super) duration_base: Millis,
}

impl Execution {
    pub(super) fn new(info: ExecutionInfo, input: Value, now: Millis, seed: u64) -> Self {
        Execution {
            info,
            input: Payload::new(input),
            status: Status::Running,
            output: None,
            failure: None,
            history: Vec::with_capacity(32),
            history_taken: 0,
            keep_history: true,
            stop_time: None,
            state_transitions: 0,
            redrive_point: None,
            frames: Vec::new(),
            ready: VecDeque::new(),
            waits: HashMap::new(),
            next_wait: 1,
            rng: SplitMix64(seed),
            halted: None,
            duration_base: now,
        }
    }

    /// Events recorded so far, taken or not: the last event's id.
    pub fn event_count(&self) -> u64 {
        self.history_taken + self.history.len() as u64
    }

    /// Takes the events recorded since the last call. Ids keep counting, so a long-lived
    /// execution holds only what has not been stored yet.
    pub fn take_history(&mut self) -> Vec<HistoryEvent> {
        self.history_taken += self.history.len() as u64;
        std::mem::take(&mut self.history)
    }

    /// Gives back spare capacity once the execution waits: a server holds many waiting
    /// executions, and the buffers sized for running them are mostly empty by then.
    pub fn shrink(&mut self) {
        self.history.shrink_to_fit();
        self.frames.shrink_to_fit();
        self.ready.shrink_to_fit();
        self.waits.shrink_to_fit();
    }

    /// Names of the states currently waiting on a task, for tools.
    pub fn waiting_tasks(&self) -> Vec<WaitId> {
        let mut v: Vec<WaitId> =
            self.waits.iter().filter(|(_, w)| matches!(w, Wake::Task(_))).map(|(k, _)| *k).collect();
        v.sort_unstable();
        v
    }
}

/// Why the interpreter stopped an execution of its own accord.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Halt {
    HistoryFull,
    StepTooLarge,
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

/// Where a redrive resumes: the top-level state that was running when the execution ended
/// unsuccessfully, its input and variables, and (a Parallel or Map) the results of the
/// branches or iterations that had succeeded, which are not run again.
#[derive(Debug, Clone)]
pub(super) struct RedrivePoint {
    pub state: StateId,
    pub input: Payload,
    pub vars: super::frame::Vars,
    pub kept: Option<Vec<Option<serde_json::Value>>>,
    /// The Map Run the state had started (a Distributed Map): redriven, not started anew.
    pub map_run: Option<String>,
}
