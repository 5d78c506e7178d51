//! The engine thread: applies requests and due timers in batches, one commit each, then
//! replies and hands out tasks; on start, rebuilds running executions from their journals.

use super::dispatch::Routes;
use super::express::{summarize, Express};
use super::live::{Live, LiveMocks};
use super::queues::TaskEnvelope;
use super::tasks::{PendingTask, TaskBoard};
use super::{EngineConfig, EngineError, Request, TaskAnswer};
use crate::store::{ActivityRecord, Batch, ExecutionRecord, JournalEntry, StateMachineRecord, Store};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;
use stepline_asl::entropy::{Entropy, SplitMix64};
use stepline_asl::history::TaskFamily;
use stepline_asl::interp::{self, Command, Event, ExecutionInfo, Status, TaskRequest, WaitId};
use stepline_asl::model::{compile, MachineType, StateMachine};
use stepline_asl::testing::MockOutcome;
use stepline_asl::time::Millis;

pub(super) fn wall_now() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as Millis).unwrap_or(0)
}

/// Most mocked answers applied in one batch (`--mock-config`).
const MOCKED_ANSWERS_PER_BATCH: usize = 1_000;

/// What a token stands for.
struct TaskRef {
    arn: String,
    id: WaitId,
    /// `lambda:invoke`: the worker's answer becomes the `Payload` of a Lambda response.
    wrap_lambda: bool,
    /// Which dispatcher has it.
    activity: String,
    /// What an operator sees of it.
    info: PendingTask,
    /// `.waitForTaskToken`: the token the task was handed out under. The worker's own
    /// reply to it is not the task's result (the callback with `token` is); a failure
    /// reply means the invocation failed, and fails the task.
    invocation: Option<String>,
}

/// The token a `.waitForTaskToken` task is handed to its worker under: derived from the
/// callback token one-to-one (so a replay hands it out again the same), and shaped like
/// every token Stepline issues.
fn invocation_token(token: &str) -> String {
    let n = u128::from_str_radix(token, 16).unwrap_or_default();
    format!(
        "{:032x}",
        (n ^ 0x5ce9_a17e_0b5e_55ed_1a57_c0de_f00d_cafe).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    )
}

pub struct EngineState {
    config: EngineConfig,
    store: Arc<Store>,
    dispatch: Routes,
    machines: HashMap<(String, u32), Arc<StateMachine>>,
    live: HashMap<String, Live>,
    tokens: HashMap<String, TaskRef>,
    timers: BTreeSet<(Millis, String, WaitId)>,
    rng: SplitMix64,
    /// Tasks to hand out once the batch is committed.
    /// By token: an answer or a cancellation finds its task here without a scan.
    outbox: indexmap::IndexMap<String, TaskEnvelope>,
    /// `StartSyncExecution` callers waiting for their EXPRESS execution to end.
    sync_waiters: HashMap<String, super::Reply<ExecutionRecord>>,
    /// Sync executions that ended in this batch: answered after the commit.
    finished_sync: Vec<(super::Reply<ExecutionRecord>, ExecutionRecord)>,
    /// Time and counter of the last generated execution name (names sort by creation).
    last_name: (Millis, u16),
    express: Arc<Express>,
    /// State machines updated or deleted in this batch: dropped from the EXPRESS cache
    /// once the batch has committed.
    invalidated: Vec<String>,
    /// Executions whose status changed in this batch, for the listeners after the commit.
    status_changes: Vec<ExecutionRecord>,
    /// State machine records as last committed, so a start does not read and parse one.
    sm_records: HashMap<String, StateMachineRecord>,
    /// Successes and failures received per activity since the engine started.
    answered: HashMap<String, u64>,
    /// Answers of mocked tasks (`--mock-config`), applied in the batch that scheduled them.
    mock_answers: Vec<(String, TaskAnswer)>,
    /// Tasks outside any execution, by token: activity, deadline, who waits.
    detached: HashMap<String, (String, Millis, super::Reply<TaskAnswer>)>,
    /// Executions started in this batch under a given name: not yet visible in the store,
    /// and perhaps no longer live, but a second start with the name must find them.
    named_in_batch: HashMap<String, ExecutionRecord>,
    /// Tokens `.waitForTaskToken` tasks were handed out under -> their callback tokens.
    invocations: HashMap<String, String>,
    /// Set while the store refuses writes.
    degraded: Option<Degraded>,
}

