//! A Map Run moving on: child inputs produced (read, selected, batched), children started
//! up to the concurrency limit and the batch's share, their ends counted against the
//! tolerated failures, and the run ended once nothing is left.

use super::live::{ChildEnd, Items, LiveMapRun, MAP_RUN_ACTIVITY};
use crate::effects::Withdrawal;
use crate::error::EngineError;
use crate::live::Live;
use crate::request::TaskAnswer;
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::{ExecutionRecord, JournalEntry};
use serde_json::Value;
use stepline_asl::error_names;
use stepline_asl::history::Payload;
use stepline_asl::interp::{self, select_item, ExecutionInfo, Status};

/// How many items a child's input holds: a batch's `Items`, or one.
pub(crate) fn items_in(input: &Value, batched: bool) -> u64 {
    match input.get("Items").and_then(Value::as_array) {
        Some(items) if batched => items.len().max(1) as u64,
        _ => 1,
    }
}

/// Most children of one Map Run running at once when its `MaxConcurrency` sets no
/// lower bound (AWS's limit for a Distributed Map).
pub(crate) const MAX_CHILDREN_RUNNING: u64 = 10_000;

impl LiveMapRun {
    /// Whether the run may start another child now.
    fn has_room(&self) -> bool {
        let limit = match self.record.max_concurrency {
            0 => MAX_CHILDREN_RUNNING,
            m => m.min(MAX_CHILDREN_RUNNING),
        };
        (self.running.len() as u64) < limit
    }
}

/// A child execution's name: from its Map Run's id and its index, so a resumed run
/// starting the same child finds the name taken by it.
fn child_name(map_run_arn: &str, index: u64) -> String {
    let id = map_run_arn.rsplit(':').next().unwrap_or_default();
    let head: String = id.chars().filter(|c| c.is_ascii_hexdigit()).take(20).collect();
    format!("{head}-{index:012}")
}

impl EngineState {
    /// Moves every Map Run on within the batch's share; returns whether anything happened.
    pub(crate) fn advance_map_runs(&mut self, batch: &mut dyn BatchWriter) -> bool {
        if self.map_runs.is_empty() && self.map_run_starts.is_empty() && self.map_run_ended.is_empty() {
            return false;
        }
        let mut progress = !self.map_run_starts.is_empty() || !self.map_run_ended.is_empty();
        self.begin_map_runs(batch);
        self.count_ended();
        let arns: Vec<String> = self.map_runs.keys().cloned().collect();
        for arn in arns {
            let Some(mut run) = self.map_runs.remove(&arn) else { continue };
            progress |= self.fill(batch, &mut run);
            if run.failure.is_some() && !run.running.is_empty() {
                self.stop_children(batch, &mut run, "The Map Run failed: its tolerated failure threshold was exceeded");
            }
            self.count_ended_of(&mut run);
            if run.running.is_empty() && (run.failure.is_some() || run.record.all_read) {
                self.finish(&mut run);
                progress = true;
            }
            if run.record.status == "RUNNING" {
                self.map_runs.insert(arn, run);
            } else if let Err(e) = batch.put_map_run(&run.record, run.new) {
                tracing::warn!(map_run = %arn, "writing the Map Run: {e}");
            }
        }
        progress
    }

    /// Whether a Map Run has work for the next batch right away.
    pub(crate) fn map_runs_unsettled(&self) -> bool {
        !self.map_run_starts.is_empty()
            || !self.map_run_ended.is_empty()
            || self
                .map_runs
                .values()
                .any(|r| r.record.status == "RUNNING" && r.failure.is_none() && !r.record.all_read && r.has_room())
    }

    /// Writes the records of the Map Runs this batch changed.
    pub(crate) fn write_map_runs(&mut self, batch: &mut dyn BatchWriter) -> Result<(), crate::store::StoreError> {
        // Children that ended in this batch are counted in what it commits.
        self.count_ended();
        for run in self.map_runs.values_mut().filter(|r| r.dirty) {
            batch.put_map_run(&run.record, run.new)?;
            run.new = false;
            run.dirty = false;
        }
        Ok(())
    }

    /// The next child input of a run; `None` once every item is used.
    pub(crate) fn next_input(&mut self, run: &mut LiveMapRun) -> Option<Result<Payload, (String, String)>> {
        loop {
            let item = match &mut run.items {
                Items::Inputs(inputs) => return inputs.pop_front().map(Ok),
                Items::Reader { call, stream, scope, max_items, read } => {
                    if max_items.is_some_and(|m| *read >= m) {
                        None
                    } else {
                        if stream.is_none() {
                            match super::source::open(&self.config, call) {
                                Ok(s) => *stream = Some(s),
                                Err(e) => return Some(Err((error_names::ITEM_READER_FAILED.into(), e.0))),
                            }
                        }
                        match stream.as_mut().and_then(|s| s.next_item()) {
                            None => None,
                            Some(Err(e)) => return Some(Err((error_names::ITEM_READER_FAILED.into(), e.0))),
                            Some(Ok(item)) => {
                                let index = *read as usize;
                                *read += 1;
                                let seed = run.seed ^ (*read).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                                let now = self.clock.now();
                                let sid = run.state;
                                Some(
                                    select_item(&run.parent_machine, sid, scope, index, &item, now, seed)
                                        .map_err(|f| (f.error, f.cause)),
                                )
                            }
                        }
                    }
                }
            };
            match (item, &mut run.batcher) {
                (Some(Err(e)), _) => return Some(Err(e)),
                (Some(Ok(v)), None) => return Some(Ok(Payload::new(v))),
                (Some(Ok(v)), Some(b)) => {
                    if let Some(full) = b.push(v) {
                        return Some(Ok(Payload::new(full)));
                    }
                }
                (None, Some(b)) => return b.finish().map(|v| Ok(Payload::new(v))),
                (None, None) => return None,
            }
        }
    }

