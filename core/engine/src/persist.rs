//! From the interpreter to the store: an input journalled and applied, the history it
//! produced and the execution's summary written, ended executions retired.

use crate::error::EngineError;
use crate::express::summarize;
use crate::live::span;
use crate::state::EngineState;
use crate::storage::{BatchWriter, HistoryReader};
use crate::store::{ExecutionRecord, JournalEntry, StoreError};
use serde_json::Value;
use stepline_asl::interp::{self, Event, Status};
use stepline_asl::time::Millis;

impl EngineState {
    /// Journals `event`, applies it, and writes what it produced.
    pub(crate) fn feed(
        &mut self,
        batch: &mut dyn BatchWriter,
        arn: &str,
        now: Millis,
        event: Event,
    ) -> Result<(), EngineError> {
        let _span = span(arn).entered();
        let Some(live) = self.live.get_mut(arn) else {
            return Err(EngineError::ExecutionNotRunning(arn.into()));
        };
        let machine = live.machine.clone();
        let cmds = match interp::handle(&machine, &mut live.exec, now, event.clone()) {
            Ok(c) => c,
            // A stale timer or result: nothing to journal.
            Err(_) => return Ok(()),
        };
        if live.express.is_none() {
            live.record.journal += 1;
            batch.append_journal(arn, live.record.journal, &JournalEntry::Event { now, event })?;
        }
        self.apply_commands(arn, cmds);
        self.persist(batch, arn).map(drop)
    }

    /// Writes new history events and the execution's summary; retires ended executions.
    /// Returns the summary as stored.
    pub(crate) fn persist(&mut self, batch: &mut dyn BatchWriter, arn: &str) -> Result<ExecutionRecord, EngineError> {
        let now = self.clock.now();
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
            live.record.updated = now;
        }
        let logging = match self.dispatch.log_sinks().is_empty() || events.is_empty() {
            true => None,
            false => self.machines.logging(self.store.as_ref(), &live.record.state_machine_arn),
        };
        if live.express.is_none() || logging.is_some() {
            let events: Vec<Value> = events.iter().map(|e| e.to_stored_json()).collect();
            if let Some(l) = &logging {
                let machine = crate::exec_logs::machine_name(&live.record.state_machine_arn).to_string();
                let lines = crate::exec_logs::lines(&events, arn, live.record.redrive_count, l);
                self.effects.logs.extend(lines.into_iter().map(|line| (machine.clone(), line)));
            }
            if live.express.is_none() {
                batch.append_history(arn, &events)?;
            }
        }
        let timed_out =
            events.iter().filter(|e| matches!(e.kind, stepline_asl::history::EventKind::TaskTimedOut { .. })).count();
        let rec = &mut live.record;
        let transitions = rec.transitions;
        summarize(rec, &live.exec);
        let metrics = &self.express.metrics;
        metrics
            .transitions
            .fetch_add(rec.transitions.saturating_sub(transitions), std::sync::atomic::Ordering::Relaxed);
        // A timed-out task was withdrawn by the same step: its activity is the one noted.
        for activity in self.cancelled.drain(..).take(timed_out) {
            metrics.task_timed_out(&activity);
        }
        self.cancelled.clear();
        rec.retrying &= rec.status == Status::Running;
        rec.failed_state = match rec.status {
            Status::Running | Status::Succeeded => None,
            _ => match &live.last_entered {
                Some(n) => Some(n.to_string()),
                None => last_entered_stored(self.store.as_ref(), arn),
            },
        };
        if live.stored_status != Some(rec.status) {
            metrics.status_changed(&rec.state_machine_arn, live.stored_status.is_none(), rec.status);
        }
        if live.stored_status != Some(rec.status) && !self.dispatch.listeners().is_empty() {
            if live.stored_status.is_none() && rec.status != Status::Running {
                self.effects.notify.push(rec.as_started());
            }
            self.effects.notify.push(rec.clone());
        }
        if let Some(slot) = live.express {
            self.express.update(slot, rec.clone());
        } else if rec.status == Status::Running {
            // Written once, when the batch ends: an execution fed a thousand answers in
            // one batch (a Map's tasks or children) must not rewrite its summary, input
            // and all, a thousand times.
            self.unwritten.entry(arn.to_string()).or_insert(live.stored_status);
        } else {
            let stored = self.unwritten.swap_remove(arn).unwrap_or(live.stored_status);
            batch.put_execution(rec, stored)?;
        }
        live.stored_status = Some(rec.status);
        let stored = rec.clone();
        if rec.status == Status::Running {
            live.exec.shrink();
        } else {
            if let Some(reply) = self.sync_waiters.remove(arn) {
                self.effects.finished_sync.push((reply, stored.clone()));
            }
            if let Some(run) = &stored.map_run {
                self.map_run_ended
                    .push(crate::map_runs::live::ChildEnd { map_run: run.clone(), record: stored.clone() });
            }
            self.child_ended(&stored);
            self.retire(arn);
        }
        Ok(stored)
    }

    /// Writes the summaries of the running executions this batch changed, each once, with
    /// the status the store holds for it.
    pub(crate) fn write_summaries(&mut self, batch: &mut dyn BatchWriter) -> Result<(), StoreError> {
        for (arn, stored) in std::mem::take(&mut self.unwritten) {
            if let Some(live) = self.live.get(&arn) {
                batch.put_execution(&live.record, stored)?;
            }
        }
        Ok(())
    }

    /// An execution has ended: it leaves memory, and nothing it waited on stands.
    fn retire(&mut self, arn: &str) {
        let Some(live) = self.live.remove(arn) else { return };
        for token in live.tasks.values() {
            self.tasks.withdraw(&mut self.effects, token, false);
        }
        for (id, at) in live.timers {
            self.timers.remove(at, arn, id);
        }
    }
}

/// The last state entered according to the stored history (the engine restarted since).
fn last_entered_stored(store: &dyn HistoryReader, arn: &str) -> Option<String> {
    let events = store.history(arn, 0, 10_000, true).ok()?;
    events.iter().find_map(|e| {
        e["type"].as_str().filter(|t| t.ends_with("StateEntered"))?;
        e["stateEnteredEventDetails"]["name"].as_str().map(str::to_string)
    })
}