/// A worker's answer to `lambda:invoke` as Lambda's Invoke response.
pub(super) fn lambda_response(payload: Value) -> Value {
    json!({"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200})
}

/// The activity a task is for and the payload its worker sees.
pub fn route(req: &TaskRequest) -> (String, Value, bool) {
    if req.task.family == TaskFamily::Service && req.target == "lambda:invoke" {
        let f = req.input.get("FunctionName").and_then(Value::as_str).unwrap_or_default();
        let name = f.split(":function:").nth(1).map(|s| s.split(':').next().unwrap_or(s)).unwrap_or(f);
        return (name.to_string(), req.input.get("Payload").cloned().unwrap_or(Value::Null), true);
    }
    (req.target.clone(), req.input.clone(), false)
}

impl EngineState {
    pub fn recover(
        config: EngineConfig,
        store: Arc<Store>,
        dispatch: Routes,
        express: Arc<Express>,
    ) -> Result<EngineState, EngineError> {
        let seed = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_i64(wall_now());
            h.finish()
        };
        let mut st = EngineState {
            config,
            store,
            dispatch,
            machines: HashMap::new(),
            live: HashMap::new(),
            tokens: HashMap::new(),
            timers: BTreeSet::new(),
            rng: SplitMix64(seed),
            outbox: indexmap::IndexMap::new(),
            sync_waiters: HashMap::new(),
            finished_sync: Vec::new(),
            last_name: (0, 0),
            express,
            invalidated: Vec::new(),
            status_changes: Vec::new(),
            sm_records: HashMap::new(),
            named_in_batch: HashMap::new(),
            answered: HashMap::new(),
            mock_answers: Vec::new(),
            detached: HashMap::new(),
            degraded: None,
            invocations: HashMap::new(),
        };
        for record in st.store.running()? {
            st.replay(record)?;
        }
        // Tasks that were in flight are handed out again; a worker's second answer to the
        // same token finds it gone and is refused, so nothing is applied twice.
        for (_, t) in std::mem::take(&mut st.outbox) {
            st.dispatch.dispatch(t);
        }
        Ok(st)
    }

    fn machine(&mut self, arn: &str, version: u32) -> Result<Arc<StateMachine>, EngineError> {
        if let Some(m) = self.machines.get(&(arn.to_string(), version)) {
            return Ok(m.clone());
        }
        let text = self
            .store
            .state_machine_version(arn, version)?
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        let kind = match self.store.state_machine(arn)?.map(|r| r.kind) {
            Some(k) if k == "EXPRESS" => MachineType::Express,
            _ => MachineType::Standard,
        };
        let mut m = compile(&text, kind).map_err(|d| {
            EngineError::InvalidDefinition(d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        self.config.limit(&mut m, kind);
        let m = Arc::new(m);
        self.machines.insert((arn.to_string(), version), m.clone());
        Ok(m)
    }

    /// Rebuilds a running execution from its journal.
    fn replay(&mut self, record: ExecutionRecord) -> Result<(), EngineError> {
        let machine = self.machine(&record.state_machine_arn, record.state_machine_version)?;
        let journal = self.store.journal(&record.arn)?;
        let mut entries = journal.into_iter();
        let Some(JournalEntry::Start { info, input, seed, now, test_case }) = entries.next() else {
            return Ok(());
        };
        // A mock config gone since the execution started must not stop the engine: its
        // tasks go to workers instead.
        let mocks = test_case.as_ref().and_then(|case| match self.test_case_mocks(&info.state_machine_name, case) {
            Ok(m) => Some(m),
            Err(e) => {
                tracing_log(&format!("{}: {e}; its tasks go to workers", record.arn));
                None
            }
        });
        let (mut exec, cmds) = interp::start(&machine, info, Value::clone(&input), now, seed);
        exec.take_history(); // already stored
        let arn = record.arn.clone();
        let stored_status = Some(record.status);
        self.live.insert(
            arn.clone(),
            Live {
                machine: machine.clone(),
                exec,
                record,
                stored_status,
                tasks: HashMap::new(),
                timers: HashMap::new(),
                express: None,
                unjournaled_start: None,
                last_entered: None,
                mocks,
            },
        );
        self.apply_commands(&arn, cmds);
        for entry in entries {
            let JournalEntry::Event { now, event } = entry else { continue };
            self.forget_answered(&arn, &event);
            let live = self.live.get_mut(&arn).expect("inserted above");
            let cmds = interp::handle(&machine, &mut live.exec, now, event).unwrap_or_default();
            live.exec.take_history();
            self.apply_commands(&arn, cmds);
        }
        Ok(())
    }

    /// A task's answer is being applied: its token is spent.
    fn forget_answered(&mut self, arn: &str, event: &Event) {
        let id = match event {
            Event::TaskSucceeded { id, .. } | Event::TaskFailed { id, .. } => *id,
            _ => return,
        };
        if let Some(live) = self.live.get_mut(arn) {
            if let Some(token) = live.tasks.remove(&id) {
                // A copy handed out again after a restart is withdrawn once answered.
                withdraw(&mut self.tokens, &mut self.outbox, &self.dispatch, &mut self.invocations, &token, true);
            }
        }
    }

    fn apply_commands(&mut self, arn: &str, cmds: Vec<Command>) {
        let Some(live) = self.live.get_mut(arn) else { return };
        for c in cmds {
            match c {
                Command::ScheduleTask(req)
                    if live.mocks.as_ref().is_some_and(|m| m.mocks.by_state.contains_key(&req.state_name)) =>
                {
                    let m = live.mocks.as_mut().expect("checked");
                    let n = m.calls.entry(req.state_name.clone()).or_default();
                    let call = *n;
                    *n += 1;
                    let answer = match m.mocks.by_state[&req.state_name].get(call) {
                        Some(MockOutcome::Return(v)) => Some(TaskAnswer::Success(v.clone())),
                        Some(MockOutcome::Throw { error, cause }) => {
                            Some(TaskAnswer::Failure { error: error.clone(), cause: cause.clone() })
                        }
                        // Left unanswered: its timeout (if any) fires.
                        Some(MockOutcome::Timeout) => None,
                        None => Some(TaskAnswer::Failure {
                            error: "States.Runtime".into(),
                            cause: format!("no mocked response for call {call} of state '{}'", req.state_name),
                        }),
                    };
                    live.tasks.insert(req.id, req.token.clone());
                    let (activity, _, _) = route(&req);
                    let info = PendingTask::of(&req, arn, &activity, true);
                    // The mocked result is the whole service response: never wrapped.
                    let task = TaskRef {
                        arn: arn.to_string(),
                        id: req.id,
                        wrap_lambda: false,
                        activity,
                        info,
                        invocation: None,
                    };
                    self.tokens.insert(req.token.clone(), task);
                    if let Some(a) = answer {
                        self.mock_answers.push((req.token.clone(), a));
                    }
                }
                Command::ScheduleTask(req) => {
                    let (activity, input, wrap_lambda) = route(&req);
                    live.tasks.insert(req.id, req.token.clone());
                    let info = PendingTask::of(&req, arn, &activity, false);
                    // A callback's output is the result as sent, never a Lambda response.
                    let wrap_lambda = wrap_lambda && !req.wait_for_token;
                    let invocation = req.wait_for_token.then(|| invocation_token(&req.token));
                    let handed_as = invocation.clone().unwrap_or_else(|| req.token.clone());
                    if let Some(inv) = &invocation {
                        self.invocations.insert(inv.clone(), req.token.clone());
                    }
                    let task = TaskRef {
                        arn: arn.to_string(),
                        id: req.id,
                        wrap_lambda,
                        activity: activity.clone(),
                        info,
                        invocation,
                    };
                    self.tokens.insert(req.token.clone(), task);
                    self.outbox.insert(
                        handed_as.clone(),
                        TaskEnvelope {
                            token: handed_as,
                            activity,
                            input,
                            execution_arn: arn.to_string(),
                            execution_name: live.record.name.clone(),
                            state_machine_arn: live.record.state_machine_arn.clone(),
                            state_name: req.state_name.clone(),
                            entered_time: req.entered_time,
                            timeout_seconds: req.timeout_seconds,
                            heartbeat_seconds: req.heartbeat_seconds,
                            retry_count: req.retry_count,
                            wait_for_token: req.wait_for_token,
                        },
                    );
                }
                Command::CancelTask { id } => {
                    if let Some(token) = live.tasks.remove(&id) {
                        withdraw(
                            &mut self.tokens,
                            &mut self.outbox,
                            &self.dispatch,
                            &mut self.invocations,
                            &token,
                            false,
                        );
                    }
                }
                Command::StartTimer { id, fire_at } => {
                    live.timers.insert(id, fire_at);
                    self.timers.insert((fire_at, arn.to_string(), id));
                }
                Command::CancelTimer { id } => {
                    if let Some(at) = live.timers.remove(&id) {
                        self.timers.remove(&(at, arn.to_string(), id));
                    }
                }
            }
        }
    }

    /// Journals `event`, applies it, and writes what it produced.
    fn feed(&mut self, batch: &mut Batch, arn: &str, now: Millis, event: Event) -> Result<(), EngineError> {
        let Some(live) = self.live.get_mut(arn) else {
            return Err(EngineError::ExecutionNotRunning(arn.into()));
        };
        let machine = live.machine.clone();
        let cmds = match interp::handle(&machine, &mut live.exec, now, event.clone()) {
            Ok(c) => c,
            // A stale timer or result: nothing to journal.
            Err(_) => return Ok(()),
        };
        let live = self.live.get_mut(arn).expect("checked above");
        if live.express.is_none() {
            live.record.journal += 1;
            batch.append_journal(arn, live.record.journal, &JournalEntry::Event { now, event })?;
        }
        self.apply_commands(arn, cmds);
        self.persist(batch, arn).map(drop)
    }

    /// Writes new history events and the execution's summary; retires ended executions.
    /// Returns the summary as stored.
    fn persist(&mut self, batch: &mut Batch, arn: &str) -> Result<ExecutionRecord, EngineError> {
        let Some(live) = self.live.get_mut(arn) else {
            return Err(EngineError::ExecutionNotRunning(arn.into()));
        };
        // An execution that succeeded in the batch that started it can never be redriven
        // or resumed: its journal would never be read, so it is not written.
        if let Some(entry) = live.unjournaled_start.take() {
            if live.exec.status != Status::Succeeded {
                batch.append_journal(arn, 1, &entry)?;
            }
        }
        // Stored events leave memory: a waiting execution holds only its frames.
        let events = live.exec.take_history();
        for e in &events {
            use stepline_asl::history::EventKind as K;
            match &e.kind {
                K::StateEntered { name, .. } => {
                    live.last_entered = Some(name.clone());
                    live.record.retrying = false;
                }
                K::StateExited { .. } => live.record.retrying = false,
                K::TaskFailed { .. } | K::TaskTimedOut { .. } | K::ParallelStateFailed | K::MapStateFailed => {
                    live.record.retrying = true
                }
                _ => {}
            }
        }
        if !events.is_empty() {
            live.record.updated = wall_now();
        }
        if live.express.is_none() {
            let events: Vec<Value> = events.iter().map(|e| e.to_aws_json()).collect();
            batch.append_history(arn, &events)?;
        }
        let rec = &mut live.record;
        summarize(rec, &live.exec);
        rec.retrying &= rec.status == Status::Running;
        rec.failed_state = match rec.status {
            Status::Running | Status::Succeeded => None,
            _ => match &live.last_entered {
                Some(n) => Some(n.to_string()),
                None => last_entered_stored(&self.store, arn),
            },
        };
        if live.stored_status != Some(rec.status) && !self.dispatch.listeners().is_empty() {
            if live.stored_status.is_none() && rec.status != Status::Running {
                self.status_changes.push(rec.as_started());
            }
            self.status_changes.push(rec.clone());
        }
        if let Some(slot) = live.express {
            self.express.update(slot, rec.clone());
        } else {
            batch.put_execution(rec, live.stored_status)?;
        }
        live.stored_status = Some(rec.status);
        let stored = rec.clone();
        if rec.status == Status::Running {
            live.exec.shrink();
        } else {
            if let Some(reply) = self.sync_waiters.remove(arn) {
                self.finished_sync.push((reply, stored.clone()));
            }
            let live = self.live.remove(arn).expect("present");
            for token in live.tasks.values() {
                withdraw(&mut self.tokens, &mut self.outbox, &self.dispatch, &mut self.invocations, token, false);
            }
            for (id, at) in live.timers {
                self.timers.remove(&(at, arn.to_string(), id));
            }
        }
        Ok(stored)
    }

    fn arn(&self, kind: &str, rest: &str) -> String {
        format!("arn:aws:states:{}:{}:{kind}:{rest}", self.config.region, self.config.account)
    }

    fn start(
        &mut self,
        batch: &mut Batch,
        machine_arn: &str,
        name: Option<String>,
        input: Value,
        version: Option<u32>,
        test_case: Option<String>,
    ) -> Result<ExecutionRecord, EngineError> {
        let sm = match self.sm_records.get(machine_arn) {
            Some(sm) => sm.clone(),
            None => {
                let sm = self
                    .store
                    .state_machine(machine_arn)?
                    .ok_or_else(|| EngineError::StateMachineDoesNotExist(machine_arn.into()))?;
                self.sm_records.insert(machine_arn.to_string(), sm.clone());
                sm
            }
        };
        if sm.kind == "EXPRESS" {
            // EXPRESS executions start on the caller's thread (`express.rs`).
            return Err(EngineError::StateMachineTypeNotSupported(machine_arn.into()));
        }
        let given = name.is_some();
        let name = match name {
            Some(n) => {
                valid_name(&n)?;
                n
            }
            None => uuid_v7(&mut self.rng, &mut self.last_name, wall_now()),
        };
        let limit = self.config.max_payload;
        if stepline_asl::interp::payload_too_large(&input, limit) {
            return Err(EngineError::InvalidExecutionInput(format!("the input is larger than {limit} bytes")));
        }
        let arn = self.arn("execution", &format!("{}:{name}", sm.name));
        // A generated name is new by construction: only a given one can exist already.
        if given {
            let existing = match self.live.get(&arn).map(|l| l.record.clone()) {
                Some(r) => Some(r),
                None => match self.named_in_batch.get(&arn) {
                    Some(r) => Some(r.clone()),
                    None => self.store.execution(&arn)?,
                },
            };
            if let Some(existing) = existing {
                if *existing.input == input && existing.status == Status::Running {
                    return Ok(existing);
                }
                return Err(EngineError::ExecutionAlreadyExists(arn));
            }
        }
        let mocks = match &test_case {
            Some(case) => Some(self.test_case_mocks(&sm.name, case)?),
            None => None,
        };
        let version = version.unwrap_or(sm.version);
        let machine = self.machine(&sm.arn, version)?;
        let now = wall_now();
        let info = execution_info(&sm, arn.clone(), name, now);
        let seed = self.rng.next_u64();
        let (exec, cmds) = interp::start(&machine, info.clone(), input, now, seed);
        let mut record = ExecutionRecord::started(&info, version, exec.input.clone());
        record.journal = 1;
        record.test_case = test_case.clone();
        let unjournaled_start = Some(JournalEntry::Start { info, input: exec.input.clone(), seed, now, test_case });
        self.live.insert(
            arn.clone(),
            Live {
                machine,
                exec,
                record,
                stored_status: None,
                tasks: HashMap::new(),
                timers: HashMap::new(),
                express: None,
                unjournaled_start,
                last_entered: None,
                mocks,
            },
        );
        self.apply_commands(&arn, cmds);
        let stored = self.persist(batch, &arn)?;
        if given {
            self.named_in_batch.insert(arn, stored.clone());
        }
        Ok(stored)
    }

    pub fn run(&mut self, rx: Receiver<Request>) {
        loop {
            let now = wall_now();
            let mut wait = self.timers.iter().next().map(|(at, _, _)| (*at - now).max(0) as u64).unwrap_or(60_000);
            if let Some(d) = &self.degraded {
                wait = d.retry_at.saturating_duration_since(std::time::Instant::now()).as_millis() as u64;
            }
            if !self.mock_answers.is_empty() {
                // Mocked answers left by a restart's replay are applied at once.
                wait = 0;
            }
            if let Some(at) = self.detached.values().map(|(_, at, _)| *at).min() {
                wait = wait.min((at - now).max(0) as u64);
            }
            let first = match rx.recv_timeout(Duration::from_millis(wait)) {
                Ok(r) => Some(r),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut requests: Vec<Request> = first.into_iter().collect();
            while requests.len() < self.config.max_batch {
                match rx.try_recv() {
                    Ok(r) => requests.push(r),
                    Err(_) => break,
                }
            }
            if self.degraded.is_some() {
                self.try_recover();
            }
            if let Some(d) = &self.degraded {
                // Refused at once with a retryable error: the caller keeps its request.
                let shutdown = requests.iter().any(|r| matches!(r, Request::Shutdown));
                let why = d.reason.clone();
                fail_all(requests, || EngineError::Unavailable(why.clone()));
                if shutdown {
                    return;
                }
                continue;
            }
            if self.batch(requests) {
                return;
            }
        }
    }

    /// What an operator must know of a store failure: what happened and where.
    fn store_failure(&self, e: &crate::store::StoreError) -> String {
        let path = self.store.path().display();
        if e.is_no_space() {
            format!("no space left on the device holding the store {path}: new work is refused until space is freed")
        } else {
            format!("the store {path} refused a write ({e}): new work is refused until writes succeed again")
        }
    }

    /// Stops taking work until the store takes writes again (see [`Self::try_recover`]).
    fn degrade(&mut self, reason: String) {
        if self.degraded.is_none() {
            tracing::error!("{reason}");
        }
        let retry_at = std::time::Instant::now() + STORE_RETRY;
        let reason = self.degraded.take().map_or(reason, |d| d.reason);
        self.degraded = Some(Degraded { reason, retry_at });
    }

    /// Reopens the store and checks that it takes a write; then rebuilds the running
    /// executions from what was last committed, as a restart would, and takes work again.
    fn try_recover(&mut self) {
        let Some(d) = &mut self.degraded else { return };
        if std::time::Instant::now() < d.retry_at {
            return;
        }
        d.retry_at = std::time::Instant::now() + STORE_RETRY;
        let checked = self.store.reopen().and_then(|()| {
            let mut b = self.store.begin()?;
            b.probe(wall_now())?;
            b.commit()
        });
        if let Err(e) = checked {
            tracing::debug!("the store still refuses writes: {e}");
            return;
        }
        match self.rebuild() {
            Ok(n) => {
                tracing::warn!(
                    "the store {} takes writes again: {n} running executions resumed from their last commit",
                    self.store.path().display()
                );
                self.degraded = None;
            }
            Err(e) => tracing::error!("rebuilding the running executions after a store failure: {e}"),
        }
    }

    /// Forgets the in-memory state of running executions and replays them from the store.
    fn rebuild(&mut self) -> Result<usize, EngineError> {
        for (token, t) in std::mem::take(&mut self.tokens) {
            self.dispatch.withdraw(&t.activity, t.invocation.as_deref().unwrap_or(&token), false);
        }
        self.invocations.clear();
        self.live.clear();
        self.timers.clear();
        self.outbox.clear();
        self.machines.clear();
        self.sm_records.clear();
        self.named_in_batch.clear();
        self.mock_answers.clear();
        self.status_changes.clear();
        let running = self.store.running()?;
        let n = running.len();
        for record in running {
            self.replay(record)?;
        }
        for (_, t) in std::mem::take(&mut self.outbox) {
            self.dispatch.dispatch(t);
        }
        Ok(n)
    }

    /// Applies one batch; returns true on shutdown.
    fn batch(&mut self, requests: Vec<Request>) -> bool {
        let mut batch = match self.store.begin() {
            Ok(b) => b,
            Err(e) => {
                let shutdown = requests.iter().any(|r| matches!(r, Request::Shutdown));
                let why = self.store_failure(&e);
                fail_all(requests, || EngineError::Unavailable(why.clone()));
                self.degrade(why);
                return shutdown;
            }
        };
        let mut replies: Vec<Later> = Vec::new();
        let mut shutdown = false;
        for r in requests {
            match r {
                Request::Shutdown => shutdown = true,
                Request::CreateStateMachine { name, definition, kind, role_arn, reply } => {
                    let res = self.create_machine(&mut batch, &name, &definition, &kind, &role_arn);
                    if let Ok(r) = &res {
                        self.invalidated.push(r.arn.clone());
                    }
                    replies.push(later(reply, res));
                }
                Request::UpdateStateMachine { arn, definition, reply } => {
                    let res = self.update_machine(&mut batch, &arn, &definition);
                    self.invalidated.push(arn);
                    replies.push(later(reply, res));
                }
                Request::DeleteStateMachine { arn, reply } => {
                    let res = batch.delete_state_machine(&arn).map_err(EngineError::from);
                    self.invalidated.push(arn);
                    replies.push(later(reply, res));
                }
                Request::Start { machine_arn, name, input, version, test_case, reply } => {
                    let res = self.start(&mut batch, &machine_arn, name, input, version, test_case);
                    replies.push(later(reply, res));
                }
                Request::Answer { token, answer, reply } => {
                    let res = self.answer(&mut batch, &token, answer);
                    replies.push(later(reply, res));
                }
                Request::CreateActivity { name, reply } => {
                    let res = self.create_activity(&mut batch, &name);
                    replies.push(later(reply, res));
                }
                Request::DeleteActivity { arn, reply } => {
                    let res = batch.delete_activity(&arn).map_err(EngineError::from);
                    replies.push(later(reply, res));
                }
                Request::AdoptExpress { waiting, reply } => {
                    let res = self.adopt_express(&mut batch, *waiting);
                    match (res, reply) {
                        (Ok(r), Some(reply)) if r.status == Status::Running => {
                            self.sync_waiters.insert(r.arn.clone(), reply);
                        }
                        (res, Some(reply)) => replies.push(later(reply, res)),
                        (_, None) => {}
                    }
                }
                Request::Redrive { arn, reply } => {
                    let res = self.redrive(&mut batch, &arn);
                    replies.push(later(reply, res));
                }
                Request::Stop { arn, error, cause, reply } => {
                    let res = self.stop(&mut batch, &arn, error, cause);
                    replies.push(later(reply, res));
                }
                Request::DetachedTask { task, deadline, reply } => {
                    self.detached.insert(task.token.clone(), (task.activity.clone(), deadline, reply));
                    self.outbox.insert(task.token.clone(), task);
                }
                Request::Tasks { reply } => {
                    let board = TaskBoard::build(self.tokens.values().map(|t| &t.info), &self.answered);
                    replies.push(later(reply, Ok(board)));
                }
            }
        }
        self.answer_mocked(&mut batch);
        let now = wall_now();
        let expired: Vec<String> =
            self.detached.iter().filter(|(_, (_, at, _))| *at <= now).map(|(t, _)| t.clone()).collect();
        for token in expired {
            if let Some((activity, _, reply)) = self.detached.remove(&token) {
                self.dispatch.withdraw(&activity, &token, false);
                let cause = format!("no worker of '{activity}' answered in time");
                reply.send(Ok(TaskAnswer::Failure { error: "States.Timeout".into(), cause }));
            }
        }
        while let Some((at, arn, id)) = self.timers.iter().next().cloned() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, arn.clone(), id));
            if let Some(l) = self.live.get_mut(&arn) {
                l.timers.remove(&id);
            }
            if let Err(e) = self.feed(&mut batch, &arn, now.max(at), Event::TimerFired { id }) {
                tracing_log(&format!("timer {id} of {arn}: {e}"));
            }
        }
        self.answer_mocked(&mut batch);
        let commit = batch.commit();
        self.named_in_batch.clear();
        for arn in std::mem::take(&mut self.invalidated) {
            self.express.invalidate(&arn);
            self.sm_records.remove(&arn);
        }
        match commit {
            Ok(()) => {
                for r in replies {
                    r(None);
                }
                for (_, t) in std::mem::take(&mut self.outbox) {
                    self.dispatch.dispatch(t);
                }
                for (reply, record) in std::mem::take(&mut self.finished_sync) {
                    reply.send(Ok(record));
                }
                for record in std::mem::take(&mut self.status_changes) {
                    self.dispatch.notify(&record);
                }
            }
            Err(e) => {
                // Nothing of this batch is durable: callers get the error, and the engine
                // rebuilds its memory from the store once it takes writes again.
                let why = self.store_failure(&e);
                for r in replies {
                    r(Some(&why));
                }
                for (reply, _) in std::mem::take(&mut self.finished_sync) {
                    reply.send(Err(EngineError::Unavailable(why.clone())));
                }
                self.outbox.clear();
                self.status_changes.clear();
                self.degrade(why);
            }
        }
        shutdown
    }

    /// Takes over an EXPRESS execution that waits for a task or a timer.
    fn adopt_express(&mut self, batch: &mut Batch, w: super::express::Waiting) -> Result<ExecutionRecord, EngineError> {
        let arn = w.record.arn.clone();
        self.live.insert(
            arn.clone(),
            Live {
                machine: w.machine,
                exec: w.exec,
                record: w.record,
                stored_status: Some(Status::Running),
                tasks: HashMap::new(),
                timers: HashMap::new(),
                express: Some(w.slot),
                unjournaled_start: None,
                last_entered: None,
                mocks: None,
            },
        );
        self.apply_commands(&arn, w.cmds);
        self.persist(batch, &arn)
    }

    /// Applies the answers of mocked tasks, and of the tasks those answers schedule.
    fn answer_mocked(&mut self, batch: &mut Batch) {
        // A loop of mocked tasks with no Wait never waits for anything: it gets a bounded
        // share of each batch, the rest in the next ones, so the engine keeps answering.
        let mut budget = MOCKED_ANSWERS_PER_BATCH;
        while !self.mock_answers.is_empty() && budget > 0 {
            let take = self.mock_answers.len().min(budget);
            budget -= take;
            let now: Vec<_> = self.mock_answers.drain(..take).collect();
            for (token, answer) in now {
                // Gone when the task was cancelled, or answered in the journal replayed.
                if self.tokens.contains_key(&token) {
                    if let Err(e) = self.answer(batch, &token, answer) {
                        tracing_log(&format!("mocked answer: {e}"));
                    }
                }
            }
        }
    }

    /// The mocks of a test case of the configured mock config.
    fn test_case_mocks(&self, machine: &str, case: &str) -> Result<LiveMocks, EngineError> {
        let config = self.config.mock_config.as_ref().ok_or_else(|| {
            EngineError::TestCase(format!(
                "'{machine}#{case}' names a test case, but no mock config is loaded (stepline serve --mock-config FILE, or SFN_MOCK_CONFIG)"
            ))
        })?;
        let mocks = config.test_case(machine, case).map_err(|e| EngineError::TestCase(e.to_string()))?;
        Ok(LiveMocks { mocks: Arc::new(mocks), calls: HashMap::new() })
    }

    fn answer(&mut self, batch: &mut Batch, token: &str, answer: TaskAnswer) -> Result<(), EngineError> {
        if let Some((activity, deadline, reply)) = self.detached.remove(token) {
            match answer {
                TaskAnswer::Heartbeat => {
                    self.detached.insert(token.to_string(), (activity, deadline, reply));
                }
                answer => {
                    self.dispatch.withdraw(&activity, token, true);
                    reply.send(Ok(answer));
                }
            }
            return Ok(());
        }
        if let Some(callback) = self.invocations.get(token).cloned() {
            return self.invocation_replied(batch, token, &callback, answer);
        }
        let Some(t) = self.tokens.get_mut(token) else {
            return Err(EngineError::TaskDoesNotExist);
        };
        let (arn, id, wrap) = (t.arn.clone(), t.id, t.wrap_lambda);
        if matches!(answer, TaskAnswer::Heartbeat) {
            t.info.last_heartbeat = Some(wall_now());
        } else if !t.info.mocked {
            *self.answered.entry(t.activity.clone()).or_default() += 1;
        }
        let event = match answer {
            TaskAnswer::Heartbeat => Event::TaskHeartbeat { id },
            TaskAnswer::Success(output) => {
                let output = if wrap { lambda_response(output) } else { output };
                Event::TaskSucceeded { id, output }
            }
            TaskAnswer::Failure { error, cause } => Event::TaskFailed { id, error, cause },
        };
        if !matches!(event, Event::TaskHeartbeat { .. }) {
            self.forget_answered(&arn, &event);
        }
        self.feed(batch, &arn, wall_now(), event)
    }

    /// The worker's reply to a `.waitForTaskToken` task: as on AWS, a result is not the
    /// task's (the state goes on waiting for the callback with its token); a failure means
    /// the call itself failed, and fails the task; a heartbeat counts for the task.
    fn invocation_replied(
        &mut self,
        batch: &mut Batch,
        invocation: &str,
        callback: &str,
        answer: TaskAnswer,
    ) -> Result<(), EngineError> {
        match answer {
            TaskAnswer::Heartbeat => self.answer(batch, callback, TaskAnswer::Heartbeat),
            TaskAnswer::Success(_) => {
                self.invocations.remove(invocation);
                if let Some(t) = self.tokens.get(callback) {
                    self.dispatch.withdraw(&t.activity, invocation, true);
                }
                tracing::debug!(
                    "the worker's reply to a .waitForTaskToken task is not its result: waiting for the callback"
                );
                Ok(())
            }
            failure @ TaskAnswer::Failure { .. } => {
                self.invocations.remove(invocation);
                if let Some(t) = self.tokens.get(callback) {
                    self.dispatch.withdraw(&t.activity, invocation, true);
                }
                self.answer(batch, callback, failure)
            }
        }
    }

    fn stop(
        &mut self,
        batch: &mut Batch,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<ExecutionRecord, EngineError> {
        if !self.live.contains_key(arn) {
            return match self.store.execution(arn)? {
                Some(r) => Ok(r),
                None => Err(EngineError::ExecutionDoesNotExist(arn.into())),
            };
        }
        let live = self.live.get_mut(arn).expect("checked above");
        let machine = live.machine.clone();
        let now = wall_now();
        let event = Event::Stop { error, cause };
        let cmds = interp::handle(&machine, &mut live.exec, now, event.clone())
            .map_err(|_| EngineError::ExecutionNotRunning(arn.into()))?;
        live.record.journal += 1;
        batch.append_journal(arn, live.record.journal, &JournalEntry::Event { now, event })?;
        self.apply_commands(arn, cmds);
        self.persist(batch, arn)
    }

    fn redrive(&mut self, batch: &mut Batch, arn: &str) -> Result<ExecutionRecord, EngineError> {
        let rec = self.store.execution(arn)?.ok_or_else(|| EngineError::ExecutionDoesNotExist(arn.into()))?;
        if matches!(rec.status, Status::Running | Status::Succeeded) || self.live.contains_key(arn) {
            return Err(EngineError::ExecutionNotRedrivable(arn.into()));
        }
        self.replay(rec)?;
        let live = self.live.get_mut(arn).ok_or_else(|| EngineError::ExecutionNotRedrivable(arn.into()))?;
        let machine = live.machine.clone();
        let now = wall_now();
        let cmds = match interp::handle(&machine, &mut live.exec, now, Event::Redrive) {
            Ok(c) => c,
            Err(_) => {
                self.live.remove(arn);
                return Err(EngineError::ExecutionNotRedrivable(arn.into()));
            }
        };
        live.record.journal += 1;
        batch.append_journal(arn, live.record.journal, &JournalEntry::Event { now, event: Event::Redrive })?;
        self.apply_commands(arn, cmds);
        self.persist(batch, arn)
    }

    fn create_activity(&mut self, batch: &mut Batch, name: &str) -> Result<ActivityRecord, EngineError> {
        valid_name(name)?;
        let arn = self.arn("activity", name);
        if let Some(existing) = self.store.activity(&arn)? {
            return Ok(existing);
        }
        let rec = ActivityRecord { arn, name: name.into(), created: wall_now() };
        batch.put_activity(&rec)?;
        Ok(rec)
    }

    fn create_machine(
        &mut self,
        batch: &mut Batch,
        name: &str,
        definition: &str,
        kind: &str,
        role_arn: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        valid_name(name)?;
        let mtype = match kind {
            "EXPRESS" => MachineType::Express,
            "STANDARD" | "" => MachineType::Standard,
            other => return Err(EngineError::InvalidDefinition(format!("unknown state machine type '{other}'"))),
        };
        compile(definition, mtype).map_err(|d| {
            EngineError::InvalidDefinition(d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        let arn = self.arn("stateMachine", name);
        if let Some(existing) = self.store.state_machine(&arn)? {
            if existing.definition == definition && existing.kind == kind_or_default(kind) {
                return Ok(existing);
            }
            return Err(EngineError::StateMachineAlreadyExists(arn));
        }
        let now = wall_now();
        let rec = StateMachineRecord {
            arn,
            name: name.into(),
            kind: kind_or_default(kind).into(),
            role_arn: role_arn.into(),
            definition: definition.into(),
            version: 1,
            created: now,
            updated: now,
        };
        batch.put_state_machine(&rec)?;
        Ok(rec)
    }

    fn update_machine(
        &mut self,
        batch: &mut Batch,
        arn: &str,
        definition: &str,
    ) -> Result<StateMachineRecord, EngineError> {
        let mut rec =
            self.store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        let mtype = if rec.kind == "EXPRESS" { MachineType::Express } else { MachineType::Standard };
        compile(definition, mtype).map_err(|d| {
            EngineError::InvalidDefinition(d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        rec.version += 1;
        rec.definition = definition.into();
        rec.updated = wall_now();
        batch.put_state_machine(&rec)?;
        Ok(rec)
    }
}

fn kind_or_default(kind: &str) -> &str {
    if kind.is_empty() {
        "STANDARD"
    } else {
        kind
    }
}

/// AWS's rule for state machine and execution names.
/// A task's token is spent or no longer wanted: forgotten, taken out of the tasks this
/// batch would hand out, and withdrawn from its dispatcher.
fn withdraw(
    tokens: &mut HashMap<String, TaskRef>,
    outbox: &mut indexmap::IndexMap<String, TaskEnvelope>,
    dispatch: &Routes,
    invocations: &mut HashMap<String, String>,
    token: &str,
    answered: bool,
) {
    if let Some(t) = tokens.remove(token) {
        let handed_as = match &t.invocation {
            Some(inv) => match invocations.remove(inv) {
                Some(_) => inv.as_str(),
                // Its worker has replied already: nothing of it is left with the dispatcher.
                None => return,
            },
            None => token,
        };
        if outbox.swap_remove(handed_as).is_none() {
            dispatch.withdraw(&t.activity, handed_as, answered);
        }
    }
}

/// The last state entered according to the stored history (the engine restarted since).
fn last_entered_stored(store: &Store, arn: &str) -> Option<String> {
    let events = store.history(arn, 0, 10_000, true).ok()?;
    events.iter().find_map(|e| {
        e["type"].as_str().filter(|t| t.ends_with("StateEntered"))?;
        e["stateEnteredEventDetails"]["name"].as_str().map(str::to_string)
    })
}

/// The identity an execution of `sm` named `name` starts with.
pub(super) fn execution_info(sm: &StateMachineRecord, arn: String, name: String, now: Millis) -> ExecutionInfo {
    ExecutionInfo {
        arn,
        name,
        state_machine_arn: sm.arn.clone(),
        state_machine_name: sm.name.clone(),
        role_arn: sm.role_arn.clone(),
        start_time: now,
        redrive_count: 0,
    }
}

pub(super) fn valid_name(name: &str) -> Result<(), EngineError> {
    let bad = name.is_empty()
        || name.chars().count() > 80
        || name.chars().any(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c));
    if bad {
        return Err(EngineError::InvalidName(name.into()));
    }
    Ok(())
}

/// A version 7 UUID: milliseconds first, then a counter, then random bits. Names made in
/// order sort in order, so a new execution's rows land at the end of each table instead of
/// on a random page (far fewer pages rewritten per commit).
pub(super) fn uuid_v7(rng: &mut SplitMix64, last: &mut (Millis, u16), now: Millis) -> String {
    let (ms, seq) = if now > last.0 {
        (now, 0)
    } else if last.1 < 0x0fff {
        (last.0, last.1 + 1)
    } else {
        (last.0 + 1, 0)
    };
    *last = (ms, seq);
    format_v7(ms as u64, seq, rng.next_u64())
}

/// Lays out a version 7 UUID from milliseconds, a 12-bit counter and random bits.
pub(super) fn format_v7(ms: u64, seq: u16, random: u64) -> String {
    let ms = ms & 0xffff_ffff_ffff;
    let b = (random & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        ms >> 16,
        ms & 0xffff,
        0x7000 | (seq & 0x0fff) as u64,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// Replies to every request of a batch that could not start.
/// A reply held until its batch commits: sent as computed, or with the commit's failure.
type Later = Box<dyn FnOnce(Option<&str>)>;

fn later<T: 'static>(reply: super::Reply<T>, res: Result<T, EngineError>) -> Later {
    Box::new(move |failed| match failed {
        None => reply.send(res),
        Some(why) => reply.send(Err(EngineError::Unavailable(why.to_string()))),
    })
}

/// How often a store that refused a write is tried again.
const STORE_RETRY: Duration = Duration::from_secs(1);

/// The engine refuses work after a failed write, until the store takes writes again.
struct Degraded {
    reason: String,
    retry_at: std::time::Instant,
}

pub(super) fn fail_all(requests: Vec<Request>, err: impl Fn() -> EngineError) {
    for r in requests {
        match r {
            Request::CreateStateMachine { reply, .. } | Request::UpdateStateMachine { reply, .. } => {
                reply.send(Err(err()))
            }
            Request::DeleteStateMachine { reply, .. } => reply.send(Err(err())),
            Request::Start { reply, .. } | Request::Stop { reply, .. } | Request::Redrive { reply, .. } => {
                reply.send(Err(err()))
            }
            Request::AdoptExpress { reply, .. } => {
                if let Some(reply) = reply {
                    reply.send(Err(err()))
                }
            }
            Request::Answer { reply, .. } | Request::DeleteActivity { reply, .. } => reply.send(Err(err())),
            Request::CreateActivity { reply, .. } => reply.send(Err(err())),
            Request::Tasks { reply } => reply.send(Err(err())),
            Request::DetachedTask { reply, .. } => reply.send(Err(err())),
            Request::Shutdown => {}
        }
    }
}

fn tracing_log(msg: &str) {
    tracing::warn!("{msg}");
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn generated_names_are_v7_uuids_in_creation_order() {
        let mut rng = SplitMix64(7);
        let mut last = (0, 0);
        let names: Vec<String> =
            [5, 5, 5, 4, 9].iter().map(|&t| uuid_v7(&mut rng, &mut last, 1_700_000_000_000 + t)).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for n in &names {
            assert_eq!(n.len(), 36);
            assert_eq!(&n[14..15], "7", "version nibble of {n}");
            assert!(matches!(&n[19..20], "8" | "9" | "a" | "b"), "variant of {n}");
        }
    }
}
