//! A Map Run asked for by a Map state: created, or (the parent was replayed after a
//! restart) found in the store and resumed where its children stand.

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
                    let answer = crate::request::TaskAnswer::Failure {
                        error: stepline_asl::error_names::RUNTIME.into(),
                        cause: format!("The Map Run could not start: {e}"),
                    };
                    self.held_answers.push((arn, answer));
                }
            }
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
        let (start, redrive_count) = stored.as_ref().map_or((now, 0), |r| (r.start, r.redrive_count));
        let redrive_count = redrive_count + u32::from(req.redrive);
        // A STANDARD run goes on from its children: after a restart, or redriven. EXPRESS
        // children keep nothing: such a run starts over.
        let resumed = stored.filter(|r| !r.express);
        let mut record = match &resumed {
            Some(r) => {
                let mut r = r.clone();
                if req.redrive && r.status != "RUNNING" {
                    (r.status, r.stop, r.error, r.cause) = ("RUNNING".into(), None, None, None);
                    r.redrive_count = redrive_count;
                }
                r
            }
            None => MapRunRecord {
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
            },
        };
        let (items, batcher) = match req.items {
            MapItems::Inputs(inputs) => {
                if resumed.is_none() {
                    let n: u64 = inputs.iter().map(|i| super::advance::items_in(i)).sum();
                    record.items.queued(n);
                    record.executions.queued(inputs.len() as u64);
                }
                (Items::Inputs(inputs.into()), None)
            }
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
        let mut run = LiveMapRun {
            record,
            parent_machine,
            state: req.state,
            child_machine,
            items,
            batcher,
            running: Default::default(),
            results: Vec::new(),
            entries,
            writer: req.writer,
            dirty: true,
            new: resumed.is_none(),
            failure: None,
            tolerated: Tolerance { count: req.tolerated_count, percentage: req.tolerated_percentage },
        };
        if resumed.is_some() {
            self.resume_children(batch, &mut run, req.redrive)?;
        }
        Ok(run)
    }

    /// A resumed run: its children's outcomes so far are read back, the running ones
    /// followed again, and its items skipped up to the next child's. Redriven, its
    /// unsuccessful children are redriven too (those that succeeded keep their results)
    /// and its counts taken again from its children.
    fn resume_children(
        &mut self,
        batch: &mut dyn BatchWriter,
        run: &mut LiveMapRun,
        redrive: bool,
    ) -> Result<(), EngineError> {
        let started = run.record.started;
        if redrive {
            run.record.items = RunCounts::default();
            run.record.executions = RunCounts::default();
        }
        let mut from = 0;
        loop {
            let page = self.store.map_run_children(&run.record.arn, from, 1_000)?;
            let Some(last) = page.last().map(|(i, _)| *i) else { break };
            for (index, arn) in page {
                let Some(rec) = self.store.execution(&arn)? else { continue };
                let n = super::advance::items_in(&rec.input);
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
                if redrive {
                    run.record.items.started(n);
                    run.record.executions.started(1);
                }
                if running {
                    run.running.insert(arn, (index, n));
                } else {
                    if redrive {
                        run.record.items.ended(n, rec.status);
                        run.record.executions.ended(1, rec.status);
                    }
                    run.keep_result(index, &rec);
                }
            }
            from = last + 1;
        }
        // The children's inputs are produced again, deterministically, and skipped.
        for _ in 0..started {
            match self.next_input(run) {
                Some(Ok(_)) => {}
                Some(Err((_, cause))) => return Err(EngineError::InvalidExecutionInput(cause)),
                None => break,
            }
        }
        Ok(())
    }
}
