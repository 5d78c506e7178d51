//! A running execution held by the engine, with what it waits for.

use crate::express::Slot;
use crate::store::{ExecutionRecord, JournalEntry};
use std::collections::HashMap;
use std::sync::Arc;
use stepline_asl::interp::{Execution, Status, WaitId};
use stepline_asl::model::StateMachine;
use stepline_asl::time::Millis;

pub(crate) struct Live {
    pub machine: Arc<StateMachine>,
    pub exec: Execution,
    pub record: ExecutionRecord,
    /// The status the store holds (its index entries), before this batch.
    pub stored_status: Option<Status>,
    /// Outstanding tasks: wait id -> token.
    pub tasks: HashMap<WaitId, String>,
    /// Outstanding timers: wait id -> due time.
    pub timers: HashMap<WaitId, Millis>,
    /// An EXPRESS execution (in memory only, no journal or history) and where its summary is
    /// kept; `None` for a durable one.
    pub express: Option<Slot>,
    /// The journal's start entry, written with the execution's first summary unless the
    /// execution has already succeeded by then.
    pub unjournaled_start: Option<JournalEntry>,
    /// The state entered last (in any branch): where a failure is placed. Unknown after a
    /// restart until the next state is entered; the stored history answers then.
    pub last_entered: Option<Arc<str>>,
    /// A test case's mocks and the calls made so far per state (`--mock-config`).
    pub mocks: Option<LiveMocks>,
}

impl Live {
    /// An execution the engine now holds; `stored_status` is what the store has of it.
    pub(crate) fn new(
        machine: Arc<StateMachine>,
        exec: Execution,
        record: ExecutionRecord,
        stored_status: Option<Status>,
    ) -> Live {
        Live {
            machine,
            exec,
            record,
            stored_status,
            tasks: HashMap::new(),
            timers: HashMap::new(),
            express: None,
            unjournaled_start: None,
            last_entered: None,
            mocks: None,
        }
    }
}

/// The span the engine's work on one execution runs in: its debug lines carry its ARN.
/// Debug level, so that at the default level (INFO) it costs nothing per event; the
/// engine's warnings and errors name the execution themselves.
pub(crate) fn span(arn: &str) -> tracing::Span {
    tracing::debug_span!("execution", execution_arn = %arn)
}

/// The mocks answering an execution's tasks.
pub(crate) struct LiveMocks {
    pub mocks: Arc<stepline_asl::testing::Mocks>,
    pub calls: HashMap<String, u32>,
}
