//! EXPRESS executions: run on the caller's thread, in memory only.
//!
//! An EXPRESS execution promises nothing across a restart (at most once, as at AWS), so it
//! needs neither the journal nor a commit. The caller's thread runs it until it ends or
//! waits; one that waits (a task, a timer) is handed to the engine thread, which keeps it
//! in memory with the durable ones. Summaries of recent EXPRESS executions stay in a
//! bounded in-memory list that `DescribeExecution` and `ListExecutions` read.

use crate::catalog::qualified::Target;
use crate::config::EngineConfig;
use crate::dispatch::StatusListener;
use crate::error::EngineError;
use crate::exec_logs::level::Logging;
use crate::exec_logs::sink::ExecutionLogSink;
use crate::machines::compile_for;
use crate::names::{execution_info, format_v7, valid_name};
use crate::records::started_by;
use crate::storage::Storage;
use crate::store::{ExecutionRecord, StateMachineRecord};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use stepline_asl::clock::Clock;
use stepline_asl::entropy::{Entropy, SplitMix64};
use stepline_asl::interp::{self, Command, Execution, Status};
use stepline_asl::model::{MachineType, StateMachine};
use stepline_asl::time::Millis;

/// A state machine's latest version; compiled when it is EXPRESS (a STANDARD machine is
/// looked up here only for its type: the engine thread compiles and runs it).
pub struct Latest {
    pub record: StateMachineRecord,
    pub machine: Option<Arc<StateMachine>>,
}

/// An EXPRESS execution that is waiting, for the engine thread to keep.
pub struct Waiting {
    pub machine: Arc<StateMachine>,
    pub exec: Execution,
    pub cmds: Vec<Command>,
    pub record: ExecutionRecord,
    pub slot: Slot,
}

/// Where a summary is kept: its shard and its number there.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    shard: usize,
    seq: u64,
}

pub struct Express {
    store: Arc<dyn Storage>,
    arn_prefix: String,
    latest: RwLock<HashMap<String, Arc<Latest>>>,
    /// Bumped on every invalidation: a lookup that read the store before an update
    /// committed must not put the old version back into `latest`.
    generation: AtomicU64,
    /// Seeds each caller thread's random source.
    random: AtomicU64,
    /// What the engine counts (here because every thread that runs executions has this).
    pub(crate) metrics: Arc<crate::metrics::counters::EngineMetrics>,
    id: u64,
    /// Summaries in shards, so callers on different threads rarely wait for each other.
    recent: Vec<Shard>,
    /// The limits its executions run under (payload, history, duration).
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    listeners: Vec<Arc<dyn StatusListener>>,
    /// Where the execution logs of machines that log go (`exec_logs/`).
    log_sinks: Vec<Arc<dyn ExecutionLogSink>>,
}

const SHARDS: usize = 16;

/// One shard per cache line pair, so threads writing neighbouring shards do not slow each
/// other down (false sharing).
#[repr(align(128))]
struct Shard(Mutex<Recent>);

/// Each caller thread's own random source, name clock and shard cursor: callers on
/// different cores share no cache line while they start executions.
#[derive(Clone, Copy)]
struct PerThread {
    random: u64,
    last_name: u64,
    records: u64,
}

/// State machine ARN -> (engine, generation it was read at, its latest version).
type LatestCache = HashMap<String, (u64, u64, Arc<Latest>)>;

thread_local! {
    static PER_THREAD: std::cell::Cell<Option<PerThread>> = const { std::cell::Cell::new(None) };
    static LATEST: std::cell::RefCell<LatestCache> = std::cell::RefCell::new(HashMap::new());
}

/// Distinguishes engines in one process (tests run several) in the per-thread caches.
static NEXT_ENGINE: AtomicU64 = AtomicU64::new(1);

