//! Every redb table of the store, in one place. Keys are built by `keys.rs`; values are
//! JSON documents (records) or raw event bytes.

use redb::TableDefinition;

/// State machine ARN -> [`super::StateMachineRecord`] (latest version).
pub const STATE_MACHINES: TableDefinition<&str, &[u8]> = TableDefinition::new("state_machines");
/// `arn \0 version(be u32)` -> definition JSON of that version.
pub const STATE_MACHINE_VERSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("state_machine_versions");
/// Activity ARN -> [`super::ActivityRecord`].
pub const ACTIVITIES: TableDefinition<&str, &[u8]> = TableDefinition::new("activities");
/// Execution ARN -> [`super::ExecutionRecord`].
pub const EXECUTIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("executions");
/// `start_ms(be) arn` -> () : executions by start time, newest last.
pub const BY_START: TableDefinition<&[u8], ()> = TableDefinition::new("executions_by_start");
/// `machine_arn \0 start_ms(be) arn` -> () : executions of one machine by start time.
pub const BY_MACHINE: TableDefinition<&[u8], ()> = TableDefinition::new("executions_by_machine");
/// `status \0 start_ms(be) arn` -> () : executions in one status by start time.
pub const BY_STATUS: TableDefinition<&[u8], ()> = TableDefinition::new("executions_by_status");
/// `arn \0 seq(be u64)` -> journal entry: the interpreter inputs that rebuild an execution.
pub const JOURNAL: TableDefinition<&[u8], &[u8]> = TableDefinition::new("journal");
/// `arn \0 last_event_id(be u64)` -> a chunk of consecutive history events (AWS JSON array).
pub const HISTORY: TableDefinition<&[u8], &[u8]> = TableDefinition::new("history");
/// Facts about the store itself (`probe`: the last write that checked the disk takes writes).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// `machine_arn \0 STATUS` -> how many executions of the machine are in that status, so
/// counts stay instant with millions stored.
pub const COUNTS: TableDefinition<&[u8], u64> = TableDefinition::new("execution_counts");
/// Map Run ARN -> [`super::MapRunRecord`].
pub const MAP_RUNS: TableDefinition<&str, &[u8]> = TableDefinition::new("map_runs");
/// `execution_arn \0 start_ms(be) map_run_arn` -> () : the Map Runs of an execution.
pub const MAP_RUNS_BY_EXECUTION: TableDefinition<&[u8], ()> = TableDefinition::new("map_runs_by_execution");
/// `map_run_arn \0 index(be u64)` -> child execution ARN: a Map Run's children in order.
pub const MAP_RUN_CHILDREN: TableDefinition<&[u8], &[u8]> = TableDefinition::new("map_run_children");
/// State machine ARN -> [`crate::catalog::records::MachineCatalog`]: its published
/// versions and aliases.
pub const MACHINE_CATALOGS: TableDefinition<&str, &[u8]> = TableDefinition::new("machine_catalogs");
