//! EXPRESS executions: run on the caller's thread, in memory only.
//!
//! An EXPRESS execution promises nothing across a restart (at most once, as at AWS), so it
//! needs neither the journal nor a commit. The caller's thread runs it until it ends or
//! waits; one that waits (a task, a timer) is handed to the engine thread, which keeps it
//! in memory with the durable ones. Summaries of recent EXPRESS executions stay in a
//! bounded in-memory list that `DescribeExecution` and `ListExecutions` read.

use super::EngineError;
use crate::entropy::{Entropy, SplitMix64};
use crate::interp::{self, Command, Execution, ExecutionInfo, Status};
use crate::model::{compile, MachineType, StateMachine};
use crate::store::{ExecutionRecord, StateMachineRecord, Store};
use crate::time::Millis;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// A state machine's latest version, compiled.
pub struct Latest {
    pub record: StateMachineRecord,
    pub machine: Arc<StateMachine>,
}

/// An EXPRESS execution that is waiting, for the engine thread to keep.
pub struct Waiting {
    pub machine: Arc<StateMachine>,
    pub exec: Execution,
    pub cmds: Vec<Command>,
    pub record: ExecutionRecord,
}

pub struct Express {
    store: Arc<Store>,
    arn_prefix: String,
    latest: RwLock<HashMap<String, Arc<Latest>>>,
    /// Bumped on every invalidation: a lookup that read the store before an update
    /// committed must not put the old version back into `latest`.
    generation: AtomicU64,
    names: Mutex<(SplitMix64, (Millis, u16))>,
    recent: Mutex<Recent>,
    max_payload: usize,
}

/// The summaries of the most recent EXPRESS executions, oldest dropped first.
struct Recent {
    capacity: usize,
    order: VecDeque<String>,
    by_arn: HashMap<String, ExecutionRecord>,
}

impl Express {
    pub fn new(store: Arc<Store>, config: &super::EngineConfig, seed: u64) -> Express {
        Express {
            store,
            arn_prefix: format!("arn:aws:states:{}:{}:execution:", config.region, config.account),
            latest: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            names: Mutex::new((SplitMix64(seed), (0, 0))),
            recent: Mutex::new(Recent {
                capacity: config.express_summaries.max(1),
                order: VecDeque::new(),
                by_arn: HashMap::new(),
            }),
            max_payload: config.max_payload,
        }
    }

    /// The latest version of a state machine, compiled once and cached.
    pub fn latest(&self, arn: &str) -> Result<Arc<Latest>, EngineError> {
        if let Some(l) = self.latest.read().ok().and_then(|m| m.get(arn).cloned()) {
            return Ok(l);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let record = self.store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        let kind = if record.kind == "EXPRESS" { MachineType::Express } else { MachineType::Standard };
        let mut machine = compile(&record.definition, kind).map_err(|d| {
            EngineError::InvalidDefinition(d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        machine.max_payload = self.max_payload;
        let machine = Arc::new(machine);
        let latest = Arc::new(Latest { record, machine });
        if let Ok(mut m) = self.latest.write() {
            if self.generation.load(Ordering::Acquire) == generation {
                m.insert(arn.to_string(), latest.clone());
            }
        }
        Ok(latest)
    }

    /// Forgets a state machine's cached version once an update or delete has committed.
    pub fn invalidate(&self, arn: &str) {
        if let Ok(mut m) = self.latest.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            m.remove(arn);
        }
    }

    /// Starts an EXPRESS execution and runs it until it ends or waits. The record is
    /// remembered either way; a waiting execution comes back for the engine thread.
    pub fn start(
        &self,
        latest: &Latest,
        name: Option<String>,
        input: Value,
    ) -> Result<(ExecutionRecord, Option<Waiting>), EngineError> {
        if crate::interp::payload_too_large(&input, self.max_payload) {
            let limit = self.max_payload;
            return Err(EngineError::InvalidExecutionInput(format!("the input is larger than {limit} bytes")));
        }
        let now = super::run_loop::wall_now();
        let (name, seed) = {
            let mut g = self.names.lock().map_err(|_| EngineError::Stopped)?;
            let (rng, last) = &mut *g;
            let name = match name {
                Some(n) => n,
                None => super::run_loop::uuid_v7(rng, last, now),
            };
            (name, rng.next_u64())
        };
        super::run_loop::valid_name(&name)?;
        let sm = &latest.record;
        let arn = format!("{}{}:{name}", self.arn_prefix, sm.name);
        let info = ExecutionInfo {
            arn: arn.clone(),
            name: name.clone(),
            state_machine_arn: sm.arn.clone(),
            state_machine_name: sm.name.clone(),
            role_arn: sm.role_arn.clone(),
            start_time: now,
            redrive_count: 0,
        };
        let (exec, cmds) = interp::start(&latest.machine, info, input, now, seed);
        let mut record = ExecutionRecord {
            arn,
            name,
            state_machine_arn: sm.arn.clone(),
            state_machine_version: sm.version,
            status: Status::Running,
            start: now,
            stop: None,
            input: exec.input.clone(),
            output: None,
            error: None,
            cause: None,
            redrive_count: 0,
            events: 0,
            journal: 0,
            transitions: 0,
        };
        summarize(&mut record, &exec);
        self.remember(record.clone());
        if record.status != Status::Running {
            return Ok((record, None));
        }
        let waiting = Waiting { machine: latest.machine.clone(), exec, cmds, record: record.clone() };
        Ok((record, Some(waiting)))
    }

    /// Keeps (or updates) an execution's summary.
    pub fn remember(&self, record: ExecutionRecord) {
        let Ok(mut r) = self.recent.lock() else { return };
        if !r.by_arn.contains_key(&record.arn) {
            r.order.push_back(record.arn.clone());
            while r.order.len() > r.capacity {
                if let Some(old) = r.order.pop_front() {
                    r.by_arn.remove(&old);
                }
            }
        }
        r.by_arn.insert(record.arn.clone(), record);
    }

    pub fn describe(&self, arn: &str) -> Option<ExecutionRecord> {
        self.recent.lock().ok()?.by_arn.get(arn).cloned()
    }

    /// Remembered executions newest first, filtered like the store's list.
    pub fn list(
        &self,
        machine: Option<&str>,
        status: Option<Status>,
        limit: usize,
        before: Option<(Millis, &str)>,
    ) -> Vec<ExecutionRecord> {
        let Ok(r) = self.recent.lock() else { return Vec::new() };
        let mut out: Vec<&ExecutionRecord> = r
            .by_arn
            .values()
            .filter(|e| machine.is_none_or(|m| e.state_machine_arn == m))
            .filter(|e| status.is_none_or(|s| e.status == s))
            .filter(|e| before.is_none_or(|(ms, arn)| (e.start, e.arn.as_str()) < (ms, arn)))
            .collect();
        out.sort_by(|a, b| (b.start, &b.arn).cmp(&(a.start, &a.arn)));
        out.into_iter().take(limit).cloned().collect()
    }
}

/// Copies what an execution has reached into its summary.
pub fn summarize(rec: &mut ExecutionRecord, exec: &Execution) {
    rec.status = exec.status;
    rec.redrive_count = exec.info.redrive_count;
    rec.events = exec.event_count();
    rec.transitions = exec.state_transitions;
    rec.stop = exec.stop_time;
    rec.output = exec.output.clone();
    rec.error = exec.failure.as_ref().map(|f| f.error.clone());
    rec.cause = exec.failure.as_ref().map(|f| f.cause.clone());
}
