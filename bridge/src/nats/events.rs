//! Status events out: every execution status change, published on
//! `<prefix>.events.<stateMachineName>.<STATUS>` as EventBridge's "Execution Status
//! Change" detail. Core NATS (no stream): subscribers that are up see them.

use super::{Names, NatsError, Stats};
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use stepline_core::engine::StatusListener;
use stepline_core::store::ExecutionRecord;
use tokio::sync::mpsc;

pub struct NatsEvents {
    tx: mpsc::UnboundedSender<Value>,
}

impl NatsEvents {
    pub(super) fn new() -> (NatsEvents, mpsc::UnboundedReceiver<Value>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (NatsEvents { tx }, rx)
    }
}

impl StatusListener for NatsEvents {
    fn status_changed(&self, record: &ExecutionRecord) {
        let _ = self.tx.send(crate::protocol::status_event(record));
    }
}

pub(super) async fn publish_loop(
    client: async_nats::Client,
    names: Names,
    mut rx: mpsc::UnboundedReceiver<Value>,
    stats: Arc<Stats>,
) -> Result<(), NatsError> {
    while let Some(event) = rx.recv().await {
        let machine = crate::protocol::machine_name(event["stateMachineArn"].as_str().unwrap_or_default()).to_string();
        let subject = names.event_subject(&machine, event["status"].as_str().unwrap_or("UNKNOWN"));
        let body = serde_json::to_vec(&event).unwrap_or_default();
        match client.publish(subject, body.into()).await {
            Ok(()) => {
                stats.events_published.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => tracing::warn!("a status event was not published: {e}"),
        }
    }
    Ok(())
}
