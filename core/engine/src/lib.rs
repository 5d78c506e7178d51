//! The durable engine: runs executions of stored state machines, journals every input of
//! the interpreter and every history event in the store before it acknowledges anything,
//! fires timers, hands tasks to workers, and after a restart rebuilds every running
//! execution by replaying its journal.
//!
//! One engine thread owns all live executions and the store's writer; callers talk to it
//! through [`Engine`], whose requests are applied in batches (one commit per batch).

mod dispatch;
mod express;
mod live;
mod queues;
mod run_loop;
pub mod store;
mod tasks;

pub use dispatch::{Dispatcher, Routes, StatusListener};
pub use queues::{TaskEnvelope, TaskQueues};
pub use tasks::{ActivityLoad, PendingTask, TaskBoard};

use crate::store::{ActivityRecord, ExecutionRecord, StateMachineRecord, Store, StoreError};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Errors a control-API caller can get, named after AWS's error types.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    #[error("State Machine Already Exists: '{0}'")]
    StateMachineAlreadyExists(String),
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    #[error("Invalid State Machine Definition: '{0}'")]
    InvalidDefinition(String),
    #[error("Invalid Name: '{0}'")]
    InvalidName(String),
    #[error("Invalid Execution Input: {0}")]
    InvalidExecutionInput(String),
    #[error("Execution Not Redrivable: '{0}'")]
    ExecutionNotRedrivable(String),
    #[error("Activity Does Not Exist: '{0}'")]
    ActivityDoesNotExist(String),
    #[error("This operation is not supported by this type of state machine: '{0}'")]
    StateMachineTypeNotSupported(String),
    #[error("Task Does Not Exist")]
    TaskDoesNotExist,
    #[error("Execution is not running: '{0}'")]
    ExecutionNotRunning(String),
    #[error("{0}")]
    TestCase(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store refused a write (a full disk, an I/O error): nothing of the request was
    /// kept, and the engine takes work again by itself once writes succeed.
    #[error("{0}; try again later")]
    Unavailable(String),
    #[error("the engine has stopped")]
    Stopped,
}

impl EngineError {
    /// AWS's `__type` for this error.
    pub fn aws_type(&self) -> &'static str {
        match self {
            EngineError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
            EngineError::StateMachineAlreadyExists(_) => "StateMachineAlreadyExists",
            EngineError::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
            EngineError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
            EngineError::InvalidDefinition(_) => "InvalidDefinition",
            EngineError::InvalidName(_) => "InvalidName",
            EngineError::InvalidExecutionInput(_) => "InvalidExecutionInput",
            EngineError::TaskDoesNotExist => "TaskDoesNotExist",
            EngineError::StateMachineTypeNotSupported(_) => "StateMachineTypeNotSupported",
            EngineError::ActivityDoesNotExist(_) => "ActivityDoesNotExist",
            EngineError::ExecutionNotRedrivable(_) => "ExecutionNotRedrivable",
            EngineError::ExecutionNotRunning(_) => "ExecutionDoesNotExist",
            EngineError::TestCase(_) => "ValidationException",
            EngineError::Unavailable(_) => "ServiceUnavailable",
            EngineError::Store(e) if e.needs_reopen() || e.is_no_space() => "ServiceUnavailable",
            EngineError::Store(_) | EngineError::Stopped => "InternalFailure",
        }
    }
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Directory holding `stepline.redb`.
    pub data_dir: PathBuf,
    /// Most requests applied in one commit.
    pub max_batch: usize,
    pub region: String,
    pub account: String,
    /// Largest execution input, state output or task result in bytes.
    pub max_payload: usize,
    /// How many EXPRESS execution summaries are kept in memory.
    pub express_summaries: usize,
    /// The store's page cache in bytes.
    pub cache_bytes: usize,
    /// Most history events per execution (AWS: 25,000).
    pub max_history_events: u64,
    /// Longest a STANDARD execution may run, in seconds (AWS: one year).
    pub max_standard_seconds: u64,
    /// Longest an EXPRESS execution may run, in seconds (AWS: five minutes).
    pub max_express_seconds: u64,
    /// AWS Step Functions Local's mock config: `StartExecution` on `<arn>#<TestCase>`
    /// runs with that test case's mocked task results.
    pub mock_config: Option<Arc<stepline_asl::testing::MockConfig>>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            data_dir: PathBuf::from("data"),
            max_batch: 512,
            region: "us-east-1".into(),
            account: "000000000000".into(),
            max_payload: stepline_asl::interp::MAX_PAYLOAD_BYTES,
            express_summaries: 10_000,
            cache_bytes: crate::store::DEFAULT_CACHE_BYTES,
            mock_config: None,
            max_history_events: stepline_asl::model::MAX_HISTORY_EVENTS,
            max_standard_seconds: stepline_asl::model::MAX_STANDARD_SECONDS,
            max_express_seconds: stepline_asl::model::MAX_EXPRESS_SECONDS,
        }
    }
}

