//! The redb file behind the engine's storage traits.

use super::*;
use crate::catalog::records::MachineCatalog;
use crate::storage::{BatchWriter, DefinitionReader, ExecutionReader, HistoryReader, Storage};

impl ExecutionReader for Store {
    fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        Store::execution(self, arn)
    }
    fn list_executions(
        &self,
        machine: Option<&str>,
        status: Option<Status>,
        limit: usize,
        before: Option<(Millis, &str)>,
    ) -> Result<Vec<ExecutionRecord>, StoreError> {
        Store::list_executions(self, machine, status, limit, before)
    }
    fn scan_executions(
        &self,
        q: &ScanQuery,
        keep: &mut dyn FnMut(&ExecutionFacts) -> bool,
    ) -> Result<Scan, StoreError> {
        Store::scan_executions(self, q, keep)
    }
    fn counts(&self) -> Result<Vec<(String, Status, u64)>, StoreError> {
        Store::counts(self)
    }
    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        Store::running(self)
    }
    fn map_run(&self, arn: &str) -> Result<Option<MapRunRecord>, StoreError> {
        Store::map_run(self, arn)
    }
    fn map_runs_of(&self, execution_arn: &str) -> Result<Vec<MapRunRecord>, StoreError> {
        Store::map_runs_of(self, execution_arn)
    }
    fn oldest_ended(&self, limit: usize, before: Option<Millis>) -> Result<Vec<(Millis, String)>, StoreError> {
        Store::oldest_ended(self, limit, before)
    }
    fn ended_count(&self) -> Result<u64, StoreError> {
        Store::ended_count(self)
    }
    fn map_run_children(&self, arn: &str, from: u64, limit: usize) -> Result<Vec<(u64, String)>, StoreError> {
        Store::map_run_children(self, arn, from, limit)
    }
}

impl HistoryReader for Store {
    fn journal(&self, arn: &str) -> Result<Vec<JournalEntry>, StoreError> {
        Store::journal(self, arn)
    }
    fn history(&self, arn: &str, after: u64, limit: usize, reverse: bool) -> Result<Vec<Value>, StoreError> {
        Store::history(self, arn, after, limit, reverse)
    }
}

impl DefinitionReader for Store {
    fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRecord>, StoreError> {
        Store::state_machine(self, arn)
    }
    fn state_machine_version(&self, arn: &str, version: u32) -> Result<Option<String>, StoreError> {
        Store::state_machine_version(self, arn, version)
    }
    fn last_state_machine_version(&self, arn: &str) -> Result<Option<u32>, StoreError> {
        Store::last_state_machine_version(self, arn)
    }
    fn list_state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError> {
        Store::list_state_machines(self)
    }
    fn machine_catalog(&self, arn: &str) -> Result<Option<MachineCatalog>, StoreError> {
        Store::machine_catalog(self, arn)
    }
    fn activity(&self, arn: &str) -> Result<Option<ActivityRecord>, StoreError> {
        Store::activity(self, arn)
    }
    fn list_activities(&self) -> Result<Vec<ActivityRecord>, StoreError> {
        Store::list_activities(self)
    }
}

impl Storage for Store {
    fn begin(&self) -> Result<Box<dyn BatchWriter>, StoreError> {
        Ok(Box::new(Store::begin(self)?))
    }
    fn location(&self) -> &Path {
        self.path()
    }
    fn reopen(&self) -> Result<(), StoreError> {
        Store::reopen(self)
    }
    fn backup(&self, to: &Path) -> Result<crate::store::BackupSummary, StoreError> {
        Store::backup_to(self, to)
    }
}

impl BatchWriter for Batch {
    fn probe(&mut self, now: Millis) -> Result<(), StoreError> {
        Batch::probe(self, now)
    }
    fn put_state_machine(&mut self, rec: &StateMachineRecord) -> Result<(), StoreError> {
        Batch::put_state_machine(self, rec)
    }
    fn delete_state_machine(&mut self, arn: &str) -> Result<(), StoreError> {
        Batch::delete_state_machine(self, arn)
    }
    fn put_machine_catalog(&mut self, arn: &str, catalog: &MachineCatalog) -> Result<(), StoreError> {
        Batch::put_machine_catalog(self, arn, catalog)
    }
    fn put_activity(&mut self, rec: &ActivityRecord) -> Result<(), StoreError> {
        Batch::put_activity(self, rec)
    }
    fn delete_activity(&mut self, arn: &str) -> Result<(), StoreError> {
        Batch::delete_activity(self, arn)
    }
    fn delete_execution(&mut self, rec: &ExecutionRecord) -> Result<(), StoreError> {
        Batch::delete_execution(self, rec)
    }
    fn put_execution(&mut self, rec: &ExecutionRecord, previous: Option<Status>) -> Result<(), StoreError> {
        Batch::put_execution(self, rec, previous)
    }
    fn append_journal(&mut self, arn: &str, seq: u64, entry: &JournalEntry) -> Result<(), StoreError> {
        Batch::append_journal(self, arn, seq, entry)
    }
    fn append_history(&mut self, arn: &str, events: &[Value]) -> Result<(), StoreError> {
        Batch::append_history(self, arn, events)
    }
    fn put_map_run(&mut self, rec: &MapRunRecord, new: bool) -> Result<(), StoreError> {
        Batch::put_map_run(self, rec, new)
    }
    fn put_map_run_child(&mut self, map_run: &str, index: u64, child: &str) -> Result<(), StoreError> {
        Batch::put_map_run_child(self, map_run, index, child)
    }
    fn put_definition(&mut self, arn: &str, version: u32, definition: &str) -> Result<(), StoreError> {
        Batch::put_definition(self, arn, version, definition)
    }
    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Batch::commit(*self)
    }
}
