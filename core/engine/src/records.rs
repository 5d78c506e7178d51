//! The engine's records: what is stored of state machines, activities and executions, an
//! execution's journal, and what scans over executions take and give. Bridge, dashboard
//! and binary read these; the store backends keep them.

use serde::{Deserialize, Serialize};
use stepline_asl::interp::{Event, ExecutionInfo, Status};
use stepline_asl::time::Millis;

/// A state machine as stored (its latest version; older definitions in their own table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateMachineRecord {
    pub arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    pub role_arn: String,
    pub definition: String,
    pub version: u32,
    pub created: Millis,
    pub updated: Millis,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<crate::catalog::records::Tag>,
    /// AWS's `loggingConfiguration` as given (`docs/operations.md`: execution logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<serde_json::Value>,
    /// AWS's `tracingConfiguration` as given: kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<serde_json::Value>,
}

/// An activity: a named queue of tasks for workers that poll `GetActivityTask`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    pub arn: String,
    pub name: String,
    pub created: Millis,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<crate::catalog::records::Tag>,
}

/// An execution's summary: what `DescribeExecution` and `ListExecutions` return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    pub arn: String,
    pub name: String,
    pub state_machine_arn: String,
    pub state_machine_version: u32,
    pub status: Status,
    pub start: Millis,
    pub stop: Option<Millis>,
    /// Shared with the running execution: a waiting execution holds its input once.
    pub input: stepline_asl::history::Payload,
    pub output: Option<stepline_asl::history::Payload>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub redrive_count: u32,
    /// History events stored so far.
    pub events: u64,
    /// Journal entries stored so far.
    pub journal: u64,
    /// States entered so far.
    #[serde(default)]
    pub transitions: u64,
    /// The state entered last before the execution failed, timed out or was aborted:
    /// what an operator searches by ("every execution that failed in Publish").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_state: Option<String>,
    /// When the summary last changed (ms since the epoch): how long a running execution
    /// has been waiting.
    #[serde(default)]
    pub updated: Millis,
    /// A task or branch of the current state failed and the state has not been left:
    /// it is being retried.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retrying: bool,
    /// The mock config's test case it runs (`<arn>#<TestCase>`), so a replay runs it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_case: Option<String>,
    /// The execution whose Task started this one (`states:startExecution`), or the one
    /// its input names in `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Which call of its parent started it (a digest of the task's token and attempt):
    /// a parent replayed after a crash finds the child it started instead of a second one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_call: Option<String>,
    /// The Map Run this execution is a child of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_run: Option<String>,
    /// The published version it runs, when started on a version or an alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_arn: Option<String>,
    /// The alias it was started on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_arn: Option<String>,
    /// When it was last redriven (AWS's `redriveDate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redriven: Option<Millis>,
}

impl ExecutionRecord {
    /// How the execution looked when it started: the RUNNING status event every execution
    /// has, also one that ended in the batch that started it.
    pub fn as_started(&self) -> ExecutionRecord {
        ExecutionRecord {
            status: Status::Running,
            stop: None,
            output: None,
            error: None,
            cause: None,
            failed_state: None,
            retrying: false,
            ..self.clone()
        }
    }

    /// The summary of an execution that has just started (before its first persist).
    pub fn started(info: &ExecutionInfo, version: u32, input: stepline_asl::history::Payload) -> ExecutionRecord {
        ExecutionRecord {
            arn: info.arn.clone(),
            name: info.name.clone(),
            state_machine_arn: info.state_machine_arn.clone(),
            state_machine_version: version,
            status: Status::Running,
            start: info.start_time,
            stop: None,
            input,
            output: None,
            error: None,
            cause: None,
            redrive_count: 0,
            events: 0,
            journal: 0,
            transitions: 0,
            failed_state: None,
            updated: info.start_time,
            retrying: false,
            test_case: None,
            parent: None,
            parent_call: None,
            map_run: None,
            version_arn: None,
            alias_arn: None,
            redriven: None,
        }
    }
}

/// The key whose value in an execution's input names the execution that started it.
pub(crate) const STARTED_BY_KEY: &str = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID";

/// The execution an input names as the one that started it (`STARTED_BY_KEY`).
pub(crate) fn started_by(input: &serde_json::Value) -> Option<String> {
    input.as_object()?.get(STARTED_BY_KEY)?.as_str().map(str::to_string)
}

