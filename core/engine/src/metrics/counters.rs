//! The engine's counters, gauges and histograms, by state machine and by activity.

use super::histogram::{Histogram, HistogramSnapshot, SECONDS, SIZES};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use stepline_asl::interp::Status;

/// Per activity: tasks handed out, answered (a result or a failure) and timed out, and
/// how long answered ones took from hand-out to answer.
#[derive(Debug)]
pub struct ActivityTasks {
    pub dispatched: u64,
    pub answered: u64,
    pub timed_out: u64,
    pub latency: Histogram,
}

impl Default for ActivityTasks {
    fn default() -> Self {
        ActivityTasks { dispatched: 0, answered: 0, timed_out: 0, latency: Histogram::new(SECONDS) }
    }
}

/// Everything the engine counts. Shared (`Arc`) between the engine thread, the caller
/// threads that run EXPRESS executions, and the metrics endpoint.
#[derive(Debug)]
pub struct EngineMetrics {
    /// States entered, every execution together.
    pub transitions: AtomicU64,
    /// Time of each batch's commit, in seconds.
    pub commit_seconds: Histogram,
    /// Requests applied per batch.
    pub batch_requests: Histogram,
    /// Executions held in memory (running or waiting), and timers set, after the last batch.
    pub live_executions: AtomicU64,
    pub timers: AtomicU64,
    /// Ended executions pruned by history retention.
    pub pruned: AtomicU64,
    /// Start-up recovery has finished: the engine takes requests.
    pub recovered: AtomicBool,
    /// Executions started, by state machine ARN.
    started: Mutex<BTreeMap<String, u64>>,
    /// Executions ended, by state machine ARN and status.
    ended: Mutex<BTreeMap<(String, &'static str), u64>>,
    tasks: Mutex<BTreeMap<String, ActivityTasks>>,
}

impl Default for EngineMetrics {
    fn default() -> Self {
        EngineMetrics {
            transitions: AtomicU64::new(0),
            commit_seconds: Histogram::new(SECONDS),
            batch_requests: Histogram::new(SIZES),
            live_executions: AtomicU64::new(0),
            timers: AtomicU64::new(0),
            recovered: AtomicBool::new(false),
            pruned: AtomicU64::new(0),
            started: Mutex::default(),
            ended: Mutex::default(),
            tasks: Mutex::default(),
        }
    }
}

/// One activity's task figures, read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivitySnapshot {
    pub activity: String,
    pub dispatched: u64,
    pub answered: u64,
    pub timed_out: u64,
    pub latency: HistogramSnapshot,
}

impl EngineMetrics {
    /// An execution's status changed: `new` when it had none stored (it started now).
    pub fn status_changed(&self, machine: &str, new: bool, status: Status) {
        if new {
            if let Ok(mut m) = self.started.lock() {
                *m.entry(machine.to_string()).or_default() += 1;
            }
        }
        if status != Status::Running {
            if let Ok(mut m) = self.ended.lock() {
                *m.entry((machine.to_string(), status.as_str())).or_default() += 1;
            }
        }
    }

    pub fn task_dispatched(&self, activity: &str) {
        self.with_activity(activity, |t| t.dispatched += 1);
    }

    /// A task was answered `seconds` after it was handed out.
    pub fn task_answered(&self, activity: &str, seconds: f64) {
        self.with_activity(activity, |t| {
            t.answered += 1;
            t.latency.observe(seconds);
        });
    }

    pub fn task_timed_out(&self, activity: &str) {
        self.with_activity(activity, |t| t.timed_out += 1);
    }

    fn with_activity(&self, activity: &str, f: impl FnOnce(&mut ActivityTasks)) {
        if let Ok(mut m) = self.tasks.lock() {
            match m.get_mut(activity) {
                Some(t) => f(t),
                None => f(m.entry(activity.to_string()).or_default()),
            }
        }
    }

    pub fn started(&self) -> Vec<(String, u64)> {
        self.started.lock().map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect()).unwrap_or_default()
    }

    pub fn ended(&self) -> Vec<(String, &'static str, u64)> {
        self.ended.lock().map(|m| m.iter().map(|((k, s), v)| (k.clone(), *s, *v)).collect()).unwrap_or_default()
    }

    pub fn activities(&self) -> Vec<ActivitySnapshot> {
        let Ok(m) = self.tasks.lock() else { return vec![] };
        m.iter()
            .map(|(a, t)| ActivitySnapshot {
                activity: a.clone(),
                dispatched: t.dispatched,
                answered: t.answered,
                timed_out: t.timed_out,
                latency: t.latency.snapshot(),
            })
            .collect()
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