/// Summaries of the most recent EXPRESS executions in one shard, oldest first and
/// dropped first. A new execution is appended without hashing its ARN; the rare lookups
/// (describe, a waiting execution's update) scan, which is cheap at this size.
struct Recent {
    capacity: usize,
    records: VecDeque<ExecutionRecord>,
    /// The number of the oldest record kept (numbers count every record ever pushed).
    front_seq: u64,
}

impl Recent {
    fn push(&mut self, record: ExecutionRecord) -> u64 {
        if self.records.len() >= self.capacity {
            self.records.pop_front();
            self.front_seq += 1;
        }
        self.records.push_back(record);
        self.front_seq + self.records.len() as u64 - 1
    }

    fn find(&mut self, arn: &str) -> Option<&mut ExecutionRecord> {
        self.records.iter_mut().rev().find(|r| r.arn == arn)
    }
}

impl Express {
    pub fn new(
        store: Arc<dyn Storage>,
        config: &EngineConfig,
        seed: u64,
        listeners: Vec<Arc<dyn StatusListener>>,
        log_sinks: Vec<Arc<dyn ExecutionLogSink>>,
    ) -> Express {
        Express {
            store,
            arn_prefix: format!("arn:aws:states:{}:{}:execution:", config.region, config.account),
            latest: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            random: AtomicU64::new(seed),
            metrics: Arc::default(),
            id: NEXT_ENGINE.fetch_add(1, Ordering::Relaxed),
            recent: (0..SHARDS)
                .map(|_| {
                    Shard(Mutex::new(Recent {
                        capacity: config.express_summaries.div_ceil(SHARDS).max(1),
                        records: VecDeque::new(),
                        front_seq: 0,
                    }))
                })
                .collect(),
            config: config.clone(),
            clock: config.clock.clone(),
            listeners,
            log_sinks,
        }
    }

    /// The latest version of a state machine, cached (and compiled once if EXPRESS).
    pub fn latest(&self, arn: &str) -> Result<Arc<Latest>, EngineError> {
        if let Some(l) = self.latest.read().ok().and_then(|m| m.get(arn).cloned()) {
            return Ok(l);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let record = self.store.state_machine(arn)?.ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        let machine = match record.kind.as_str() {
            "EXPRESS" => Some(Arc::new(compile_for(&self.config, &record.definition, MachineType::Express)?)),
            _ => None,
        };
        let latest = Arc::new(Latest { record, machine });
        if let Ok(mut m) = self.latest.write() {
            if self.generation.load(Ordering::Acquire) == generation {
                m.insert(arn.to_string(), latest.clone());
            }
        }
        Ok(latest)
    }

    /// Revision `revision` of machine `arn` (a published version's), compiled once: a
    /// revision never changes, so it is cached under its own key and never invalidated.
    pub fn pinned(&self, arn: &str, revision: u32) -> Result<Arc<Latest>, EngineError> {
        let key = format!("{arn}#{revision}");
        if let Some(l) = self.latest.read().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(l);
        }
        let missing = || EngineError::StateMachineDoesNotExist(arn.into());
        let mut record = self.store.state_machine(arn)?.ok_or_else(missing)?;
        record.definition = self.store.state_machine_version(arn, revision)?.ok_or_else(missing)?;
        record.version = revision;
        let machine = match record.kind.as_str() {
            "EXPRESS" => Some(Arc::new(compile_for(&self.config, &record.definition, MachineType::Express)?)),
            _ => None,
        };
        let pinned = Arc::new(Latest { record, machine });
        if let Ok(mut m) = self.latest.write() {
            m.insert(key, pinned.clone());
        }
        Ok(pinned)
    }

    /// Runs `f` with the latest version of a state machine from this thread's cache
    /// (checked against the generation, so an update is seen by the next call).
    pub fn with_latest<R>(&self, arn: &str, f: impl FnOnce(&Latest) -> R) -> Result<R, EngineError> {
        let generation = self.generation.load(Ordering::Acquire);
        LATEST.with(|cache| {
            let mut cache = cache.borrow_mut();
            let fresh = cache.get(arn).is_some_and(|(e, g, _)| (*e, *g) == (self.id, generation));
            if !fresh {
                cache.insert(arn.to_string(), (self.id, generation, self.latest(arn)?));
            }
            let (_, _, latest) = cache.get(arn).expect("inserted above");
            Ok(f(latest))
        })
    }