impl EngineConfig {
    /// Gives a compiled machine the limits this engine runs executions under.
    pub(crate) fn limit(&self, m: &mut stepline_asl::model::StateMachine, kind: stepline_asl::model::MachineType) {
        m.max_payload = self.max_payload;
        m.max_history_events = self.max_history_events;
        m.max_duration_seconds = Some(match kind {
            stepline_asl::model::MachineType::Express => self.max_express_seconds,
            stepline_asl::model::MachineType::Standard => self.max_standard_seconds,
        });
    }
}

/// How a worker answered a task.
#[derive(Debug, Clone)]
pub enum TaskAnswer {
    Success(Value),
    Failure { error: String, cause: String },
    Heartbeat,
}

/// How the engine thread answers a request once its batch has committed: a blocking
/// caller waits on a channel; an async caller (a bus bridge) passes a callback and does
/// not tie up a thread.
pub(crate) struct Reply<T>(Box<dyn FnOnce(Result<T, EngineError>) + Send>);

impl<T> Reply<T> {
    pub(crate) fn send(self, result: Result<T, EngineError>) {
        (self.0)(result)
    }
}

pub(crate) enum Request {
    CreateStateMachine {
        name: String,
        definition: String,
        kind: String,
        role_arn: String,
        reply: Reply<StateMachineRecord>,
    },
    UpdateStateMachine {
        arn: String,
        definition: String,
        reply: Reply<StateMachineRecord>,
    },
    DeleteStateMachine {
        arn: String,
        reply: Reply<()>,
    },
    Start {
        machine_arn: String,
        name: Option<String>,
        input: Value,
        /// The definition version to run; the latest when absent.
        version: Option<u32>,
        /// A test case of the mock config whose mocked results answer its tasks.
        test_case: Option<String>,
        reply: Reply<ExecutionRecord>,
    },
    Answer {
        token: String,
        answer: TaskAnswer,
        reply: Reply<()>,
    },
    Stop {
        arn: String,
        error: Option<String>,
        cause: Option<String>,
        reply: Reply<ExecutionRecord>,
    },
    Redrive {
        arn: String,
        reply: Reply<ExecutionRecord>,
    },
    /// An EXPRESS execution that started on a caller's thread and now waits; with a reply
    /// when its caller waits for the end (`StartSyncExecution`).
    AdoptExpress {
        waiting: Box<express::Waiting>,
        reply: Option<Reply<ExecutionRecord>>,
    },
    CreateActivity {
        name: String,
        reply: Reply<ActivityRecord>,
    },
    DeleteActivity {
        arn: String,
        reply: Reply<()>,
    },
    /// The outstanding tasks, for operators.
    Tasks {
        reply: Reply<TaskBoard>,
    },
    /// A task outside any execution (`TestState` of a Task with no mock): handed to its
    /// worker like any other; the answer, or `States.Timeout` at the deadline, is the reply.
    DetachedTask {
        task: TaskEnvelope,
        deadline: stepline_asl::time::Millis,
        reply: Reply<TaskAnswer>,
    },
    Shutdown,
}

/// A handle on the running engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Request>,
    store: Arc<Store>,
    queues: Arc<TaskQueues>,
    express: Arc<express::Express>,
    thread: Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
}

impl Engine {
    /// Opens the store under `config.data_dir`, resumes every running execution and
    /// starts the engine thread. Every task goes to the in-process queues.
    pub fn open(config: EngineConfig) -> Result<Engine, EngineError> {
        Engine::open_with(config, Routes::local)
    }

