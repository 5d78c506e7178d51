//! Status events out: every execution status change, published on
//! `<prefix>.events.<stateMachineName>.<STATUS>` as EventBridge's "Execution Status
//! Change" detail. Core NATS (no stream): subscribers that are up see them.

use super::error::NatsError;
use crate::bus::{Names, Stats, StatusEvent};
use std::sync::Arc;
use tokio::sync::mpsc;

pub(super) async fn publish_loop(
    client: async_nats::Client,
    names: Names,
    mut rx: mpsc::UnboundedReceiver<StatusEvent>,
    stats: Arc<Stats>,
) -> Result<(), NatsError> {
    while let Some(event) = rx.recv().await {
        let subject = format!("{}.{}", names.events_exchange(), event.key);
        let body = serde_json::to_vec(&event.detail).unwrap_or_default();
        match client.publish(subject, body.into()).await {
            Ok(()) => Stats::count(&stats.events_published),
            Err(e) => tracing::warn!("a status event was not published: {e}"),
        }
    }
    Ok(())
}
