//! What the engine thread holds, in parts: the live executions, the task table, the
//! timers, the definition cache, the names it hands out, and the effects the batch in
//! progress has collected.

use crate::config::EngineConfig;
use crate::dispatch::Routes;
use crate::effects::Effects;
use crate::express::Express;
use crate::integrations::call::{ChildLink, PendingCall};
use crate::live::Live;
use crate::machines::Machines;
use crate::names::Names;
use crate::request::{Reply, TaskAnswer};
use crate::storage::Storage;
use crate::store::ExecutionRecord;
use crate::task_table::TaskTable;
use crate::timers::Timers;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use stepline_asl::clock::Clock;

pub(crate) struct EngineState {
    pub config: EngineConfig,
    pub clock: Arc<dyn Clock>,
    pub store: Arc<dyn Storage>,
    pub dispatch: Routes,
    pub express: Arc<Express>,
    pub machines: Machines,
    pub live: HashMap<String, Live>,
    pub tasks: TaskTable,
    pub timers: Timers,
    pub names: Names,
    pub effects: Effects,
    /// `StartSyncExecution` callers waiting for their EXPRESS execution to end.
    pub sync_waiters: HashMap<String, Reply<ExecutionRecord>>,
    /// Answers applied in the batch that produced them: of mocked tasks (`--mock-config`)
    /// and of the engine's own calls (a child's start or end, an SDK call).
    pub held_answers: Vec<(String, TaskAnswer)>,
    /// Executions started in this batch under a given name: not yet visible in the store,
    /// and perhaps no longer live, but a second start with the name must find them.
    pub named_in_batch: HashMap<String, ExecutionRecord>,
    /// Running executions whose summary this batch changed, with the status the store
    /// holds for each: written once before the commit (`persist.rs`).
    pub unwritten: indexmap::IndexMap<String, Option<stepline_asl::interp::Status>>,
    /// Engine calls scheduled and not yet made (`integrations/`).
    pub calls: Vec<PendingCall>,
    /// `.sync` tasks waiting on a child: token -> the child.
    pub children: HashMap<String, ChildLink>,
    /// The same links the other way: child ARN -> the waiting task's token.
    pub child_waiters: HashMap<String, String>,
    /// Map Runs running: ARN -> the run (`map_runs/`).
    pub map_runs: HashMap<String, crate::map_runs::live::LiveMapRun>,
    /// Map Runs asked for and not yet opened: (parent execution, request).
    pub map_run_starts: Vec<(String, Box<stepline_asl::interp::MapRunRequest>)>,
    /// Children of Map Runs that ended and are not yet counted.
    pub map_run_ended: Vec<crate::map_runs::live::ChildEnd>,
    /// Children Map Runs may still start in this batch.
    pub map_run_budget: usize,
    /// Set while the store refuses writes.
    pub degraded: Option<Degraded>,
    /// Executions whose journal no longer replays (see `recovery.rs`), since the start.
    pub nondeterministic: Arc<AtomicU64>,
    /// Activities of tasks withdrawn by the step being applied: a timeout among its
    /// events is counted against them (`persist.rs`).
    pub cancelled: Vec<String>,
    /// When history retention may prune next (`retention.rs`).
    pub next_prune: stepline_asl::time::Millis,
}

impl EngineState {
    pub(crate) fn new(
        config: EngineConfig,
        store: Arc<dyn Storage>,
        dispatch: Routes,
        express: Arc<Express>,
        nondeterministic: Arc<AtomicU64>,
    ) -> EngineState {
        let clock = config.clock.clone();
        let seed = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_i64(clock.now());
            h.finish()
        };
        EngineState {
            names: Names::new(&config.region, &config.account, seed),
            config,
            clock,
            store,
            dispatch,
            express,
            machines: Machines::default(),
            live: HashMap::new(),
            tasks: TaskTable::default(),
            timers: Timers::default(),
            effects: Effects::default(),
            sync_waiters: HashMap::new(),
            held_answers: Vec::new(),
            named_in_batch: HashMap::new(),
            unwritten: indexmap::IndexMap::new(),
            calls: Vec::new(),
            children: HashMap::new(),
            child_waiters: HashMap::new(),
            map_runs: HashMap::new(),
            map_run_starts: Vec::new(),
            map_run_ended: Vec::new(),
            map_run_budget: 0,
            degraded: None,
            nondeterministic,
            cancelled: Vec::new(),
            next_prune: 0,
        }
    }
}

/// The engine refuses work after a failed write, until the store takes writes again.
pub(crate) struct Degraded {
    pub reason: String,
    pub retry_at: std::time::Instant,
}
