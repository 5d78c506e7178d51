//! Status events, whatever the bus: the listener the engine calls on every execution
//! status change (a channel send, never blocking the engine thread), and the key each
//! event is published under, `<stateMachineName>.<STATUS>`.

use super::names::event_key;
use serde_json::Value;
use stepline_core::engine::StatusListener;
use stepline_core::store::ExecutionRecord;
use tokio::sync::mpsc;

/// One status change, ready to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEvent {
    /// `<stateMachineName>.<STATUS>`: the AMQP routing key, the end of the NATS subject.
    pub key: String,
    /// EventBridge's "Execution Status Change" detail.
    pub detail: Value,
}

/// The state machine's name and the status of a record: what its event is keyed by.
pub fn status_key(record: &ExecutionRecord) -> (String, String) {
    let machine = crate::protocol::machine_name(&record.state_machine_arn).to_string();
    (machine, record.status.as_str().to_string())
}

/// Hands every status change to a bus's publishing loop.
pub struct StatusEvents {
    tx: mpsc::UnboundedSender<StatusEvent>,
}

impl StatusEvents {
    pub fn new() -> (StatusEvents, mpsc::UnboundedReceiver<StatusEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (StatusEvents { tx }, rx)
    }
}

impl StatusListener for StatusEvents {
    fn status_changed(&self, record: &ExecutionRecord) {
        let (machine, status) = status_key(record);
        let event = StatusEvent { key: event_key(&machine, &status), detail: crate::protocol::status_event(record) };
        let _ = self.tx.send(event);
    }
}
