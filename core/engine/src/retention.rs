//! History retention: ended executions past the configured age, or beyond the newest
//! configured number, are pruned on the engine thread a bounded number per batch, at most
//! one pruning batch per interval, so the engine keeps answering at its usual pace. The
//! store keeps its counts and indexes exact as it deletes (`store/prune.rs`).

use crate::state::EngineState;
use crate::storage::BatchWriter;
use stepline_asl::interp::Status;

impl EngineState {
    /// When the next pruning round is due, in the engine clock's milliseconds (`None`:
    /// retention is off).
    pub(crate) fn prune_due(&self) -> Option<stepline_asl::time::Millis> {
        self.config.retention.as_ref().map(|_| self.next_prune)
    }

    /// One round of pruning into `batch`, if due; how many executions it removed.
    pub(crate) fn prune(&mut self, batch: &mut dyn BatchWriter) -> usize {
        let Some(policy) = self.config.retention.clone() else { return 0 };
        let now = self.clock.now();
        if now < self.next_prune {
            return 0;
        }
        let removed = match self.prune_round(batch, &policy, now) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!("history retention: {e}");
                0
            }
        };
        // Nothing to prune: look again in a second (two small reads).
        let pause = if removed == 0 { 1_000 } else { policy.interval_ms as i64 };
        self.next_prune = now + pause;
        removed
    }

    fn prune_round(
        &mut self,
        batch: &mut dyn BatchWriter,
        policy: &crate::config::Retention,
        now: stepline_asl::time::Millis,
    ) -> Result<usize, crate::error::EngineError> {
        // Beyond the newest `max_ended`: the oldest ended, whatever their age.
        if let Some(keep) = policy.max_ended {
            let over = self.store.ended_count()?.saturating_sub(keep) as usize;
            if over > 0 {
                return self.remove(batch, over.min(policy.per_batch), None, None);
            }
        }
        let Some(days) = policy.max_age_days else { return Ok(0) };
        let cutoff = now - (days as i64) * 86_400_000;
        self.remove(batch, policy.per_batch, Some(cutoff), Some(cutoff))
    }

    /// Removes up to `n` ended executions, oldest first: started before `before`, and
    /// (when `stopped_before` is set) stopped before it too.
    fn remove(
        &mut self,
        batch: &mut dyn BatchWriter,
        n: usize,
        before: Option<stepline_asl::time::Millis>,
        stopped_before: Option<stepline_asl::time::Millis>,
    ) -> Result<usize, crate::error::EngineError> {
        let mut removed = 0;
        for (_, arn) in self.store.oldest_ended(n, before)? {
            // An execution redriven in this batch is running again; one in memory is live.
            if self.live.contains_key(&arn) || self.named_in_batch.contains_key(&arn) {
                continue;
            }
            let Some(rec) = self.store.execution(&arn)? else { continue };
            if rec.status == Status::Running || stopped_before.is_some_and(|c| rec.stop.is_none_or(|s| s >= c)) {
                continue;
            }
            batch.delete_execution(&rec)?;
            removed += 1;
        }
        self.express.metrics.pruned.fetch_add(removed as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(removed)
    }
}
