//! A running execution held by the engine, with what it waits for.

use crate::store::ExecutionRecord;
use std::collections::HashMap;
use std::sync::Arc;
use stepline_asl::interp::{Execution, WaitId};
use stepline_asl::model::StateMachine;
use stepline_asl::time::Millis;

pub struct Live {
    pub machine: Arc<StateMachine>,
    pub exec: Execution,
    pub record: ExecutionRecord,
    /// The status the store holds (its index entries), before this batch.
    pub stored_status: Option<stepline_asl::interp::Status>,
    /// Outstanding tasks: wait id -> token.
    pub tasks: HashMap<WaitId, String>,
    /// Outstanding timers: wait id -> due time.
    pub timers: HashMap<WaitId, Millis>,
    /// An EXPRESS execution (in memory only, no journal or history) and where its summary is
    /// kept; `None` for a durable one.
    pub express: Option<super::express::Slot>,
    /// The journal's start entry, written with the execution's first summary unless the
    /// execution has already succeeded by then.
    pub unjournaled_start: Option<crate::store::JournalEntry>,
    /// The state entered last (in any branch): where a failure is placed. Unknown after a
    /// restart until the next state is entered; the stored history answers then.
    pub last_entered: Option<std::sync::Arc<str>>,
    /// A test case's mocks and the calls made so far per state (`--mock-config`).
    pub mocks: Option<LiveMocks>,
}

/// The mocks answering an execution's tasks.
pub struct LiveMocks {
    pub mocks: Arc<stepline_asl::testing::Mocks>,
    pub calls: HashMap<String, u32>,
}
