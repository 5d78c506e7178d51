//! What callers ask of the engine thread, and how it answers once the batch holding the
//! request has committed.

use crate::catalog::change::CatalogChange;
use crate::catalog::records::{CatalogEdit, MachineSpec};
use crate::envelope::TaskEnvelope;
use crate::error::EngineError;
use crate::store::{ActivityRecord, ExecutionRecord};
use crate::tasks::TaskBoard;
use serde_json::Value;

/// How a worker (or a callback, or a test case's mock) answered a task: the one outcome
/// type of the interpreter. An answer of [`TaskAnswer::NoAnswer`] changes nothing.
pub type TaskAnswer = stepline_asl::interp::TaskOutcome;

/// How the engine thread answers a request once its batch has committed: a blocking
/// caller waits on a channel; an async caller (a bus bridge) passes a callback and does
/// not tie up a thread.
pub(crate) struct Reply<T>(pub(crate) Box<dyn FnOnce(Result<T, EngineError>) + Send>);

impl<T> Reply<T> {
    pub(crate) fn send(self, result: Result<T, EngineError>) {
        (self.0)(result)
    }
}

pub(crate) enum Request {
    CreateStateMachine {
        spec: Box<MachineSpec>,
        reply: Reply<CatalogChange>,
    },
    /// Updates, versions, aliases and tags (`catalog/`).
    Catalog {
        edit: Box<CatalogEdit>,
        reply: Reply<CatalogChange>,
    },
    DeleteStateMachine {
        arn: String,
        reply: Reply<()>,
    },
    Start {
        machine_arn: String,
        name: Option<String>,
        input: Value,
        /// The definition version to run; the latest when absent.
        version: Option<u32>,
        /// The published version and alias it was started on (`catalog/`).
        qualified: Option<Box<crate::catalog::qualified::Target>>,
        /// A test case of the mock config whose mocked results answer its tasks.
        test_case: Option<String>,
        reply: Reply<ExecutionRecord>,
    },
    Answer {
        token: String,
        answer: TaskAnswer,
        reply: Reply<()>,
    },
    Stop {
        arn: String,
        error: Option<String>,
        cause: Option<String>,
        reply: Reply<ExecutionRecord>,
    },
    Redrive {
        arn: String,
        reply: Reply<ExecutionRecord>,
    },
    /// An EXPRESS execution that started on a caller's thread and now waits; with a reply
    /// when its caller waits for the end (`StartSyncExecution`).
    AdoptExpress {
        waiting: Box<crate::express::Waiting>,
        reply: Option<Reply<ExecutionRecord>>,
    },
    CreateActivity {
        name: String,
        tags: Vec<crate::catalog::records::Tag>,
        reply: Reply<ActivityRecord>,
    },
    DeleteActivity {
        arn: String,
        reply: Reply<()>,
    },
    /// `UpdateMapRun`: a running Map Run's concurrency or tolerated failures.
    UpdateMapRun {
        arn: String,
        change: crate::records::MapRunChange,
        reply: Reply<crate::records::MapRunRecord>,
    },
    /// The outstanding tasks, for operators.
    Tasks {
        reply: Reply<TaskBoard>,
    },
    /// How many tasks wait per activity (counted, not copied: for metrics).
    WaitingTasks {
        reply: Reply<Vec<(String, u64)>>,
    },
    /// A task outside any execution (`TestState` of a Task with no mock): handed to its
    /// worker like any other; the answer, or `States.Timeout` at the deadline, is the reply.
    DetachedTask {
        task: TaskEnvelope,
        deadline: stepline_asl::time::Millis,
        reply: Reply<TaskAnswer>,
    },
    /// Nothing to do but a batch: due timers fire (after a test's clock moved on).
    Tick,
    Shutdown,
}
