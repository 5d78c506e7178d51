//! Rebuilding running executions from their journals: at start-up, after the store
//! refused a write (the store is reopened and memory rebuilt from the last commit), and
//! before a redrive.
//!
//! A replay must reach exactly what was stored: the interpreter accepts every journalled
//! input and produces as many events as the history holds. When it does not (the
//! interpreter or the definition changed under a running execution), the execution is a
//! [`Divergence`]: never resumed on a guess, but failed with `Stepline.Nondeterminism`,
//! logged and counted, so an operator sees it and can start it again from its input.

use crate::error::EngineError;
use crate::live::{span, Live, LiveMocks};
use crate::state::{Degraded, EngineState};
use crate::store::{ExecutionRecord, JournalEntry, StoreError};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stepline_asl::history::{EventKind, HistoryEvent};
use stepline_asl::interp::{self, Status};

/// The error an execution whose journal no longer replays ends with.
pub const NONDETERMINISM: &str = "Stepline.Nondeterminism";

/// How often a store that refused a write is tried again.
const STORE_RETRY: Duration = Duration::from_secs(1);

/// Where and how a replay left the stored execution behind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Divergence {
    /// The interpreter refused a journalled input.
    #[error("the interpreter refused journal entry {entry}: {error}")]
    Refused { entry: u64, error: String },
    /// The replay produced another number of history events than were stored.
    #[error("the replay produced {got} history events where {expected} were stored")]
    EventCount { expected: u64, got: u64 },
}

impl EngineState {
    /// The engine's state after a start: every running execution replayed, the tasks they
    /// wait on handed out again.
    pub(crate) fn recover(mut self) -> Result<EngineState, EngineError> {
        self.replay_running()?;
        Ok(self)
    }

    /// Replays every running execution; those that diverge are failed.
    fn replay_running(&mut self) -> Result<usize, EngineError> {
        let running = self.store.running()?;
        let n = running.len();
        let mut diverged = Vec::new();
        for record in running {
            let arn = record.arn.clone();
            if let Err(d) = self.replay(record.clone())? {
                diverged.push((record, d));
                self.retire_replayed(&arn);
            }
        }
        if !diverged.is_empty() {
            self.fail_diverged(diverged)?;
        }
        // Tasks that were in flight are handed out again; a worker's second answer to the
        // same token finds it gone and is refused, so nothing is applied twice.
        self.effects.withdraw_all(&self.dispatch);
        self.effects.dispatch_all(&self.dispatch);
        Ok(n)
    }

