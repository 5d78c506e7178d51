//! One thread of an execution: the top-level machine, a Parallel branch or a Map iteration.

use super::errors::Failure;
use super::events::WaitId;
use crate::model::StateId;
use crate::time::Millis;
use serde_json::{Map, Value};

pub type FrameId = usize;

/// Where a frame stands in its current state.
#[derive(Debug, Clone)]
pub enum Phase {
    /// About to record `...StateEntered` and run the state.
    Enter,
    /// Run (or re-run, after a retry delay) the state's work; the state was entered.
    Act,
    /// Waiting for a worker's answer; `timers` are its timeout and heartbeat timers.
    WaitingTask {
        timers: Vec<WaitId>,
    },
    WaitingTimer,
    WaitingChildren(Box<Children>),
    /// The state's work finished (a task answered, the children ended, a Wait elapsed);
    /// the frame resumes with this to process the result.
    Completed(Result<Value, Failure>),
    Done,
}

/// The branches or iterations of a Parallel or Map state.
#[derive(Debug, Clone)]
pub struct Children {
    pub is_map: bool,
    pub inputs: Vec<Option<crate::history::Payload>>,
    pub results: Vec<Option<Value>>,
    /// How many children run now (their frames name this frame as parent).
    pub running: usize,
    pub next: usize,
    pub done: usize,
    pub failed: usize,
    /// Which children succeeded (`results` also holds the outputs of tolerated failures).
    pub succeeded: Vec<bool>,
    pub max_concurrency: usize,
    pub tolerated_count: Option<u64>,
    pub tolerated_percentage: Option<f64>,
}

/// A frame's variables: none until a state assigns one (most executions never do, and
/// pay nothing for them), shared with the frames they were copied to and copied on write.
pub type Vars = Option<std::sync::Arc<Map<String, Value>>>;

static NO_VARS: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

#[derive(Debug, Clone)]
pub struct Frame {
    pub state: StateId,
    /// The raw input of the current state.
    pub input: crate::history::Payload,
    /// Shared with the frames it was copied to (a Map's iterations): copied on write.
    pub vars: Vars,
    /// Parent frame and this frame's index among its siblings.
    pub parent: Option<(FrameId, usize)>,
    /// `$$.Map.Item` for a Map iteration.
    pub map_item: Option<(usize, crate::history::Payload)>,
    pub entered_event: u64,
    pub entered_time: Millis,
    pub last_event: u64,
    /// `$$.State.RetryCount`: attempts retried so far in the current state.
    pub retry_count: u32,
    /// Retries used per retrier of the current state.
    pub attempts: Vec<u32>,
    pub phase: Phase,
    pub task_token: Option<String>,
    /// The items of the Map state this frame is running, for `$$.Map.Item.Value`.
    pub map_items: Option<Vec<crate::history::Payload>>,
    /// Events of a silent frame are not recorded: the iterations of a distributed Map
    /// run as child executions with their own histories.
    pub silent: bool,
    /// The current Parallel/Map state failed because a child failed: its `...StateFailed`
    /// event is due unless a retry follows.
    pub children_failed: bool,
    /// The results of the branches or iterations that succeeded, by index, when the
    /// current Parallel/Map state failed: what a redrive keeps instead of running again.
    pub kept: Option<Vec<Option<Value>>>,
    /// Set by a redrive: the children whose results are kept (`Some`) are not run again.
    pub resume: Option<Vec<Option<Value>>>,
    /// The Map Run the current state started (a Distributed Map run by the driver).
    pub map_run: Option<String>,
    /// Set by a redrive: the Map Run the state redrives instead of starting a new one.
    pub resume_map_run: Option<String>,
}

impl Children {
    /// The results of the children that succeeded so far, by index.
    pub fn successes(&self) -> Vec<Option<Value>> {
        self.results.iter().zip(&self.succeeded).map(|(r, ok)| if *ok { r.clone() } else { None }).collect()
    }
}

impl Frame {
    /// The variables in scope.
    pub fn vars(&self) -> &Map<String, Value> {
        self.vars.as_deref().unwrap_or(&NO_VARS)
    }

    /// The variables, to assign to (a copy of its own if another frame shares them).
    pub fn vars_mut(&mut self) -> &mut Map<String, Value> {
        std::sync::Arc::make_mut(self.vars.get_or_insert_with(Default::default))
    }

    /// A frame about to enter `state` with `input`; `last_event` is the event its first
    /// one follows.
    pub fn new(state: StateId, input: crate::history::Payload, vars: Vars, last_event: u64, now: Millis) -> Frame {
        Frame {
            state,
            input,
            vars,
            parent: None,
            map_item: None,
            entered_event: 0,
            entered_time: now,
            last_event,
            retry_count: 0,
            attempts: Vec::new(),
            phase: Phase::Enter,
            task_token: None,
            map_items: None,
            silent: false,
            children_failed: false,
            kept: None,
            resume: None,
            map_run: None,
            resume_map_run: None,
        }
    }
}
