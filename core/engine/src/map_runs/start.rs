//! A Map Run asked for by a Map state: created, or (the parent was replayed after a
//! restart, or redriven) found in the store and resumed where its children stand, or
//! answered again when it had ended before its answer reached the parent.

use super::live::{Items, LiveMapRun, Tolerance};
use super::spill::Spill;
use crate::error::EngineError;
use crate::machines::compile_for;
use crate::records::{MapRunRecord, RunCounts};
use crate::state::EngineState;
use crate::storage::BatchWriter;
use std::sync::Arc;
use stepline_asl::interp::{Batcher, MapItems, MapRunRequest, Status};
use stepline_asl::model::MachineType;

/// How a stored Map Run is taken up again.
#[derive(Clone, Copy, PartialEq)]
enum Resume {
    /// Not stored (or EXPRESS, which keeps nothing): a new run.
    Fresh,
    /// Running when the engine stopped: followed on.
    Running,
    /// Ended before its answer reached the parent: answered again.
    Ended,
    /// Ended unsuccessfully and its execution redriven.
    Redriven,
}

impl EngineState {
    /// Creates or resumes the Map Runs asked for since the last call.
    pub(crate) fn begin_map_runs(&mut self, batch: &mut dyn BatchWriter) {
        for (parent, req) in std::mem::take(&mut self.map_run_starts) {
            let arn = req.arn.clone();
            // Answered or cancelled already (a replayed journal held its end), or running.
            let waited = self.tasks.tokens.get(&arn).is_some_and(|t| t.arn == parent && t.id == req.id);
            if !waited || self.map_runs.contains_key(&arn) {
                continue;
            }
            match self.open_map_run(batch, &parent, *req) {
                Ok(run) => {
                    tracing::debug!(execution_arn = %parent, map_run = %arn, "Map Run started");
                    self.map_runs.insert(arn, run);
                }
                Err(e) => {
                    let cause = format!("The Map Run could not start: {e}");
                    self.abandon_map_run(batch, &arn, &cause);
                    let answer =
                        crate::request::TaskAnswer::Failure { error: stepline_asl::error_names::RUNTIME.into(), cause };
                    self.held_answers.push((arn, answer));
                }
            }
        }
    }

    /// A stored run that cannot go on (its items can no longer be read, say): its running
    /// children are stopped and it is written FAILED, so nothing of it runs unowned.
    fn abandon_map_run(&mut self, batch: &mut dyn BatchWriter, arn: &str, cause: &str) {
        let Ok(Some(mut rec)) = self.store.map_run(arn) else { return };
        if rec.status != "RUNNING" {
            return;
        }
        let mut from = 0;
        while let Ok(page) = self.store.map_run_children(arn, from, 1_000) {
            let Some(last) = page.last().map(|(i, _)| *i) else { break };
            for (_, child) in page {
                if self.live.contains_key(&child) {
                    let _ = self.stop(batch, &child, None, Some(cause.to_string()));
                }
            }
            from = last + 1;
        }
        (rec.status, rec.stop) = ("FAILED".into(), Some(self.clock.now()));
        (rec.error, rec.cause) = (Some(stepline_asl::error_names::RUNTIME.into()), Some(cause.to_string()));
        if let Err(e) = batch.put_map_run(&rec, false) {
            tracing::warn!(map_run = %arn, "writing the Map Run: {e}");
        }
    }

