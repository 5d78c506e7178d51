//! Child executions: a Task that starts another execution of this engine, waits for it
//! (`.sync`, `.sync:2`) or for its callback (`.waitForTaskToken`), stops it when the parent
//! no longer waits, and finds it again when the parent is replayed after a crash.
//!
//! Everything happens in the batch that asked for it: the parent's task, the child's start
//! and, when the child ends at once, the parent's answer commit together, so a crash
//! leaves either all of it or none.

use super::call::{ChildLink, ChildMode, EngineCall, ParentCall, PendingCall};
use super::shapes::{api_error, call_id, child_params, start_response, sync_answer, ChildParams};
use crate::catalog::qualified::{is_qualified, resolve};
use crate::error::EngineError;
use crate::request::TaskAnswer;
use crate::requests::executions::StartOptions;
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::ExecutionRecord;
use stepline_asl::interp::Status;

/// Most engine calls and held answers (mocked tasks, engine calls) applied in one batch: a
/// loop of tasks answered at once (children that end at once, mocks) gets a share of each
/// batch and the rest in the next ones, so the engine keeps answering everyone else.
const CALLS_PER_BATCH: usize = 1_000;

impl EngineState {
    /// Makes the engine calls, applies the answers they (and mocks) produced, and stops the
    /// children nobody waits on any more, until nothing is left or the batch's share is
    /// used up (then the next batch comes at once).
    pub(crate) fn settle(&mut self, batch: &mut dyn BatchWriter) {
        let mut budget = CALLS_PER_BATCH;
        loop {
            let released = self.release_children(batch) | self.release_map_runs(batch);
            let ran = self.advance_map_runs(batch);
            let calls = std::mem::take(&mut self.calls);
            let made = calls.len().min(budget);
            let mut calls = calls.into_iter();
            for c in calls.by_ref().take(made) {
                self.make_call(batch, c);
            }
            // Calls scheduled meanwhile go after those left over.
            let later = std::mem::replace(&mut self.calls, calls.collect());
            self.calls.extend(later);
            budget -= made;
            let answered = self.answer_held(batch, budget);
            budget -= answered;
            if (made == 0 && answered == 0 && !released && !ran) || budget == 0 {
                break;
            }
        }
        // What the last answers withdrew is released before the commit too, and what
        // stopping those withdrew in turn (a child's own children, its Map Runs).
        for _ in 0..64 {
            if !(self.release_children(batch) | self.release_map_runs(batch)) {
                break;
            }
        }
    }

    /// Work left for the next batch: it should come at once.
    pub(crate) fn unsettled(&self) -> bool {
        !self.calls.is_empty() || !self.held_answers.is_empty() || self.map_runs_unsettled()
    }

    fn make_call(&mut self, batch: &mut dyn BatchWriter, c: PendingCall) {
        // Gone or another attempt's: cancelled, or answered in the journal replayed.
        let current = self.tasks.tokens.get(&c.token).is_some_and(|t| t.id == c.id && t.arn == c.arn);
        if !current {
            return;
        }
        let rid = call_id(&c.token, c.retry_count);
        let answer = match c.call {
            EngineCall::StartExecution { mode, sdk } => self.start_child(batch, &c, mode, sdk, &rid),
            EngineCall::Sdk(api) => Some(self.sdk_call(batch, api, &c.input, &rid)),
        };
        if let Some(a) = answer {
            self.held_answers.push((c.token, a));
        }
    }

    /// Starts (or, replayed, finds) the child of a `startExecution` task; the task's answer
    /// when it has one now.
    fn start_child(
        &mut self,
        batch: &mut dyn BatchWriter,
        c: &PendingCall,
        mode: ChildMode,
        sdk: bool,
        rid: &str,
    ) -> Option<TaskAnswer> {
        let params = match child_params(&c.input, sdk, rid) {
            Ok(p) => p,
            Err(answer) => return Some(answer),
        };
        let parent = ParentCall { arn: c.arn.clone(), call: rid.to_string() };
        let rec = match self.start_or_find(batch, params, parent) {
            Ok(r) => r,
            Err(e) => return Some(api_error(&e, sdk, rid)),
        };
        tracing::debug!(execution_arn = %c.arn, child = %rec.arn, "started a child execution");
        if let Some(t) = self.tasks.tokens.get_mut(&c.token) {
            t.info.child = Some(rec.arn.clone());
        }
        match mode {
            ChildMode::Start => Some(TaskAnswer::Success(start_response(&rec, sdk, rid, self.clock.now()))),
            ChildMode::Sync | ChildMode::Sync2 if rec.status != Status::Running => {
                Some(sync_answer(&rec, mode == ChildMode::Sync2))
            }
            ChildMode::Sync | ChildMode::Sync2 => {
                self.child_waiters.insert(rec.arn.clone(), c.token.clone());
                self.children.insert(c.token.clone(), ChildLink { child: rec.arn, mode });
                None
            }
            // The parent waits for whoever has its token; the child runs on its own.
            ChildMode::Callback => None,
        }
    }

