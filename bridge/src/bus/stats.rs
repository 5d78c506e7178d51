//! What a bus has done, for logs and tests: one set of counters for every bus, each
//! counted in one place (`disposition.rs` for what arrives, the transports for what they
//! publish or dead-letter).

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one bus. A counter a bus has no use for stays at zero.
#[derive(Debug, Default)]
pub struct Stats {
    pub tasks_published: AtomicU64,
    pub results_applied: AtomicU64,
    /// Results for a token that is unknown, stale or already answered: dropped.
    pub results_dropped: AtomicU64,
    /// Results that are not a worker protocol message.
    pub results_malformed: AtomicU64,
    pub triggers_started: AtomicU64,
    /// Trigger messages rejected for good (not JSON, too large, refused by the engine).
    pub triggers_rejected: AtomicU64,
    /// Messages stored on the dead-letter exchange (AMQP: bad triggers, malformed results).
    pub dead_lettered: AtomicU64,
    pub events_published: AtomicU64,
    /// Connections made again after the broker went away.
    pub reconnects: AtomicU64,
    /// 1 while a session with the broker is up (AMQP; NATS asks its client).
    pub connected: AtomicU64,
    /// Settled tasks taken out of their queue before a worker took them.
    pub tasks_withdrawn: AtomicU64,
    /// `triggers_rejected` by reason: `not_json`, or the AWS error type of the start.
    rejected_by: std::sync::Mutex<std::collections::BTreeMap<&'static str, u64>>,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// A trigger message rejected for good, and why.
    pub fn rejected(&self, reason: &'static str) {
        Stats::count(&self.triggers_rejected);
        if let Ok(mut m) = self.rejected_by.lock() {
            *m.entry(reason).or_default() += 1;
        }
    }

    pub fn rejections(&self) -> Vec<(&'static str, u64)> {
        self.rejected_by.lock().map(|m| m.iter().map(|(k, v)| (*k, *v)).collect()).unwrap_or_default()
    }

    /// Adds one to `counter`.
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