    fn open_map_run(
        &mut self,
        batch: &mut dyn BatchWriter,
        parent: &str,
        req: MapRunRequest,
    ) -> Result<LiveMapRun, EngineError> {
        let live = self.live.get(parent).ok_or_else(|| EngineError::ExecutionNotRunning(parent.into()))?;
        let parent_machine = live.machine.clone();
        let version = live.record.state_machine_version;
        let child_sm = format!("{}/{}", live.record.state_machine_arn, req.label);
        let child_machine = match self.machines.cached(&child_sm, version) {
            Some(m) => m,
            None => {
                let text = req.processor_definition.to_string();
                let kind = if req.express { MachineType::Express } else { MachineType::Standard };
                let m = Arc::new(compile_for(&self.config, &text, kind)?);
                if !req.express {
                    batch.put_definition(&child_sm, version, &text)?;
                }
                self.machines.insert(&child_sm, version, m.clone());
                m
            }
        };
        let now = self.clock.now();
        let stored = self.store.map_run(&req.arn)?;
        let resume = match &stored {
            None => Resume::Fresh,
            Some(r) if r.status == "RUNNING" && !r.express => Resume::Running,
            Some(r) if r.status != "RUNNING" && !req.redrive && !(r.express && r.status == "SUCCEEDED") => {
                Resume::Ended
            }
            Some(r) if r.status != "RUNNING" && req.redrive && !r.express => Resume::Redriven,
            Some(_) => Resume::Fresh,
        };
        let (start, redrive_count) = stored.as_ref().map_or((now, 0), |r| (r.start, r.redrive_count));
        let redriven = req.redrive && stored.as_ref().is_some_and(|r| r.status != "RUNNING");
        let redrive_count = redrive_count + u32::from(redriven);
        let mut record = match (&stored, resume) {
            (Some(r), Resume::Running | Resume::Ended | Resume::Redriven) => {
                let mut r = r.clone();
                if resume == Resume::Redriven {
                    (r.status, r.stop, r.error, r.cause) = ("RUNNING".into(), None, None, None);
                    r.redrive_count = redrive_count;
                }
                r
            }
            _ => MapRunRecord {
                arn: req.arn.clone(),
                execution_arn: parent.to_string(),
                state_name: req.state_name.clone(),
                state_machine_arn: child_sm,
                version,
                label: req.label.clone(),
                express: req.express,
                status: "RUNNING".into(),
                start,
                stop: None,
                max_concurrency: req.max_concurrency,
                tolerated_failure_count: req.tolerated_count.unwrap_or(0),
                tolerated_failure_percentage: req.tolerated_percentage.unwrap_or(0.0),
                items: RunCounts::default(),
                executions: RunCounts::default(),
                started: 0,
                all_read: false,
                error: None,
                cause: None,
                redrive_count,
                tolerance_given: (req.tolerated_count.is_some(), req.tolerated_percentage.is_some()),
                batched: req.batched,
            },
        };
        let (items, batcher) = match req.items {
            MapItems::Inputs(inputs) => (Items::Inputs(inputs.into()), None),
            MapItems::Reader(r) => {
                let r = *r;
                let items =
                    Items::Reader { call: r.reader, stream: None, scope: r.scope, max_items: r.max_items, read: 0 };
                (items, r.batcher.map(Batcher::new))
            }
        };
        let entries = match &req.writer {
            Some(w) if !w.resource.is_empty() => Some(Spill::create(&self.config, &record.arn)?),
            _ => None,
        };
        // The tolerance the record holds: `UpdateMapRun` may have changed it.
        let (count_given, pct_given) = record.tolerance_given;
        let tolerated = Tolerance {
            count: count_given.then_some(record.tolerated_failure_count),
            percentage: pct_given.then_some(record.tolerated_failure_percentage),
        };
        if resume == Resume::Ended {
            record.all_read = true;
        }
        let mut run = LiveMapRun {
            record,
            parent_machine,
            state: req.state,
            child_machine,
            items,
            batcher,
            running: Default::default(),
            results: Vec::new(),
            results_bytes: 0,
            entries,
            writer: req.writer,
            dirty: true,
            new: resume == Resume::Fresh && stored.is_none(),
            failure: None,
            tolerated,
            seed: req
                .arn
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)),
        };
        match resume {
            Resume::Fresh => {
                if let Items::Inputs(inputs) = &run.items {
                    let n: u64 = inputs.iter().map(|i| super::advance::items_in(i, run.record.batched)).sum();
                    run.record.items.queued(n);
                    run.record.executions.queued(inputs.len() as u64);
                }
            }
            Resume::Ended => {
                let r = &run.record;
                if r.status != "SUCCEEDED" {
                    let error = r.error.clone().unwrap_or_else(|| stepline_asl::error_names::RUNTIME.into());
                    let cause = r.cause.clone().unwrap_or_else(|| "The Map Run was aborted".into());
                    run.failure = Some((error, cause));
                    // Its results were written when it ended.
                    run.entries = None;
                } else {
                    self.resume_children(batch, &mut run, false)?;
                }
            }
            Resume::Running | Resume::Redriven => {
                self.resume_children(batch, &mut run, resume == Resume::Redriven)?;
                self.skip_started(&mut run)?;
            }
        }
        Ok(run)
    }

    /// A resumed run: its children's outcomes so far are read back (the counts taken
    /// again from them) and the running ones followed again. Redriven, its unsuccessful
    /// children are redriven too; those that succeeded keep their results.
    fn resume_children(
        &mut self,
        batch: &mut dyn BatchWriter,
        run: &mut LiveMapRun,
        redrive: bool,
    ) -> Result<(), EngineError> {
        run.record.items = RunCounts::default();
        run.record.executions = RunCounts::default();
        let mut from = 0;
        loop {
            let page = self.store.map_run_children(&run.record.arn, from, 1_000)?;
            let Some(last) = page.last().map(|(i, _)| *i) else { break };
            for (index, arn) in page {
                let Some(rec) = self.store.execution(&arn)? else { continue };
                let n = super::advance::items_in(&rec.input, run.record.batched);
                let again = redrive && !matches!(rec.status, Status::Running | Status::Succeeded);
                let running = rec.status == Status::Running
                    || (again
                        && match self.redrive(batch, &arn) {
                            Ok(_) => true,
                            Err(e) => {
                                tracing::warn!(child = %arn, "redriving a Map Run's child: {e}");
                                false
                            }
                        });
                run.record.items.started(n);
                run.record.executions.started(1);
                if running {
                    run.running.insert(arn, (index, n));
                } else {
                    run.record.items.ended(n, rec.status);
                    run.record.executions.ended(1, rec.status);
                    run.keep_result(index, &rec, self.config.max_payload);
                }
            }
            from = last + 1;
        }
        Ok(())
    }

    /// The children's inputs are produced again, deterministically, up to the next
    /// child's; the inputs left are pending.
    fn skip_started(&mut self, run: &mut LiveMapRun) -> Result<(), EngineError> {
        for _ in 0..run.record.started {
            match self.next_input(run) {
                Some(Ok(_)) => {}
                Some(Err((_, cause))) => return Err(EngineError::InvalidExecutionInput(cause)),
                None => break,
            }
        }
        if let Items::Inputs(inputs) = &run.items {
            let n: u64 = inputs.iter().map(|i| super::advance::items_in(i, run.record.batched)).sum();
            run.record.items.queued(n);
            run.record.executions.queued(inputs.len() as u64);
        }
        Ok(())
    }
}