    fn per_thread<R>(&self, f: impl FnOnce(&mut PerThread) -> R) -> R {
        PER_THREAD.with(|cell| {
            let mut t = cell.get().unwrap_or_else(|| PerThread {
                random: self.random.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed),
                last_name: 0,
                records: 0,
            });
            let r = f(&mut t);
            cell.set(Some(t));
            r
        })
    }

    /// Forgets a state machine's cached version once an update or delete has committed.
    pub fn invalidate(&self, arn: &str) {
        if let Ok(mut m) = self.latest.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            m.remove(arn);
        }
    }

    /// Starts an EXPRESS execution and runs it until it ends or waits; `parent` is the
    /// execution whose task starts it (otherwise the one its input names, if any). The record is
    /// remembered either way; a waiting execution comes back for the engine thread.
    pub fn start(
        &self,
        latest: &Latest,
        name: Option<String>,
        input: Value,
        parent: Option<String>,
        qualified: Option<&Target>,
    ) -> Result<(ExecutionRecord, Option<Waiting>), EngineError> {
        let Some(machine) = &latest.machine else {
            return Err(EngineError::StateMachineTypeNotSupported(latest.record.arn.clone()));
        };
        if stepline_asl::interp::payload_too_large(&input, self.config.max_payload) {
            let limit = self.config.max_payload;
            return Err(EngineError::InvalidExecutionInput(format!("the input is larger than {limit} bytes")));
        }
        let now = self.clock.now();
        let name = match name {
            Some(n) => {
                valid_name(&n)?;
                n
            }
            None => self.generate_name(now),
        };
        let seed = self.next_random();
        let sm = &latest.record;
        let arn = format!("{}{}:{name}", self.arn_prefix, sm.name);
        let info = execution_info(sm, arn, name, now);
        let version = sm.version;
        // An EXPRESS execution keeps no history, unless its machine logs: then its events
        // are recorded for the logs (and still not stored).
        let logging = match self.log_sinks.is_empty() {
            true => None,
            false => Logging::of(sm.logging.as_ref()),
        };
        let (mut exec, cmds) = match logging {
            Some(_) => interp::start(machine, info, input, now, seed),
            None => interp::start_unrecorded(machine, info, input, now, seed),
        };
        if let Some(l) = &logging {
            let events: Vec<Value> = exec.take_history().iter().map(|e| e.to_stored_json()).collect();
            let name = crate::exec_logs::machine_name(&sm.arn);
            for line in crate::exec_logs::lines(&events, &exec.info.arn, 0, l) {
                for sink in &self.log_sinks {
                    sink.write(name, &line);
                }
            }
        }
        let mut record = ExecutionRecord::started(&exec.info, version, exec.input.clone());
        record.parent = parent.or_else(|| started_by(&exec.input));
        if let Some(q) = qualified {
            record.version_arn = q.version_arn.clone();
            record.alias_arn = q.alias_arn.clone();
        }
        self.notify(&record);
        if exec.status != Status::Running {
            // Done on this thread: the execution's output moves into the summary.
            let output = exec.output.take();
            summarize(&mut record, &exec);
            self.metrics.transitions.fetch_add(record.transitions, Ordering::Relaxed);
            record.output = output;
            self.remember_new(record.clone());
            self.notify(&record);
            return Ok((record, None));
        }
        summarize(&mut record, &exec);
        self.metrics.transitions.fetch_add(record.transitions, Ordering::Relaxed);
        let slot = self.remember_new(record.clone());
        let waiting = Waiting { machine: machine.clone(), exec, cmds, record: record.clone(), slot };
        Ok((record, Some(waiting)))
    }

    /// Keeps the summary of an EXPRESS execution started elsewhere (a Map Run's child).
    pub(crate) fn remember(&self, record: ExecutionRecord) -> Slot {
        self.remember_new(record)
    }

    pub(crate) fn region(&self) -> &str {
        &self.config.region
    }

    pub(crate) fn account(&self) -> &str {
        &self.config.account
    }

    /// A roll in `0..100` for an alias's weighted routing, from this thread's source.
    pub(crate) fn roll(&self) -> u32 {
        (self.next_random() % 100) as u32
    }

    fn next_random(&self) -> u64 {
        self.per_thread(|t| next_u64(&mut t.random))
    }

    /// A version 7 UUID; names a thread makes sort in the order it made them.
    fn generate_name(&self, now: Millis) -> String {
        let (taken, random) = self.per_thread(|t| {
            t.last_name = ((now.max(0) as u64) << 12).max(t.last_name + 1);
            (t.last_name, next_u64(&mut t.random))
        });
        format_v7(taken >> 12, (taken & 0xfff) as u16, random)
    }

    /// Keeps a new execution's summary, in the shard the next counter value picks.
    fn remember_new(&self, record: ExecutionRecord) -> Slot {
        // A thread fills one shard for a while, then moves on: two threads rarely meet.
        let shard = self.per_thread(|t| {
            t.records += 1;
            ((t.random >> 40) + t.records / 64) as usize % SHARDS
        });
        let seq = self.recent[shard].0.lock().map(|mut r| r.push(record)).unwrap_or(0);
        Slot { shard, seq }
    }

    fn notify(&self, record: &ExecutionRecord) {
        // Started and ended on this thread: `as_started` carries no stop time.
        self.metrics.status_changed(&record.state_machine_arn, record.stop.is_none(), record.status);
        for l in &self.listeners {
            l.status_changed(record);
        }
    }

    /// Updates a kept summary (an execution that waited has moved on); one dropped for
    /// newer ones in the meantime is kept again.
    pub fn update(&self, slot: Slot, record: ExecutionRecord) {
        let Ok(mut r) = self.recent[slot.shard].0.lock() else { return };
        let kept = slot.seq.checked_sub(r.front_seq).and_then(|i| r.records.get_mut(i as usize));
        match kept {
            Some(kept) if kept.arn == record.arn => *kept = record,
            _ => {
                r.push(record);
            }
        }
    }

    /// The payload limit of every execution (the engine's `max_payload`).
    pub fn max_payload(&self) -> usize {
        self.config.max_payload
    }

    pub fn describe(&self, arn: &str) -> Option<ExecutionRecord> {
        self.recent.iter().find_map(|shard| shard.0.lock().ok()?.find(arn).map(|r| r.clone()))
    }

    /// Remembered executions newest first, filtered like the store's list.
    pub fn list(
        &self,
        machine: Option<&str>,
        status: Option<Status>,
        limit: usize,
        before: Option<(Millis, &str)>,
    ) -> Vec<ExecutionRecord> {
        let mut out: Vec<ExecutionRecord> = Vec::new();
        for shard in &self.recent {
            let Ok(r) = shard.0.lock() else { continue };
            out.extend(
                r.records
                    .iter()
                    .filter(|e| machine.is_none_or(|m| e.state_machine_arn == m))
                    .filter(|e| status.is_none_or(|s| e.status == s))
                    .filter(|e| before.is_none_or(|(ms, arn)| (e.start, e.arn.as_str()) < (ms, arn)))
                    .cloned(),
            );
        }
        out.sort_by(|a, b| (b.start, &b.arn).cmp(&(a.start, &a.arn)));
        out.truncate(limit);
        out
    }
}

fn next_u64(state: &mut u64) -> u64 {
    let mut rng = SplitMix64(*state);
    let v = rng.next_u64();
    *state = rng.0;
    v
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