/// One input of the interpreter, in order: replaying them rebuilds the execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum JournalEntry {
    Start {
        info: ExecutionInfo,
        input: stepline_asl::history::Payload,
        seed: u64,
        now: Millis,
        /// The mock config's test case answering its tasks (`--mock-config`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test_case: Option<String>,
    },
    Event {
        now: Millis,
        event: Event,
    },
}

/// Which executions a scan reads, in which order, and how far.
#[derive(Debug, Clone, Copy)]
pub struct ScanQuery<'a> {
    pub machine: Option<&'a str>,
    pub status: Option<Status>,
    pub oldest_first: bool,
    /// The `(start, arn)` position a previous scan ended at, excluded.
    pub after: Option<(Millis, &'a str)>,
    pub limit: usize,
    pub max_scanned: usize,
}

/// The fields of an execution record a search filters on, read without its payloads
/// (several times faster than the whole record: a search reads a great many).
#[derive(Debug, Deserialize)]
pub struct ExecutionFacts<'a> {
    #[serde(borrow)]
    pub name: std::borrow::Cow<'a, str>,
    pub status: Status,
    pub start: Millis,
    #[serde(default)]
    pub stop: Option<Millis>,
    #[serde(default, borrow)]
    pub error: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    pub cause: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    pub failed_state: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    pub updated: Millis,
    #[serde(default)]
    pub retrying: bool,
}

/// What a scan found, and where the next one resumes.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub records: Vec<ExecutionRecord>,
    pub scanned: usize,
    /// The position of the last record read; `None` when nothing was read.
    pub resume_at: Option<(Millis, String)>,
}

/// A Map Run: the child executions one Distributed Map state started, what
/// `DescribeMapRun` and `ListMapRuns` return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapRunRecord {
    pub arn: String,
    /// The execution whose Map state started it.
    pub execution_arn: String,
    pub state_name: String,
    /// What the children run: `...:stateMachine:<machine>/<label>`, at `version`.
    pub state_machine_arn: String,
    pub version: u32,
    pub label: String,
    /// EXPRESS children run in memory; STANDARD ones durably, listed by `ListExecutions`.
    pub express: bool,
    /// `RUNNING`, `SUCCEEDED`, `FAILED` or `ABORTED`.
    pub status: String,
    pub start: Millis,
    #[serde(default)]
    pub stop: Option<Millis>,
    pub max_concurrency: u64,
    pub tolerated_failure_count: u64,
    pub tolerated_failure_percentage: f64,
    pub items: RunCounts,
    pub executions: RunCounts,
    /// Child inputs produced so far (items, or batches of them): the next child's index.
    pub started: u64,
    /// Every item has been read.
    #[serde(default)]
    pub all_read: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// How many times the Map Run was redriven.
    #[serde(default)]
    pub redrive_count: u32,
    /// Whether the tolerated failure count and percentage were given (by the Map state or
    /// `UpdateMapRun`): a 0 given tolerates none, an absent one does not count.
    #[serde(default)]
    pub tolerance_given: (bool, bool),
    /// The children's inputs are batches of items (`ItemBatcher`).
    #[serde(default)]
    pub batched: bool,
}

/// What `UpdateMapRun` changes of a running Map Run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapRunChange {
    pub max_concurrency: Option<u64>,
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_percentage: Option<f64>,
}

/// Counts of a Map Run's items or child executions by status, as `DescribeMapRun` gives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunCounts {
    pub pending: u64,
    pub running: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub aborted: u64,
    pub total: u64,
    pub results_written: u64,
}

impl RunCounts {
    /// `n` more known and waiting to start.
    pub fn queued(&mut self, n: u64) {
        self.pending += n;
        self.total += n;
    }

    /// `n` started (running): taken from those pending, or newly known.
    pub fn started(&mut self, n: u64) {
        let from_pending = n.min(self.pending);
        self.pending -= from_pending;
        self.total += n - from_pending;
        self.running += n;
    }

    /// `n` that were running ended in `status`.
    pub fn ended(&mut self, n: u64, status: Status) {
        self.running = self.running.saturating_sub(n);
        match status {
            Status::Succeeded => self.succeeded += n,
            Status::Failed => self.failed += n,
            Status::TimedOut => self.timed_out += n,
            Status::Aborted => self.aborted += n,
            Status::Running => self.running += n,
        }
    }

    /// Children that did not succeed: what tolerated failures count.
    pub fn unsuccessful(&self) -> u64 {
        self.failed + self.timed_out + self.aborted
    }
}

/// What a backup of the store wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupSummary {
    pub bytes: u64,
    pub executions: u64,
}
