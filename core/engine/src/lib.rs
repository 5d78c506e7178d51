//! The durable engine: runs executions of stored state machines, journals every input of
//! the interpreter and every history event in the store before it acknowledges anything,
//! fires timers, hands tasks to workers, and after a restart rebuilds every running
//! execution by replaying its journal.
//!
//! One engine thread owns all live executions and the store's writer; callers talk to it
//! through [`Engine`], whose requests are applied in batches (one commit per batch).

//!
//! The engine thread's work is layered (see `docs/architecture.md`):
//! - [`request`]: what callers ask, and the [`Engine`] handle here that asks it;
//! - `run_loop`: takes requests in batches, commits once, carries out the effects;
//! - `requests/`: one handler per family of requests, applying it to the `state`;
//! - `commands` / `persist` / `recovery`: the interpreter's commands into bookkeeping,
//!   its output into the store, journals back into live executions;
//! - the parts of the state: `task_table`, `timers`, `machines` (definition cache),
//!   `names`, `effects` (what a batch leaves to do after its commit).

mod admin;
pub mod catalog;
mod commands;
mod config;
mod dispatch;
mod effects;
mod envelope;
mod error;
pub mod exec_logs;
mod express;
mod integrations;
mod live;
mod machines;
mod map_runs;
pub mod metrics;
mod names;
mod objects;
mod persist;
mod records;
mod recovery;
mod request;
mod requests;
mod retention;
mod run_loop;
mod state;
pub mod storage;
pub mod store;
mod task_table;
mod tasks;
mod timers;

pub use config::{EngineConfig, ObjectStoreConfig, Retention};
pub use dispatch::{Dispatcher, LocalTasks, Routes, StatusListener};
pub use envelope::TaskEnvelope;
pub use error::{AwsErrorType, DefinitionError, EngineError, ExecutionError, TaskError};
pub use recovery::{Divergence, NONDETERMINISM};
pub use request::TaskAnswer;
pub use tasks::{ActivityLoad, PendingTask, TaskBoard};

use crate::request::{Reply, Request};
use crate::storage::Storage;
use crate::store::{ActivityRecord, ExecutionRecord, MapRunRecord, StateMachineRecord, Store, StoreError};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use stepline_asl::clock::Clock;

/// A handle on the running engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Request>,
    store: Arc<dyn Storage>,
    /// The default dispatcher, which pollers read.
    local: Arc<dyn LocalTasks>,
    express: Arc<express::Express>,
    clock: Arc<dyn Clock>,
    /// Executions whose journal did not replay since the engine started.
    nondeterministic: Arc<AtomicU64>,
    thread: Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
}

/// An engine call's error as the error of its operation family.
fn narrow<T, E: From<EngineError>>(r: Result<T, EngineError>) -> Result<T, E> {
    r.map_err(E::from)
}