    /// Rebuilds a running (or, for a redrive, ended) execution from its journal. The outer
    /// error is the store's; the inner one says the journal no longer replays.
    pub(crate) fn replay(&mut self, record: ExecutionRecord) -> Result<Result<(), Divergence>, EngineError> {
        let _span = span(&record.arn).entered();
        let machine = self.machines.get(
            self.store.as_ref(),
            &self.config,
            &record.state_machine_arn,
            record.state_machine_version,
        )?;
        let journal = self.store.journal(&record.arn)?;
        let mut entries = journal.into_iter();
        let Some(JournalEntry::Start { info, input, seed, now, test_case }) = entries.next() else {
            return Ok(Ok(()));
        };
        // A mock config gone since the execution started must not stop the engine: its
        // tasks go to workers instead.
        let mocks = test_case.as_ref().and_then(|case| match self.test_case_mocks(&info.state_machine_name, case) {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(execution_arn = %record.arn, "{e}; its tasks go to workers");
                None
            }
        });
        let (mut exec, cmds) = interp::start(&machine, info, (*input).clone(), now, seed);
        exec.take_history(); // already stored
        let arn = record.arn.clone();
        let expected = record.events;
        let stored_status = Some(record.status);
        let mut live = Live::new(machine.clone(), exec, record, stored_status);
        live.mocks = mocks;
        self.live.insert(arn.clone(), live);
        self.apply_commands(&arn, cmds);
        for (i, entry) in entries.enumerate() {
            let JournalEntry::Event { now, event } = entry else { continue };
            self.forget_answered(&arn, &event);
            let live = self.live.get_mut(&arn).expect("inserted above");
            match interp::handle(&machine, &mut live.exec, now, event) {
                Ok(cmds) => {
                    live.exec.take_history();
                    self.apply_commands(&arn, cmds);
                }
                // Entry 1 is the start: this is entry i + 2.
                Err(e) => return Ok(Err(Divergence::Refused { entry: i as u64 + 2, error: e.to_string() })),
            }
        }
        let got = self.live.get(&arn).map_or(expected, |l| l.exec.event_count());
        if got != expected {
            return Ok(Err(Divergence::EventCount { expected, got }));
        }
        Ok(Ok(()))
    }

    /// Drops what a replay that diverged had rebuilt: nothing of it is handed out.
    pub(crate) fn retire_replayed(&mut self, arn: &str) {
        let Some(live) = self.live.remove(arn) else { return };
        for token in live.tasks.values() {
            if let Some(t) = self.tasks.tokens.remove(token) {
                let handed_as = t.invocation.unwrap_or_else(|| token.clone());
                self.tasks.invocations.remove(&handed_as);
                self.effects.dispatch.swap_remove(&handed_as);
            }
        }
        for (id, at) in live.timers {
            self.timers.remove(at, arn, id);
        }
    }

    /// Fails executions whose journal no longer replays, with what went wrong, in one
    /// commit: their history ends with an `ExecutionFailed` event.
    fn fail_diverged(&mut self, diverged: Vec<(ExecutionRecord, Divergence)>) -> Result<(), EngineError> {
        let now = self.clock.now();
        let mut batch = self.store.begin()?;
        for (mut rec, d) in diverged {
            let cause = format!(
                "{d}; the execution was not resumed (the definition version or Stepline changed since it started): start it again from its input"
            );
            tracing::error!(execution_arn = %rec.arn, "journal does not replay: {cause}");
            self.nondeterministic.fetch_add(1, Ordering::Relaxed);
            let event = HistoryEvent {
                id: rec.events + 1,
                previous_event_id: rec.events,
                timestamp: now,
                kind: EventKind::ExecutionFailed { error: NONDETERMINISM.into(), cause: cause.clone() },
            };
            batch.append_history(&rec.arn, &[event.to_stored_json()])?;
            let previous = Some(rec.status);
            rec.events += 1;
            rec.status = Status::Failed;
            rec.error = Some(NONDETERMINISM.into());
            rec.cause = Some(cause);
            rec.stop = Some(now);
            rec.updated = now;
            rec.retrying = false;
            batch.put_execution(&rec, previous)?;
            if !self.dispatch.listeners().is_empty() {
                self.effects.notify.push(rec);
            }
        }
        batch.commit()?;
        for record in std::mem::take(&mut self.effects.notify) {
            self.dispatch.notify(&record);
        }
        for (machine, line) in std::mem::take(&mut self.effects.logs) {
            for sink in self.dispatch.log_sinks() {
                sink.write(&machine, &line);
            }
        }
        Ok(())
    }

    /// The mocks of a test case of the configured mock config.
    pub(crate) fn test_case_mocks(&self, machine: &str, case: &str) -> Result<LiveMocks, EngineError> {
        let config = self.config.mock_config.as_ref().ok_or_else(|| {
            EngineError::TestCase(format!(
                "'{machine}#{case}' names a test case, but no mock config is loaded (stepline serve --mock-config FILE, or SFN_MOCK_CONFIG)"
            ))
        })?;
        let mocks = config.test_case(machine, case).map_err(|e| EngineError::TestCase(e.to_string()))?;
        Ok(LiveMocks { mocks: Arc::new(mocks), calls: Default::default() })
    }

    /// What an operator must know of a store failure: what happened and where.
    pub(crate) fn store_failure(&self, e: &StoreError) -> String {
        let path = self.store.location().display();
        if e.is_no_space() {
            format!("no space left on the device holding the store {path}: new work is refused until space is freed")
        } else {
            format!("the store {path} refused a write ({e}): new work is refused until writes succeed again")
        }
    }

    /// Stops taking work until the store takes writes again (see [`Self::try_recover`]).
    pub(crate) fn degrade(&mut self, reason: String) {
        if self.degraded.is_none() {
            tracing::error!("{reason}");
        }
        let retry_at = Instant::now() + STORE_RETRY;
        let reason = self.degraded.take().map_or(reason, |d| d.reason);
        self.degraded = Some(Degraded { reason, retry_at });
    }

    /// Reopens the store and checks that it takes a write; then rebuilds the running
    /// executions from what was last committed, as a restart would, and takes work again.
    pub(crate) fn try_recover(&mut self) {
        let Some(d) = &mut self.degraded else { return };
        if Instant::now() < d.retry_at {
            return;
        }
        d.retry_at = Instant::now() + STORE_RETRY;
        let now = self.clock.now();
        let checked = self.store.reopen().and_then(|()| {
            let mut b = self.store.begin()?;
            b.probe(now)?;
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
                    self.store.location().display()
                );
                self.degraded = None;
            }
            Err(e) => tracing::error!("rebuilding the running executions after a store failure: {e}"),
        }
    }

    /// Forgets the in-memory state of running executions and replays them from the store.
    fn rebuild(&mut self) -> Result<usize, EngineError> {
        self.tasks.forget_all(&mut self.effects);
        self.effects.withdraw_all(&self.dispatch);
        self.live.clear();
        self.timers.clear();
        self.effects.dispatch.clear();
        self.effects.notify.clear();
        self.effects.logs.clear();
        self.machines.clear();
        self.named_in_batch.clear();
        self.held_answers.clear();
        self.calls.clear();
        self.unwritten.clear();
        self.children.clear();
        self.child_waiters.clear();
        self.map_runs.clear();
        self.map_run_starts.clear();
        self.map_run_ended.clear();
        self.replay_running()
    }
}