    /// The child a parent's call started before (it was replayed after a crash), or a new
    /// one. The child's name, when the task gives none, is the call's id: the same call
    /// names the same child.
    fn start_or_find(
        &mut self,
        batch: &mut dyn BatchWriter,
        params: ChildParams,
        parent: ParentCall,
    ) -> Result<ExecutionRecord, EngineError> {
        // A version or an alias of the machine (`...:orders:3`, `...:orders:prod`).
        let target = match is_qualified(&params.machine_arn) {
            true => {
                let names = &mut self.names;
                Some(resolve(self.store.as_ref(), &params.machine_arn, || names.roll())?)
            }
            false => None,
        };
        let machine_arn = target.as_ref().map_or(params.machine_arn.as_str(), |t| t.machine.as_str());
        let sm = self.machines.record(self.store.as_ref(), machine_arn)?;
        let name = params.name.unwrap_or_else(|| parent.call.clone());
        if sm.kind == "EXPRESS" {
            // In memory, as every EXPRESS execution: a replayed parent starts it again.
            let latest = match target.as_ref().and_then(|t| t.revision) {
                Some(revision) => self.express.pinned(&sm.arn, revision)?,
                None => self.express.latest(&sm.arn)?,
            };
            let (rec, waiting) =
                self.express.start(&latest, Some(name), params.input, Some(parent.arn), target.as_ref())?;
            return match waiting {
                Some(w) => self.adopt_express(batch, w),
                None => Ok(rec),
            };
        }
        let arn = self.names.arn("execution", &format!("{}:{name}", sm.name));
        let existing = match self.live.get(&arn) {
            Some(l) => Some(l.record.clone()),
            None => match self.named_in_batch.get(&arn) {
                Some(r) => Some(r.clone()),
                None => self.store.execution(&arn)?,
            },
        };
        if let Some(r) = existing.filter(|r| r.parent_call.as_deref() == Some(parent.call.as_str())) {
            return Ok(r);
        }
        let version = target.as_ref().and_then(|t| t.revision);
        let how = StartOptions { parent: Some(parent), version, qualified: target, ..StartOptions::default() };
        self.start(batch, &sm.arn, Some(name), params.input, how)
    }

    /// An execution has ended: the `.sync` task waiting on it gets its answer.
    pub(crate) fn child_ended(&mut self, rec: &ExecutionRecord) {
        if rec.parent_call.is_some() {
            // Not in the store before the commit: a replayed parent's call in this batch
            // must find it ended.
            self.named_in_batch.insert(rec.arn.clone(), rec.clone());
        }
        let Some(token) = self.child_waiters.remove(&rec.arn) else { return };
        if let Some(link) = self.children.remove(&token) {
            self.held_answers.push((token, sync_answer(rec, link.mode == ChildMode::Sync2)));
        }
    }

    /// Takes the withdrawals of engine calls out of the batch's list (no dispatcher has
    /// them) and stops the `.sync` children whose parent no longer waits: it was stopped,
    /// failed elsewhere, or its task timed out. Returns whether there were any.
    fn release_children(&mut self, batch: &mut dyn BatchWriter) -> bool {
        // Every answered task is withdrawn: most batches have nothing here to take.
        if !self.effects.withdraw.iter().any(|w| engine_activity(&w.activity)) {
            return false;
        }
        let (ours, theirs): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.effects.withdraw).into_iter().partition(|w| engine_activity(&w.activity));
        self.effects.withdraw = theirs;
        let mut any = false;
        for w in ours {
            let Some(link) = self.children.remove(&w.token) else { continue };
            self.child_waiters.remove(&link.child);
            if w.answered {
                continue;
            }
            any = true;
            let cause = "Stopped because the execution that started it no longer waits for it".to_string();
            if let Err(e) = self.stop(batch, &link.child, None, Some(cause)) {
                tracing::warn!(child = %link.child, "stopping a child execution: {e}");
            }
        }
        any
    }
}

/// Whether tasks of `activity` are the engine's own calls (no dispatcher has them).
fn engine_activity(activity: &str) -> bool {
    activity == "states:startExecution"
        || (activity.starts_with("aws-sdk:sfn:")
            && EngineCall::parse(&format!("arn:aws:states:::{activity}")).is_some())
}
