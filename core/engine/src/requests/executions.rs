//! Executions: started (with AWS's idempotent names), stopped, redriven, and EXPRESS
//! executions that wait taken over from the caller's thread.

use crate::error::EngineError;
use crate::express::Waiting;
use crate::integrations::call::ParentCall;
use crate::live::{span, Live};
use crate::names::{execution_info, valid_name};
use crate::records::started_by;
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::store::{ExecutionRecord, JournalEntry};
use serde_json::Value;
use stepline_asl::interp::{self, Event, Status};

/// How an execution starts, beyond its machine, name and input.
#[derive(Default)]
pub(crate) struct StartOptions {
    /// The definition version to run; the latest when absent.
    pub version: Option<u32>,
    /// The published version and alias it was started on.
    pub qualified: Option<crate::catalog::qualified::Target>,
    /// A test case of the mock config whose mocked results answer its tasks.
    pub test_case: Option<String>,
    /// The task of another execution that starts it.
    pub parent: Option<ParentCall>,
}

impl EngineState {
    pub(crate) fn start(
        &mut self,
        batch: &mut dyn BatchWriter,
        machine_arn: &str,
        name: Option<String>,
        input: Value,
        how: StartOptions,
    ) -> Result<ExecutionRecord, EngineError> {
        let StartOptions { version, qualified, test_case, parent } = how;
        let sm = self.machines.record(self.store.as_ref(), machine_arn)?;
        if sm.kind == "EXPRESS" {
            // EXPRESS executions start on the caller's thread (`express.rs`).
            return Err(EngineError::StateMachineTypeNotSupported(machine_arn.into()));
        }
        let given = name.is_some();
        let name = match name {
            Some(n) => {
                valid_name(&n)?;
                n
            }
            None => self.names.execution_name(self.clock.now()),
        };
        let limit = self.config.max_payload;
        if stepline_asl::interp::payload_too_large(&input, limit) {
            return Err(EngineError::InvalidExecutionInput(format!("the input is larger than {limit} bytes")));
        }
        let arn = self.names.arn("execution", &format!("{}:{name}", sm.name));
        let _span = span(&arn).entered();
        // A generated name is new by construction: only a given one can exist already.
        if given {
            let existing = match self.live.get(&arn).map(|l| l.record.clone()) {
                Some(r) => Some(r),
                None => match self.named_in_batch.get(&arn) {
                    Some(r) => Some(r.clone()),
                    None => self.store.execution(&arn)?,
                },
            };
            if let Some(existing) = existing {
                if *existing.input == input && existing.status == Status::Running {
                    return Ok(existing);
                }
                return Err(EngineError::ExecutionAlreadyExists(arn));
            }
        }
        let mocks = match &test_case {
            Some(case) => Some(self.test_case_mocks(&sm.name, case)?),
            None => None,
        };
        let version = version.unwrap_or(sm.version);
        let machine = self.machines.get(self.store.as_ref(), &self.config, &sm.arn, version)?;
        let now = self.clock.now();
        let info = execution_info(&sm, arn.clone(), name, now);
        let seed = self.names.seed();
        let (exec, cmds) = interp::start(&machine, info.clone(), input, now, seed);
        let mut record = ExecutionRecord::started(&info, version, exec.input.clone());
        record.journal = 1;
        record.test_case = test_case.clone();
        if let Some(q) = qualified {
            record.version_arn = q.version_arn;
            record.alias_arn = q.alias_arn;
        }
        match parent {
            Some(p) => {
                record.parent = Some(p.arn);
                record.parent_call = Some(p.call);
            }
            // Started by hand on a parent's behalf, as AWS's console links them.
            None => record.parent = started_by(&exec.input),
        }
        let start = JournalEntry::Start { info, input: exec.input.clone(), seed, now, test_case };
        let mut live = Live::new(machine, exec, record, None);
        live.unjournaled_start = Some(start);
        live.mocks = mocks;
        self.live.insert(arn.clone(), live);
        self.apply_commands(&arn, cmds);
        let stored = self.persist(batch, &arn)?;
        if given {
            self.named_in_batch.insert(arn, stored.clone());
        }
        Ok(stored)
    }

    pub(crate) fn stop(
        &mut self,
        batch: &mut dyn BatchWriter,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<ExecutionRecord, EngineError> {
        let _span = span(arn).entered();
        let now = self.clock.now();
        let Some(live) = self.live.get_mut(arn) else {
            return match self.store.execution(arn)? {
                Some(r) => Ok(r),
                None => Err(EngineError::ExecutionDoesNotExist(arn.into())),
            };
        };
        let machine = live.machine.clone();
        let event = Event::Stop { error, cause };
        let cmds = interp::handle(&machine, &mut live.exec, now, event.clone())
            .map_err(|_| EngineError::ExecutionNotRunning(arn.into()))?;
        live.record.journal += 1;
        batch.append_journal(arn, live.record.journal, &JournalEntry::Event { now, event })?;
        self.apply_commands(arn, cmds);
        self.persist(batch, arn)
    }

    pub(crate) fn redrive(&mut self, batch: &mut dyn BatchWriter, arn: &str) -> Result<ExecutionRecord, EngineError> {
        let _span = span(arn).entered();
        let rec = self.store.execution(arn)?.ok_or_else(|| EngineError::ExecutionDoesNotExist(arn.into()))?;
        if matches!(rec.status, Status::Running | Status::Succeeded) || self.live.contains_key(arn) {
            return Err(EngineError::ExecutionNotRedrivable(arn.into()));
        }
        if let Err(d) = self.replay(rec)? {
            self.retire_replayed(arn);
            return Err(EngineError::ExecutionNotRedrivable(format!("{arn}: its journal does not replay ({d})")));
        }
        let now = self.clock.now();
        let live = self.live.get_mut(arn).ok_or_else(|| EngineError::ExecutionNotRedrivable(arn.into()))?;
        let machine = live.machine.clone();
        let cmds = match interp::handle(&machine, &mut live.exec, now, Event::Redrive) {
            Ok(c) => c,
            Err(_) => {
                self.retire_replayed(arn);
                return Err(EngineError::ExecutionNotRedrivable(arn.into()));
            }
        };
        live.record.journal += 1;
        live.record.redriven = Some(now);
        batch.append_journal(arn, live.record.journal, &JournalEntry::Event { now, event: Event::Redrive })?;
        self.apply_commands(arn, cmds);
        self.persist(batch, arn)
    }

    /// Takes over an EXPRESS execution that waits for a task or a timer.
    pub(crate) fn adopt_express(
        &mut self,
        batch: &mut dyn BatchWriter,
        w: Waiting,
    ) -> Result<ExecutionRecord, EngineError> {
        let arn = w.record.arn.clone();
        let mut live = Live::new(w.machine, w.exec, w.record, Some(Status::Running));
        live.express = Some(w.slot);
        self.live.insert(arn.clone(), live);
        self.apply_commands(&arn, w.cmds);
        self.persist(batch, &arn)
    }
}
