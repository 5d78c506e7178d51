//! How the engine reaches its store: by role, through traits, so a store other than the
//! redb file (an in-memory one for tests, a replicated log for a cluster) plugs in here.
//! [`crate::store::Store`] is the redb implementation.

use crate::catalog::records::MachineCatalog;
use crate::records::{
    ActivityRecord, ExecutionFacts, ExecutionRecord, JournalEntry, MapRunRecord, Scan, ScanQuery, StateMachineRecord,
};
use crate::store::error::StoreError;
use serde_json::Value;
use std::path::Path;
use stepline_asl::interp::Status;
use stepline_asl::time::Millis;

/// Execution summaries and the indexes over them.
pub trait ExecutionReader: Send + Sync {
    fn execution(&self, arn: &str) -> Result<Option<ExecutionRecord>, StoreError>;
    /// Newest first, optionally of one machine or in one status, before a position.
    fn list_executions(
        &self,
        machine: Option<&str>,
        status: Option<Status>,
        limit: usize,
        before: Option<(Millis, &str)>,
    ) -> Result<Vec<ExecutionRecord>, StoreError>;
    /// A bounded read over the executions in start order, filtered by `keep`.
    fn scan_executions(&self, q: &ScanQuery, keep: &mut dyn FnMut(&ExecutionFacts) -> bool)
        -> Result<Scan, StoreError>;
    /// Executions per `(machine, status)`.
    fn counts(&self) -> Result<Vec<(String, Status, u64)>, StoreError>;
    /// Every execution still running (to be replayed at start-up).
    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError>;
    fn map_run(&self, arn: &str) -> Result<Option<MapRunRecord>, StoreError>;
    /// The Map Runs an execution started, oldest first.
    fn map_runs_of(&self, execution_arn: &str) -> Result<Vec<MapRunRecord>, StoreError>;
    /// At most `limit` ended executions, oldest start first, started before `before`.
    fn oldest_ended(&self, limit: usize, before: Option<Millis>) -> Result<Vec<(Millis, String)>, StoreError>;
    /// Executions that have ended, every machine together.
    fn ended_count(&self) -> Result<u64, StoreError>;
    /// A Map Run's children (index, ARN) from index `from`, in index order.
    fn map_run_children(&self, arn: &str, from: u64, limit: usize) -> Result<Vec<(u64, String)>, StoreError>;
}

/// What each execution recorded: its journal (interpreter inputs) and its history.
pub trait HistoryReader: Send + Sync {
    fn journal(&self, arn: &str) -> Result<Vec<JournalEntry>, StoreError>;
    /// History events in AWS's JSON shape, after event `after`, oldest or newest first.
    fn history(&self, arn: &str, after: u64, limit: usize, reverse: bool) -> Result<Vec<Value>, StoreError>;
}

/// State machines (every version) and activities.
pub trait DefinitionReader: Send + Sync {
    fn state_machine(&self, arn: &str) -> Result<Option<StateMachineRecord>, StoreError>;
    fn state_machine_version(&self, arn: &str, version: u32) -> Result<Option<String>, StoreError>;
    /// The highest version ever stored under `arn`: a machine deleted and created again
    /// goes on from it, so no stored version is ever overwritten.
    fn last_state_machine_version(&self, arn: &str) -> Result<Option<u32>, StoreError>;
    fn list_state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError>;
    /// A machine's published versions and aliases; `None` when it has none.
    fn machine_catalog(&self, arn: &str) -> Result<Option<MachineCatalog>, StoreError>;
    fn activity(&self, arn: &str) -> Result<Option<ActivityRecord>, StoreError>;
    fn list_activities(&self) -> Result<Vec<ActivityRecord>, StoreError>;
}

/// The changes of one engine batch, durable all together at `commit` or not at all.
pub trait BatchWriter {
    /// A write that changes nothing: does the store take writes again?
    fn probe(&mut self, now: Millis) -> Result<(), StoreError>;
    fn put_state_machine(&mut self, rec: &StateMachineRecord) -> Result<(), StoreError>;
    /// Removes a machine's record with its versions and aliases (its definitions stay:
    /// its executions ran them).
    fn delete_state_machine(&mut self, arn: &str) -> Result<(), StoreError>;
    fn put_machine_catalog(&mut self, arn: &str, catalog: &MachineCatalog) -> Result<(), StoreError>;
    fn put_activity(&mut self, rec: &ActivityRecord) -> Result<(), StoreError>;
    fn delete_activity(&mut self, arn: &str) -> Result<(), StoreError>;
    /// Removes an ended execution with its indexes, journal, history and Map Runs.
    fn delete_execution(&mut self, rec: &ExecutionRecord) -> Result<(), StoreError>;
    /// Writes a summary; `previous` is the status the store held (its index entries).
    fn put_execution(&mut self, rec: &ExecutionRecord, previous: Option<Status>) -> Result<(), StoreError>;
    fn append_journal(&mut self, arn: &str, seq: u64, entry: &JournalEntry) -> Result<(), StoreError>;
    fn append_history(&mut self, arn: &str, events: &[Value]) -> Result<(), StoreError>;
    /// Writes a Map Run's record; `new` also indexes it under its execution.
    fn put_map_run(&mut self, rec: &MapRunRecord, new: bool) -> Result<(), StoreError>;
    fn put_map_run_child(&mut self, map_run: &str, index: u64, child: &str) -> Result<(), StoreError>;
    /// A definition version no state machine record lists (a Map Run's item processor).
    fn put_definition(&mut self, arn: &str, version: u32, definition: &str) -> Result<(), StoreError>;
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A whole store: every reader, and batches to write with.
pub trait Storage: ExecutionReader + HistoryReader + DefinitionReader {
    fn begin(&self) -> Result<Box<dyn BatchWriter>, StoreError>;
    /// Where it lives, for operators' messages.
    fn location(&self) -> &Path;
    /// Writes a consistent copy of the store as it is now to `to`.
    fn backup(&self, to: &Path) -> Result<crate::store::BackupSummary, StoreError>;
    /// Opens the store again after a failed write (redb refuses everything until then).
    fn reopen(&self) -> Result<(), StoreError>;
}
