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
    /// Settled tasks taken out of their queue before a worker took them.
    pub tasks_withdrawn: AtomicU64,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Adds one to `counter`.
    pub fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
