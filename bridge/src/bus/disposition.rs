//! What a transport does with a message that arrived, decided once for every bus from
//! what the engine made of it, and counted here once. The transports only map it to
//! their own verbs: ack; nak with a delay or requeue after one; terminate or dead-letter.

use super::ingest::{self, ResultOutcome, TriggerOutcome};
use super::stats::Stats;
use std::time::Duration;
use stepline_core::engine::{Engine, TaskAnswer};

/// How long a message the engine could not take now waits before it is delivered again,
/// so a failing engine is not spun on.
pub const RETRY_DELAY: Duration = Duration::from_secs(1);

/// What becomes of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Disposition {
    /// Done with (applied, started, or dropped as a duplicate): acknowledge.
    Ack,
    /// Not taken now: deliver again after this delay.
    Retry(Duration),
    /// Can never be used: reject for good with this reason (dead-letter where the bus has
    /// a dead-letter exchange).
    Reject(String),
}

/// A worker's result, parsed: applied to its task.
pub async fn of_result(engine: &Engine, stats: &Stats, token: &str, answer: TaskAnswer) -> Disposition {
    match ingest::apply_result(engine, token, answer).await {
        ResultOutcome::Applied => {
            Stats::count(&stats.results_applied);
            Disposition::Ack
        }
        ResultOutcome::Dropped => {
            Stats::count(&stats.results_dropped);
            Disposition::Ack
        }
        ResultOutcome::Retry(why) => {
            tracing::warn!("a result could not be applied yet: {why}");
            Disposition::Retry(RETRY_DELAY)
        }
    }
}

/// A result that is not a worker protocol message.
pub fn of_malformed_result(stats: &Stats, why: String) -> Disposition {
    Stats::count(&stats.results_malformed);
    Disposition::Reject(why)
}

/// A trigger message: starts an execution of `machine`, named by `name` if given.
pub async fn of_trigger(engine: &Engine, stats: &Stats, machine: &str, body: &[u8], name: Option<&str>) -> Disposition {
    match ingest::start_from_trigger(engine, machine, body, name).await {
        TriggerOutcome::Started => {
            Stats::count(&stats.triggers_started);
            Disposition::Ack
        }
        TriggerOutcome::Retry(why) => {
            tracing::warn!("a trigger message for {machine} will be retried: {why}");
            Disposition::Retry(RETRY_DELAY)
        }
        TriggerOutcome::Reject(reason, why) => {
            stats.rejected(reason);
            Disposition::Reject(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_result_is_rejected_and_counted() {
        let stats = Stats::default();
        assert_eq!(of_malformed_result(&stats, "not JSON".into()), Disposition::Reject("not JSON".into()));
        assert_eq!(Stats::get(&stats.results_malformed), 1);
    }
}