impl Engine {
    /// Opens the store under `config.data_dir`, resumes every running execution and
    /// starts the engine thread; `routes` says which dispatcher takes which activity's
    /// tasks (the bridge's `embedded::routes()` gives the in-process queues).
    pub fn open(config: EngineConfig, routes: Routes) -> Result<Engine, EngineError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| StoreError::DataDir { path: config.data_dir.clone(), source })?;
        let store = Arc::new(Store::open_with_cache(&config.data_dir.join("stepline.redb"), config.cache_bytes)?);
        Engine::open_on(config, store, routes)
    }

    /// Like [`Engine::open`], on a store of the caller's: another backend of the
    /// [`storage`] traits, or a test's. `config.data_dir` is not used.
    pub fn open_on(config: EngineConfig, store: Arc<dyn Storage>, routes: Routes) -> Result<Engine, EngineError> {
        let local = routes.local_tasks();
        let (tx, rx) = mpsc::channel();
        let clock = config.clock.clone();
        let seed = clock.now() as u64 ^ u64::from(std::process::id()).rotate_left(32);
        let express = Arc::new(express::Express::new(
            store.clone(),
            &config,
            seed,
            routes.listeners().to_vec(),
            routes.log_sinks().to_vec(),
        ));
        let nondeterministic = Arc::new(AtomicU64::new(0));
        let mut state =
            state::EngineState::new(config, store.clone(), routes, express.clone(), nondeterministic.clone())
                .recover()?;
        express.metrics.recovered.store(true, Ordering::Release);
        let thread = std::thread::Builder::new()
            .name("stepline-engine".into())
            .spawn(move || state.run(rx))
            .map_err(EngineError::Thread)?;
        Ok(Engine {
            tx,
            store,
            local,
            express,
            clock,
            nondeterministic,
            thread: Arc::new(std::sync::Mutex::new(Some(thread))),
        })
    }

    fn call<T: Send + 'static>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, EngineError> {
        let (tx, rx) = mpsc::sync_channel(1);
        let reply = Reply(Box::new(move |r| drop(tx.send(r))));
        self.tx.send(make(reply)).map_err(|_| EngineError::Stopped)?;
        rx.recv().map_err(|_| EngineError::Stopped)?
    }

    /// Queues a request; `done` runs on the engine thread once its batch has committed.
    fn submit<T: 'static>(
        &self,
        make: impl FnOnce(Reply<T>) -> Request,
        done: impl FnOnce(Result<T, EngineError>) + Send + 'static,
    ) {
        let request = make(Reply(Box::new(done)));
        if let Err(mpsc::SendError(request)) = self.tx.send(request) {
            run_loop::fail_all(vec![request], || EngineError::Stopped);
        }
    }

    /// [`Engine::answer_task`] without waiting: `done` gets the result after the commit
    /// (on the engine thread: it must not block).
    pub fn answer_task_then(
        &self,
        token: &str,
        answer: TaskAnswer,
        done: impl FnOnce(Result<(), TaskError>) + Send + 'static,
    ) {
        self.submit(|reply| Request::Answer { token: token.into(), answer, reply }, move |r| done(narrow(r)))
    }

    /// [`Engine::start_execution`] without waiting, for STANDARD machines: `done` gets the
    /// record after the commit (on the engine thread: it must not block). An EXPRESS
    /// machine runs on this thread and `done` is called before this returns.
    pub fn start_execution_then(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Value,
        done: impl FnOnce(Result<ExecutionRecord, ExecutionError>) + Send + 'static,
    ) {
        // A version or an alias: resolved here (a store read), then as any start.
        let target = match catalog::qualified::is_qualified(machine_arn) {
            true => match self.start_target(machine_arn) {
                Ok(t) => Some(t),
                Err(e) => return done(Err(e)),
            },
            false => None,
        };
        let latest_arn = target.as_ref().map_or(machine_arn, |t| t.machine.as_str());
        let express = self.express.with_latest(latest_arn, |l| l.record.kind == "EXPRESS");
        match express {
            Ok(false) => self.submit(
                |reply| Request::Start {
                    machine_arn: latest_arn.into(),
                    name: name.map(str::to_string),
                    input,
                    version: target.as_ref().and_then(|t| t.revision),
                    qualified: target.clone().map(Box::new),
                    test_case: None,
                    reply,
                },
                move |r| done(narrow(r)),
            ),
            Ok(true) => match target {
                Some(t) => done(self.start_qualified(t, name.map(str::to_string), input)),
                None => done(self.start_execution(machine_arn, name, input)),
            },
            Err(e) => done(Err(e.into())),
        }
    }

    pub fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
        kind: &str,
        role_arn: &str,
    ) -> Result<StateMachineRecord, DefinitionError> {
        let spec = catalog::records::MachineSpec {
            name: name.into(),
            definition: definition.into(),
            kind: kind.into(),
            role_arn: role_arn.into(),
            ..Default::default()
        };
        let made = self.create_state_machine_with(spec)?;
        made.machine.ok_or_else(|| DefinitionError::Engine(EngineError::Stopped))
    }

    /// Changes machine `arn`'s definition (a new revision).
    pub fn update_state_machine(&self, arn: &str, definition: &str) -> Result<StateMachineRecord, DefinitionError> {
        let change = catalog::records::MachineChange { definition: Some(definition.into()), ..Default::default() };
        let made = self.edit_catalog(catalog::records::CatalogEdit::Update { arn: arn.into(), change })?;
        made.machine.ok_or_else(|| DefinitionError::Engine(EngineError::Stopped))
    }

    pub fn delete_state_machine(&self, arn: &str) -> Result<(), DefinitionError> {
        narrow(self.call(|reply| Request::DeleteStateMachine { arn: arn.into(), reply }))
    }

    pub fn describe_state_machine(&self, arn: &str) -> Result<StateMachineRecord, DefinitionError> {
        self.store.state_machine(arn)?.ok_or_else(|| DefinitionError::StateMachineDoesNotExist(arn.into()))
    }

    pub fn list_state_machines(&self) -> Result<Vec<StateMachineRecord>, DefinitionError> {
        Ok(self.store.list_state_machines()?)
    }

    /// Starts an execution; returns once `ExecutionStarted` (and everything the execution
    /// did until its first wait) is durable.
    pub fn start_execution(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<ExecutionRecord, ExecutionError> {
        if catalog::qualified::is_qualified(machine_arn) {
            let target = self.start_target(machine_arn)?;
            return self.start_qualified(target, name.map(str::to_string), input);
        }
        let mut args = Some((name.map(str::to_string), input));
        let express = self.express.with_latest(machine_arn, |latest| {
            if latest.record.kind != "EXPRESS" {
                return None;
            }
            let (name, input) = args.take()?;
            Some(self.express.start(latest, name, input, None, None))
        })?;
        if let Some(started) = express {
            let (record, waiting) = started?;
            if let Some(waiting) = waiting {
                self.tx
                    .send(Request::AdoptExpress { waiting: Box::new(waiting), reply: None })
                    .map_err(|_| EngineError::Stopped)?;
            }
            return Ok(record);
        }
        let (name, input) = args.ok_or(EngineError::Stopped)?;
        narrow(self.call(|reply| Request::Start {
            machine_arn: machine_arn.into(),
            name,
            input,
            version: None,
            qualified: None,
            test_case: None,
            reply,
        }))
    }

    /// Starts a new execution with the input of `arn`, on the definition version that
    /// execution ran, or on the latest one.
    pub fn replay_execution(&self, arn: &str, latest: bool) -> Result<ExecutionRecord, ExecutionError> {
        let old = self.describe_execution(arn)?;
        if self.express.latest(&old.state_machine_arn)?.record.kind == "EXPRESS" {
            // EXPRESS versions are not looked up by number: a replay runs the latest.
            return self.start_execution(&old.state_machine_arn, None, Value::clone(&old.input));
        }
        let version = (!latest).then_some(old.state_machine_version);
        narrow(self.call(|reply| Request::Start {
            machine_arn: old.state_machine_arn,
            name: None,
            input: Value::clone(&old.input),
            version,
            qualified: None,
            test_case: old.test_case,
            reply,
        }))
    }

    /// Starts a STANDARD execution whose tasks are answered by a test case of the mock
    /// config (AWS Step Functions Local's `<arn>#<TestCase>`); states the test case does
    /// not name go to workers as usual.
    pub fn start_test_case(
        &self,
        machine_arn: &str,
        test_case: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<ExecutionRecord, ExecutionError> {
        narrow(self.call(|reply| Request::Start {
            machine_arn: machine_arn.into(),
            name: name.map(str::to_string),
            input,
            version: None,
            qualified: None,
            test_case: Some(test_case.into()),
            reply,
        }))
    }

    pub fn describe_execution(&self, arn: &str) -> Result<ExecutionRecord, ExecutionError> {
        match self.store.execution(arn)? {
            Some(r) => Ok(r),
            None => self.express.describe(arn).ok_or_else(|| ExecutionError::ExecutionDoesNotExist(arn.into())),
        }
    }

    /// A Map Run as last committed.
    pub fn describe_map_run(&self, arn: &str) -> Result<MapRunRecord, ExecutionError> {
        self.store.map_run(arn)?.ok_or_else(|| ExecutionError::MapRunDoesNotExist(arn.into()))
    }

    /// `UpdateMapRun`: changes a running Map Run's concurrency or tolerated failures.
    pub fn update_map_run(
        &self,
        arn: &str,
        change: crate::store::MapRunChange,
    ) -> Result<MapRunRecord, ExecutionError> {
        narrow(self.call(|reply| Request::UpdateMapRun { arn: arn.into(), change, reply }))
    }

    /// The Map Runs an execution started, oldest first.
    pub fn list_map_runs(&self, execution_arn: &str) -> Result<Vec<MapRunRecord>, ExecutionError> {
        if self.store.execution(execution_arn)?.is_none() {
            return Err(ExecutionError::ExecutionDoesNotExist(execution_arn.into()));
        }
        Ok(self.store.map_runs_of(execution_arn)?)
    }

    /// A Map Run's STANDARD children from index `from`, at most `limit`, in index order
    /// (EXPRESS children are not kept, as at AWS).
    pub fn map_run_executions(
        &self,
        arn: &str,
        from: u64,
        limit: usize,
    ) -> Result<Vec<(u64, ExecutionRecord)>, ExecutionError> {
        self.describe_map_run(arn)?;
        let mut out = Vec::new();
        for (index, child) in self.store.map_run_children(arn, from, limit)? {
            if let Some(r) = self.store.execution(&child)? {
                out.push((index, r));
            }
        }
        Ok(out)
    }

    /// Newest first: stored executions merged with the EXPRESS ones still in memory.
    pub fn list_executions(
        &self,
        machine: Option<&str>,
        status: Option<stepline_asl::interp::Status>,
        limit: usize,
        before: Option<(i64, &str)>,
    ) -> Result<Vec<ExecutionRecord>, ExecutionError> {
        let mut stored = self.store.list_executions(machine, status, limit, before)?;
        let express = self.express.list(machine, status, limit, before);
        if express.is_empty() {
            return Ok(stored);
        }
        stored.extend(express);
        stored.sort_by(|a, b| (b.start, &b.arn).cmp(&(a.start, &a.arn)));
        stored.truncate(limit);
        Ok(stored)
    }

    /// Stored executions in start order that `keep` accepts, a bounded read at a time
    /// (searches over the whole store). EXPRESS summaries are not included.
    pub fn scan_executions(
        &self,
        query: &crate::store::ScanQuery,
        keep: &mut dyn FnMut(&crate::store::ExecutionFacts) -> bool,
    ) -> Result<crate::store::Scan, ExecutionError> {
        Ok(self.store.scan_executions(query, keep)?)
    }

    /// How many stored executions are in each status, per state machine.
    pub fn execution_counts(&self) -> Result<Vec<(String, stepline_asl::interp::Status, u64)>, ExecutionError> {
        Ok(self.store.counts()?)
    }

    /// History events in AWS's JSON shape, `timestamp` as integer milliseconds since the epoch.
    pub fn history(&self, arn: &str, after: u64, limit: usize, reverse: bool) -> Result<Vec<Value>, ExecutionError> {
        if self.store.execution(arn)?.is_none() {
            // EXPRESS executions keep a summary only, as at AWS.
            return Err(match self.express.describe(arn) {
                Some(_) => ExecutionError::StateMachineTypeNotSupported(arn.into()),
                None => ExecutionError::ExecutionDoesNotExist(arn.into()),
            });
        }
        Ok(self.store.history(arn, after, limit, reverse)?)
    }

    pub fn stop_execution(
        &self,
        arn: &str,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<ExecutionRecord, ExecutionError> {
        narrow(self.call(|reply| Request::Stop {
            arn: arn.into(),
            error: error.map(str::to_string),
            cause: cause.map(str::to_string),
            reply,
        }))
    }

    /// Runs an EXPRESS execution in memory and returns when it has ended; one that never
    /// waits runs entirely on the caller's thread.
    pub fn start_sync_execution(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<ExecutionRecord, ExecutionError> {
        let (record, waiting) = if catalog::qualified::is_qualified(machine_arn) {
            let target = self.start_target(machine_arn)?;
            let pinned = self.express.pinned(&target.machine, target.revision.unwrap_or_default())?;
            if pinned.record.kind != "EXPRESS" {
                return Err(ExecutionError::StateMachineTypeNotSupported(machine_arn.into()));
            }
            self.express.start(&pinned, name.map(str::to_string), input, None, Some(&target))?
        } else {
            self.express.with_latest(machine_arn, |latest| {
                if latest.record.kind != "EXPRESS" {
                    return Err(EngineError::StateMachineTypeNotSupported(machine_arn.into()));
                }
                self.express.start(latest, name.map(str::to_string), input, None, None)
            })??
        };
        match waiting {
            None => Ok(record),
            Some(waiting) => {
                narrow(self.call(|reply| Request::AdoptExpress { waiting: Box::new(waiting), reply: Some(reply) }))
            }
        }
    }

    /// Creates an activity (idempotent by name).
    pub fn create_activity(&self, name: &str) -> Result<ActivityRecord, DefinitionError> {
        self.create_activity_tagged(name, vec![])
    }

    /// `CreateActivity` with its tags.
    pub fn create_activity_tagged(
        &self,
        name: &str,
        tags: Vec<catalog::records::Tag>,
    ) -> Result<ActivityRecord, DefinitionError> {
        narrow(self.call(|reply| Request::CreateActivity { name: name.into(), tags, reply }))
    }

    pub fn delete_activity(&self, arn: &str) -> Result<(), DefinitionError> {
        narrow(self.call(|reply| Request::DeleteActivity { arn: arn.into(), reply }))
    }

    pub fn describe_activity(&self, arn: &str) -> Result<ActivityRecord, DefinitionError> {
        self.store.activity(arn)?.ok_or_else(|| DefinitionError::ActivityDoesNotExist(arn.into()))
    }

    pub fn list_activities(&self) -> Result<Vec<ActivityRecord>, DefinitionError> {
        Ok(self.store.list_activities()?)
    }

    /// Resumes a FAILED, TIMED_OUT or ABORTED execution where it stopped.
    pub fn redrive_execution(&self, arn: &str) -> Result<ExecutionRecord, ExecutionError> {
        narrow(self.call(|reply| Request::Redrive { arn: arn.into(), reply }))
    }

    pub fn answer_task(&self, token: &str, answer: TaskAnswer) -> Result<(), TaskError> {
        narrow(self.call(|reply| Request::Answer { token: token.into(), answer, reply }))
    }

    /// The tasks waiting for a worker's or a callback's answer, and the load per activity.
    pub fn pending_tasks(&self) -> Result<TaskBoard, TaskError> {
        narrow(self.call(|reply| Request::Tasks { reply }))
    }

    /// Runs one task outside any execution: its worker gets it as usual (in process or on
    /// the bus) and its answer comes back, or `States.Timeout` after `timeout`.
    pub fn run_task(
        &self,
        req: &stepline_asl::interp::TaskRequest,
        timeout: Duration,
    ) -> Result<TaskAnswer, TaskError> {
        let route = req.route();
        let (activity, input, wrap_lambda) = (route.activity, route.payload, route.wrap);
        let mut task = TaskEnvelope::of(req, req.token.clone(), activity, input, None);
        task.timeout_seconds = Some(timeout.as_secs().max(1));
        let deadline = self.clock.now() + timeout.as_millis() as stepline_asl::time::Millis;
        let answer = self.call(|reply| Request::DetachedTask { task, deadline, reply })?;
        Ok(match answer {
            TaskAnswer::Success(v) if wrap_lambda => TaskAnswer::Success(stepline_asl::model::lambda_response(v)),
            other => other,
        })
    }

    /// Waits up to `timeout` for a task of `activity` (AWS's `GetActivityTask`).
    pub fn poll_task(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope> {
        self.local.poll(activity, timeout)
    }

    /// Tasks waiting in the default dispatcher for a poller, per activity.
    pub fn local_depth(&self) -> std::collections::HashMap<String, usize> {
        self.local.depth()
    }

    /// The largest execution input, state output or task result this engine takes, in
    /// bytes (`EngineConfig::max_payload`), so the control API can take as much.
    pub fn max_payload(&self) -> usize {
        self.express.max_payload()
    }

    /// The time by the engine's clock (the wall clock, or a test's).
    pub fn now(&self) -> stepline_asl::time::Millis {
        self.clock.now()
    }

    /// How many executions' journals did not replay since the engine started (each was
    /// failed with [`NONDETERMINISM`]).
    pub fn nondeterministic_replays(&self) -> u64 {
        self.nondeterministic.load(Ordering::Relaxed)
    }

    /// Has the engine thread run a batch now: timers due by the engine's clock fire (a
    /// test moves its clock on, then wakes the engine, instead of sleeping).
    pub fn wake(&self) {
        let _ = self.tx.send(Request::Tick);
    }

    /// Stops the engine thread after the batch in progress; durable state is untouched.
    pub fn shutdown(&self) {
        let _ = self.tx.send(Request::Shutdown);
        if let Some(t) = self.thread.lock().ok().and_then(|mut g| g.take()) {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
