//! A Distributed Map's Map Run as the interpreter asks its driver for one: the items (or
//! where to read them), how each becomes a child's input, the limits, and where results
//! go. The driver runs the children and answers the Map state with the results, or its
//! error, through the wait id (`Event::TaskSucceeded` / `Event::TaskFailed`).

use crate::history::Payload;
use crate::model::StateId;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// One Map Run to start.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunRequest {
    /// The wait id the answer comes back under.
    pub id: u64,
    /// The Map state, in the execution's machine (its `ItemSelector` selects items read
    /// by the driver).
    pub state: StateId,
    pub state_name: String,
    /// `arn:...:mapRun:<machine>/<label>:<id>`: the same on every replay.
    pub arn: String,
    pub label: String,
    /// EXPRESS children run in memory; STANDARD ones durably.
    pub express: bool,
    /// What the children run.
    pub processor_definition: Arc<Value>,
    pub items: MapItems,
    /// 0: as many as the driver allows.
    pub max_concurrency: u64,
    pub tolerated_count: Option<u64>,
    pub tolerated_percentage: Option<f64>,
    /// The `ResultWriter` with its arguments evaluated.
    pub writer: Option<ResourceCall>,
    /// The Map state's attempt (`$$.State.RetryCount`): a retry is a new Map Run.
    pub retry_count: u32,
    /// The children's inputs are batches (`ItemBatcher`): `{"BatchInput", "Items"}`.
    pub batched: bool,
    /// The execution was redriven: the Map Run `arn` is redriven (its unsuccessful and
    /// unstarted items run again), not started anew.
    pub redrive: bool,
}

/// Where the children's inputs come from.
#[derive(Debug, Clone, PartialEq)]
pub enum MapItems {
    /// Selected and batched already (items from the state input).
    Inputs(Vec<Payload>),
    /// Read by the driver (`ItemReader`), then selected and batched.
    Reader(Box<ReaderItems>),
}

/// Items a Map Run's driver reads: with `scope` selected, then batched.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderItems {
    pub reader: ResourceCall,
    pub max_items: Option<u64>,
    pub scope: SelectScope,
    pub batcher: Option<BatchSpec>,
}

/// An `ItemReader` or `ResultWriter` with its arguments evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceCall {
    pub resource: String,
    pub arguments: Value,
    /// `ReaderConfig` / `WriterConfig` as written.
    pub config: Map<String, Value>,
}

/// What an `ItemSelector` sees besides the item: the state's effective input, its
/// context object (without `Map`) and the variables.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectScope {
    /// The event the Map state was entered at, named in an error's cause.
    pub entered_event: u64,
    pub input: Payload,
    pub context: Value,
    /// The Map state's variables (a frame's `Vars`).
    pub vars: Option<Arc<Map<String, Value>>>,
}

/// `ItemBatcher` with its numbers and `BatchInput` evaluated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchSpec {
    pub max_items: Option<usize>,
    pub max_bytes: Option<usize>,
    pub batch_input: Option<Value>,
}

/// Groups inputs into `{"BatchInput": ..., "Items": [...]}` as they come.
#[derive(Debug)]
pub struct Batcher {
    spec: BatchSpec,
    items: Vec<Value>,
    bytes: usize,
}

impl Batcher {
    pub fn new(spec: BatchSpec) -> Batcher {
        Batcher { spec, items: Vec::new(), bytes: 0 }
    }

    /// Adds an input; returns the batch it completed, if any.
    pub fn push(&mut self, input: Value) -> Option<Value> {
        let size = super::io::json_len(&input, usize::MAX);
        let full = self.spec.max_items.is_some_and(|n| self.items.len() >= n)
            || self.spec.max_bytes.is_some_and(|n| !self.items.is_empty() && self.bytes + size > n);
        let done = if full { self.finish() } else { None };
        self.bytes += size;
        self.items.push(input);
        done
    }

    /// The last, partial batch.
    pub fn finish(&mut self) -> Option<Value> {
        if self.items.is_empty() {
            return None;
        }
        self.bytes = 0;
        let items = std::mem::take(&mut self.items);
        let mut o = Map::new();
        if let Some(bi) = &self.spec.batch_input {
            o.insert("BatchInput".into(), bi.clone());
        }
        o.insert("Items".into(), json!(items));
        Some(Value::Object(o))
    }
}

/// The ARN of a Map Run of execution machine `state_machine_arn`.
pub fn map_run_arn(state_machine_arn: &str, label: &str, id: &str) -> String {
    let (head, name) = state_machine_arn.rsplit_once(":stateMachine:").unwrap_or(("arn:aws:states:::", "machine"));
    // A version or alias qualifier is not part of the name.
    let name = name.split(':').next().unwrap_or(name);
    format!("{head}:mapRun:{name}/{label}:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_close_on_count_and_on_bytes() {
        let mut b = Batcher::new(BatchSpec { max_items: Some(2), max_bytes: None, batch_input: Some(json!({"k": 1})) });
        assert_eq!(b.push(json!(1)), None);
        assert_eq!(b.push(json!(2)), None);
        assert_eq!(b.push(json!(3)), Some(json!({"BatchInput": {"k": 1}, "Items": [1, 2]})));
        assert_eq!(b.finish(), Some(json!({"BatchInput": {"k": 1}, "Items": [3]})));
        assert_eq!(b.finish(), None);
        let mut b = Batcher::new(BatchSpec { max_items: None, max_bytes: Some(5), batch_input: None });
        assert_eq!(b.push(json!("ab")), None);
        assert_eq!(b.push(json!("cd")), Some(json!({"Items": ["ab"]})));
    }

    #[test]
    fn map_run_arns_follow_the_machine() {
        assert_eq!(
            map_run_arn("arn:aws:states:eu-west-1:1:stateMachine:orders", "fan", "id1"),
            "arn:aws:states:eu-west-1:1:mapRun:orders/fan:id1"
        );
    }
}
