//! The JetStream streams of a prefix: created or brought up to date at start, deleted
//! by tests and benchmarks that share a server.

use super::error::NatsError;
use crate::bus::Names;
use async_nats::jetstream::{self, stream};

/// Creates a stream, or updates it to this configuration when it exists.
pub(super) async fn ensure_stream(js: &jetstream::Context, config: stream::Config) -> Result<(), NatsError> {
    let name = config.name.clone();
    js.create_or_update_stream(config).await.map(drop).map_err(|e| NatsError::Stream { name, source: e.into() })
}

impl Names {
    /// Deletes the streams of this prefix, its claim's too (and every message in them):
    /// for benchmarks and tests that share a server.
    pub async fn delete_streams(&self, js: &jetstream::Context) {
        for s in [self.tasks_stream(), self.results_stream(), self.triggers_stream(), self.claim_stream()] {
            let _ = js.delete_stream(s).await;
        }
    }
}