    /// Starts children up to the run's concurrency and the batch's share.
    fn fill(&mut self, batch: &mut dyn BatchWriter, run: &mut LiveMapRun) -> bool {
        let mut started = false;
        while run.failure.is_none() && !run.record.all_read && self.map_run_budget > 0 && run.has_room() {
            let input = match self.next_input(run) {
                None => {
                    run.record.all_read = true;
                    run.dirty = true;
                    break;
                }
                Some(Err(e)) => {
                    run.failure = Some(e);
                    break;
                }
                Some(Ok(i)) => i,
            };
            self.map_run_budget -= 1;
            let index = run.record.started;
            run.record.started += 1;
            let n = items_in(&input, run.record.batched);
            run.record.items.started(n);
            run.record.executions.started(1);
            run.dirty = true;
            started = true;
            if let Err(e) = self.start_run_child(batch, run, index, n, input) {
                tracing::warn!(map_run = %run.record.arn, "starting child {index}: {e}");
                run.failure = Some((error_names::RUNTIME.into(), format!("A child execution could not start: {e}")));
            }
        }
        started
    }

    fn start_run_child(
        &mut self,
        batch: &mut dyn BatchWriter,
        run: &mut LiveMapRun,
        index: u64,
        items: u64,
        input: Payload,
    ) -> Result<(), EngineError> {
        let rec = &run.record;
        let name = child_name(&rec.arn, index);
        let machine_name = rec.state_machine_arn.rsplit_once(":stateMachine:").map_or("", |(_, n)| n).to_string();
        let arn = self.names.arn("execution", &format!("{machine_name}:{name}"));
        let now = self.clock.now();
        let role_arn = self.live.get(&rec.execution_arn).map(|l| l.exec.info.role_arn.clone()).unwrap_or_default();
        let info = ExecutionInfo {
            arn: arn.clone(),
            name,
            state_machine_arn: rec.state_machine_arn.clone(),
            state_machine_name: machine_name,
            role_arn,
            start_time: now,
            redrive_count: 0,
        };
        let seed = self.names.seed();
        let input = Payload::unwrap_or_clone(input);
        let machine = run.child_machine.clone();
        run.running.insert(arn.clone(), (index, items));
        let (exec, cmds) = if rec.express {
            interp::start_unrecorded(&machine, info.clone(), input, now, seed)
        } else {
            interp::start(&machine, info.clone(), input, now, seed)
        };
        let mut record = ExecutionRecord::started(&info, rec.version, exec.input.clone());
        record.parent = Some(rec.execution_arn.clone());
        record.map_run = Some(rec.arn.clone());
        if rec.express {
            if exec.status != Status::Running {
                let mut exec = exec;
                let output = exec.output.take();
                crate::express::summarize(&mut record, &exec);
                record.output = output;
                self.map_run_ended.push(ChildEnd { map_run: rec.arn.clone(), record });
                return Ok(());
            }
            crate::express::summarize(&mut record, &exec);
            let slot = self.express.remember(record.clone());
            let mut live = Live::new(machine, exec, record, Some(Status::Running));
            live.express = Some(slot);
            self.live.insert(arn.clone(), live);
        } else {
            record.journal = 1;
            let start = JournalEntry::Start { info, input: exec.input.clone(), seed, now, test_case: None };
            let mut live = Live::new(machine, exec, record, None);
            live.unjournaled_start = Some(start);
            self.live.insert(arn.clone(), live);
            batch.put_map_run_child(&rec.arn, index, &arn)?;
        }
        self.apply_commands(&arn, cmds);
        self.persist(batch, &arn)?;
        Ok(())
    }

    /// Counts the children that ended since the last call against their runs.
    fn count_ended(&mut self) {
        for end in std::mem::take(&mut self.map_run_ended) {
            if let Some(mut run) = self.map_runs.remove(&end.map_run) {
                run_child_ended(&mut run, end.record, self.config.max_payload);
                self.map_runs.insert(end.map_run, run);
            }
        }
    }

