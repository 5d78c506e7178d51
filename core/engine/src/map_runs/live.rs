//! A Map Run the engine thread is running: its record, where its items come from, its
//! children now running, and what it keeps of their results.

use super::items::ItemStream;
use crate::records::MapRunRecord;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use stepline_asl::history::Payload;
use stepline_asl::interp::{Batcher, ResourceCall, SelectScope};
use stepline_asl::model::{StateId, StateMachine};

/// The activity a Map Run's wait is filed under in the task table (no dispatcher has it).
pub(crate) const MAP_RUN_ACTIVITY: &str = "states:mapRun";

/// A child of a Map Run has ended (queued by `persist`, counted by the run).
pub(crate) struct ChildEnd {
    pub map_run: String,
    pub record: crate::records::ExecutionRecord,
}

pub(crate) struct LiveMapRun {
    pub record: MapRunRecord,
    /// The Map state's machine (its `ItemSelector` selects the items read here).
    pub parent_machine: Arc<StateMachine>,
    pub state: StateId,
    /// What the children run.
    pub child_machine: Arc<StateMachine>,
    pub items: Items,
    pub batcher: Option<Batcher>,
    /// Children running now: ARN -> (index, items in it).
    pub running: HashMap<String, (u64, u64)>,
    /// EXPRESS children's results by index (no `ResultWriter`): STANDARD children's are
    /// read back from their records when the run ends.
    pub results: Vec<Option<Value>>,
    /// Bytes of `results` so far: past the payload limit they are no longer kept (the
    /// state would fail with `States.DataLimitExceeded` anyway).
    pub results_bytes: usize,
    /// EXPRESS children's result entries for the `ResultWriter`, as they end.
    pub entries: Option<super::spill::Spill>,
    pub writer: Option<ResourceCall>,
    /// The record changed in this batch: written before the commit.
    pub dirty: bool,
    /// Not yet in the store.
    pub new: bool,
    /// Why the run fails, once it must (tolerated failures exceeded, items unreadable).
    pub failure: Option<(String, String)>,
    pub tolerated: Tolerance,
    /// What an `ItemSelector` draws from (`States.UUID()`), with the item's number: from
    /// the run's ARN, so it differs between Map Runs and stays the same on a resumed one.
    pub seed: u64,
}

/// Where a run's child inputs come from (one per run: its size does not matter).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Items {
    /// Selected and batched by the interpreter.
    Inputs(VecDeque<Payload>),
    /// Read here, then selected and batched.
    Reader {
        call: ResourceCall,
        stream: Option<Box<dyn ItemStream>>,
        scope: SelectScope,
        max_items: Option<u64>,
        /// Items read so far.
        read: u64,
    },
}

/// The Map state's tolerated failures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tolerance {
    pub count: Option<u64>,
    pub percentage: Option<f64>,
}