    /// Like [`Engine::open`], with tasks of some activities sent elsewhere: `routes` gets
    /// the in-process queues and says which dispatcher takes which activity.
    pub fn open_with(
        config: EngineConfig,
        routes: impl FnOnce(Arc<TaskQueues>) -> Routes,
    ) -> Result<Engine, EngineError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| StoreError::DataDir { path: config.data_dir.clone(), source })?;
        let store = Arc::new(Store::open_with_cache(&config.data_dir.join("stepline.redb"), config.cache_bytes)?);
        let queues = Arc::new(TaskQueues::default());
        let (tx, rx) = mpsc::channel();
        let seed = run_loop::wall_now() as u64 ^ u64::from(std::process::id()).rotate_left(32);
        let routes = routes(queues.clone());
        let express = Arc::new(express::Express::new(store.clone(), &config, seed, routes.listeners().to_vec()));
        let mut state = run_loop::EngineState::recover(config, store.clone(), routes, express.clone())?;
        let thread = std::thread::Builder::new()
            .name("stepline-engine".into())
            .spawn(move || state.run(rx))
            .map_err(|_| EngineError::Stopped)?;
        Ok(Engine { tx, store, queues, express, thread: Arc::new(std::sync::Mutex::new(Some(thread))) })
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
        done: impl FnOnce(Result<(), EngineError>) + Send + 'static,
    ) {
        self.submit(|reply| Request::Answer { token: token.into(), answer, reply }, done)
    }

    /// [`Engine::start_execution`] without waiting, for STANDARD machines: `done` gets the
    /// record after the commit (on the engine thread: it must not block). An EXPRESS
    /// machine runs on this thread and `done` is called before this returns.
    pub fn start_execution_then(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Value,
        done: impl FnOnce(Result<ExecutionRecord, EngineError>) + Send + 'static,
    ) {
        let express = self.express.with_latest(machine_arn, |l| l.record.kind == "EXPRESS");
        match express {
            Ok(false) => self.submit(
                |reply| Request::Start {
                    machine_arn: machine_arn.into(),
                    name: name.map(str::to_string),
                    input,
                    version: None,
                    test_case: None,
                    reply,
                },
                done,
            ),
            Ok(true) => done(self.start_execution(machine_arn, name, input)),
            Err(e) => done(Err(e)),
        }
    }

    pub fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
        kind: &str,
        role_arn: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        self.call(|reply| Request::CreateStateMachine {
            name: name.into(),
            definition: definition.into(),
            kind: kind.into(),
            role_arn: role_arn.into(),
            reply,
        })
    }

    pub fn update_state_machine(&self, arn: &str, definition: &str) -> Result<StateMachineRecord, EngineError> {
        self.call(|reply| Request::UpdateStateMachine { arn: arn.into(), definition: definition.into(), reply })
    }

    pub fn delete_state_machine(&self, arn: &str) -> Result<(), EngineError> {
        self.call(|reply| Request::DeleteStateMachine { arn: arn.into(), reply })
    }

    pub fn describe_state_machine(&self, arn: &str) -> Result<StateMachineRecord, EngineError> {
        self.store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))
    }

    pub fn list_state_machines(&self) -> Result<Vec<StateMachineRecord>, EngineError> {
        Ok(self.store.list_state_machines()?)
    }

    /// Starts an execution; returns once `ExecutionStarted` (and everything the execution
    /// did until its first wait) is durable.
    pub fn start_execution(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<ExecutionRecord, EngineError> {
        let mut args = Some((name.map(str::to_string), input));
        let express = self.express.with_latest(machine_arn, |latest| {
            if latest.record.kind != "EXPRESS" {
                return None;
            }
            let (name, input) = args.take()?;
            Some(self.express.start(latest, name, input))
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
        self.call(|reply| Request::Start {
            machine_arn: machine_arn.into(),
            name,
            input,
            version: None,
            test_case: None,
            reply,
        })
    }

    /// Starts a new execution with the input of `arn`, on the definition version that
    /// execution ran, or on the latest one.
    pub fn replay_execution(&self, arn: &str, latest: bool) -> Result<ExecutionRecord, EngineError> {
        let old = self.describe_execution(arn)?;
        if self.express.latest(&old.state_machine_arn)?.record.kind == "EXPRESS" {
            // EXPRESS versions are not looked up by number: a replay runs the latest.
            return self.start_execution(&old.state_machine_arn, None, Value::clone(&old.input));
        }
        let version = (!latest).then_some(old.state_machine_version);
        self.call(|reply| Request::Start {
            machine_arn: old.state_machine_arn,
            name: None,
            input: Value::clone(&old.input),
            version,
            test_case: old.test_case,
            reply,
        })
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
    ) -> Result<ExecutionRecord, EngineError> {
        self.call(|reply| Request::Start {
            machine_arn: machine_arn.into(),
            name: name.map(str::to_string),
            input,
            version: None,
            test_case: Some(test_case.into()),
            reply,
        })
    }

    pub fn describe_execution(&self, arn: &str) -> Result<ExecutionRecord, EngineError> {
        match self.store.execution(arn)? {
            Some(r) => Ok(r),
            None => self.express.describe(arn).ok_or_else(|| EngineError::ExecutionDoesNotExist(arn.into())),
        }
    }

    /// Newest first: stored executions merged with the EXPRESS ones still in memory.
    pub fn list_executions(
        &self,
        machine: Option<&str>,
        status: Option<stepline_asl::interp::Status>,
        limit: usize,
        before: Option<(i64, &str)>,
    ) -> Result<Vec<ExecutionRecord>, EngineError> {
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
    ) -> Result<crate::store::Scan, EngineError> {
        Ok(self.store.scan_executions(query, keep)?)
    }

    /// How many stored executions are in each status, per state machine.
    pub fn execution_counts(&self) -> Result<Vec<(String, stepline_asl::interp::Status, u64)>, EngineError> {
        Ok(self.store.counts()?)
    }

    /// History events in AWS's JSON shape.
    pub fn history(&self, arn: &str, after: u64, limit: usize, reverse: bool) -> Result<Vec<Value>, EngineError> {
        if self.store.execution(arn)?.is_none() {
            // EXPRESS executions keep a summary only, as at AWS.
            return Err(match self.express.describe(arn) {
                Some(_) => EngineError::StateMachineTypeNotSupported(arn.into()),
                None => EngineError::ExecutionDoesNotExist(arn.into()),
            });
        }
        Ok(self.store.history(arn, after, limit, reverse)?)
    }

    pub fn stop_execution(
        &self,
        arn: &str,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<ExecutionRecord, EngineError> {
        self.call(|reply| Request::Stop {
            arn: arn.into(),
            error: error.map(str::to_string),
            cause: cause.map(str::to_string),
            reply,
        })
    }

    /// Runs an EXPRESS execution in memory and returns when it has ended; one that never
    /// waits runs entirely on the caller's thread.
    pub fn start_sync_execution(
        &self,
        machine_arn: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<ExecutionRecord, EngineError> {
        let (record, waiting) = self.express.with_latest(machine_arn, |latest| {
            if latest.record.kind != "EXPRESS" {
                return Err(EngineError::StateMachineTypeNotSupported(machine_arn.into()));
            }
            self.express.start(latest, name.map(str::to_string), input)
        })??;
        match waiting {
            None => Ok(record),
            Some(waiting) => {
                self.call(|reply| Request::AdoptExpress { waiting: Box::new(waiting), reply: Some(reply) })
            }
        }
    }

    /// Creates an activity (idempotent by name).
    pub fn create_activity(&self, name: &str) -> Result<ActivityRecord, EngineError> {
        self.call(|reply| Request::CreateActivity { name: name.into(), reply })
    }

    pub fn delete_activity(&self, arn: &str) -> Result<(), EngineError> {
        self.call(|reply| Request::DeleteActivity { arn: arn.into(), reply })
    }

    pub fn describe_activity(&self, arn: &str) -> Result<ActivityRecord, EngineError> {
        self.store.activity(arn)?.ok_or_else(|| EngineError::ActivityDoesNotExist(arn.into()))
    }

    pub fn list_activities(&self) -> Result<Vec<ActivityRecord>, EngineError> {
        Ok(self.store.list_activities()?)
    }

    /// Resumes a FAILED, TIMED_OUT or ABORTED execution where it stopped.
    pub fn redrive_execution(&self, arn: &str) -> Result<ExecutionRecord, EngineError> {
        self.call(|reply| Request::Redrive { arn: arn.into(), reply })
    }

    pub fn answer_task(&self, token: &str, answer: TaskAnswer) -> Result<(), EngineError> {
        self.call(|reply| Request::Answer { token: token.into(), answer, reply })
    }

    /// The tasks waiting for a worker's or a callback's answer, and the load per activity.
    pub fn pending_tasks(&self) -> Result<TaskBoard, EngineError> {
        self.call(|reply| Request::Tasks { reply })
    }

    /// Runs one task outside any execution: its worker gets it as usual (in process or on
    /// the bus) and its answer comes back, or `States.Timeout` after `timeout`.
    pub fn run_task(
        &self,
        req: &stepline_asl::interp::TaskRequest,
        timeout: Duration,
    ) -> Result<TaskAnswer, EngineError> {
        let (activity, input, wrap_lambda) = run_loop::route(req);
        let task = TaskEnvelope {
            token: req.token.clone(),
            activity,
            input,
            execution_arn: String::new(),
            execution_name: String::new(),
            state_machine_arn: String::new(),
            state_name: req.state_name.clone(),
            entered_time: req.entered_time,
            timeout_seconds: Some(timeout.as_secs().max(1)),
            heartbeat_seconds: req.heartbeat_seconds,
            retry_count: req.retry_count,
            wait_for_token: req.wait_for_token,
        };
        let deadline = stepline_asl::time::now_millis() + timeout.as_millis() as stepline_asl::time::Millis;
        let answer = self.call(|reply| Request::DetachedTask { task, deadline, reply })?;
        Ok(match answer {
            TaskAnswer::Success(v) if wrap_lambda => TaskAnswer::Success(run_loop::lambda_response(v)),
            other => other,
        })
    }

    /// Waits up to `timeout` for a task of `activity` (AWS's `GetActivityTask`).
    pub fn poll_task(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope> {
        self.queues.poll(activity, timeout)
    }

    pub fn queues(&self) -> &Arc<TaskQueues> {
        &self.queues
    }

    /// The largest execution input, state output or task result this engine takes, in
    /// bytes (`EngineConfig::max_payload`), so the control API can take as much.
    pub fn max_payload(&self) -> usize {
        self.express.max_payload()
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