    /// The same, for a run taken out of the table while it is being worked on.
    fn count_ended_of(&mut self, run: &mut LiveMapRun) {
        let (mine, others): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.map_run_ended).into_iter().partition(|e| e.map_run == run.record.arn);
        self.map_run_ended = others;
        for end in mine {
            run_child_ended(run, end.record, self.config.max_payload);
        }
    }

    /// Stops a run's running children (it failed or was aborted). One that had ended
    /// already, its end not yet counted, is counted from its record.
    pub(crate) fn stop_children(&mut self, batch: &mut dyn BatchWriter, run: &mut LiveMapRun, cause: &str) {
        let children: Vec<String> = run.running.keys().cloned().collect();
        for child in children {
            if let Err(e) = self.stop(batch, &child, None, Some(cause.to_string())) {
                tracing::warn!(child = %child, "stopping a Map Run's child: {e}");
            }
            self.count_ended_of(run);
            if let Some(rec) = run.running.contains_key(&child).then(|| self.find_ended(&child)).flatten() {
                run_child_ended(run, rec, self.config.max_payload);
            }
        }
        self.count_ended_of(run);
    }

    /// A child that has ended, as stored (not live any more).
    fn find_ended(&self, arn: &str) -> Option<ExecutionRecord> {
        if self.live.contains_key(arn) {
            return None;
        }
        self.store.execution(arn).ok().flatten().filter(|r| r.status != Status::Running)
    }

    /// Ends a run whose children have all ended: the Map state gets its answer.
    fn finish(&mut self, run: &mut LiveMapRun) {
        let now = self.clock.now();
        if run.failure.is_none() && run.exceeded() {
            run.failure = Some((
                error_names::EXCEED_TOLERATED_FAILURE_THRESHOLD.into(),
                "The specified tolerated failure threshold was exceeded".into(),
            ));
        }
        let answer = match run.failure.clone() {
            Some((error, cause)) => {
                // As AWS does, a failed run still writes what its children did.
                if run.entries.is_some() {
                    if let Err((_, why)) = self.map_run_output(run) {
                        tracing::warn!(map_run = %run.record.arn, "writing the results of a failed Map Run: {why}");
                    }
                }
                Err((error, cause))
            }
            None => self.map_run_output(run),
        };
        run.record.stop = Some(now);
        run.dirty = true;
        let answer = match answer {
            Ok(output) => {
                run.record.status = "SUCCEEDED".into();
                TaskAnswer::Success(output)
            }
            Err((error, cause)) => {
                run.record.status = "FAILED".into();
                run.record.error = Some(error.clone());
                run.record.cause = Some(cause.clone());
                TaskAnswer::Failure { error, cause }
            }
        };
        self.held_answers.push((run.record.arn.clone(), answer));
    }

    /// Takes the withdrawn Map Run waits out of the batch's list and aborts the runs whose
    /// Map state no longer waits (stopped, failed elsewhere). Returns whether there were any.
    pub(crate) fn release_map_runs(&mut self, batch: &mut dyn BatchWriter) -> bool {
        if !self.effects.withdraw.iter().any(|w| w.activity == MAP_RUN_ACTIVITY) {
            return false;
        }
        let (ours, theirs): (Vec<Withdrawal>, Vec<Withdrawal>) =
            std::mem::take(&mut self.effects.withdraw).into_iter().partition(|w| w.activity == MAP_RUN_ACTIVITY);
        self.effects.withdraw = theirs;
        for w in ours.into_iter().filter(|w| !w.answered) {
            let Some(mut run) = self.map_runs.remove(&w.token) else { continue };
            self.stop_children(batch, &mut run, "Stopped because its Map Run was aborted");
            run.record.status = "ABORTED".into();
            run.record.stop = Some(self.clock.now());
            if let Err(e) = batch.put_map_run(&run.record, run.new) {
                tracing::warn!(map_run = %w.token, "writing the Map Run: {e}");
            }
        }
        true
    }
}

/// A child ended: counted, its result kept, the tolerated failures checked.
fn run_child_ended(run: &mut LiveMapRun, record: ExecutionRecord, limit: usize) {
    let Some((index, n)) = run.running.remove(&record.arn) else { return };
    run.record.executions.ended(1, record.status);
    run.record.items.ended(n, record.status);
    run.dirty = true;
    run.keep_result(index, &record, limit);
    if record.status != Status::Succeeded && run.failure.is_none() && run.exceeded() {
        run.failure = Some((
            error_names::EXCEED_TOLERATED_FAILURE_THRESHOLD.into(),
            "The specified tolerated failure threshold was exceeded".into(),
        ));
    }
}

impl LiveMapRun {
    /// Whether the failed items are more than the Map state tolerates: as the inline
    /// Map's rule, past every threshold given (none given: past zero). A percentage is
    /// judged once every item has been read, so until then a run with one is not failed.
    pub(crate) fn exceeded(&self) -> bool {
        let failed = self.record.items.unsuccessful();
        let total = self.record.items.total.max(1) as f64;
        let over_count = self.tolerated.count.is_none_or(|c| failed > c);
        let over_pct = self.tolerated.percentage.is_none_or(|p| (failed as f64) * 100.0 / total > p);
        match (self.tolerated.count, self.tolerated.percentage) {
            (None, None) => failed > 0,
            (_, Some(_)) if !self.record.all_read => false,
            _ => over_count && over_pct,
        }
    }
}
