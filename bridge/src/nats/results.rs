//! Results in: workers publish success, failure and heartbeat messages on
//! `<prefix>.results`; the `RESULTS` stream keeps them until the engine has applied them
//! (acked only after the commit). A result for an unknown, stale or already answered token
//! is logged, counted and dropped; it is never applied twice.

use super::ack::to_ack_kind;
use super::error::NatsError;
use crate::bus::{disposition, Names, Stats};
use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;

pub(super) async fn consume_loop(
    js: jetstream::Context,
    names: Names,
    engine: Engine,
    stats: Arc<Stats>,
) -> Result<(), NatsError> {
    let stream_name = names.results_stream();
    loop {
        // (Re)subscribe: a server restart ends the message stream; nothing is lost, the
        // stream holds every result not acked yet.
        let consumer = match consumer_of(&js, &stream_name).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("results consumer: {e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut messages = match consumer.messages().await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("results consumer: {e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(msg) = messages.next().await {
            let msg = match msg {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!("results stream: {e}");
                    continue;
                }
            };
            let (engine, stats) = (engine.clone(), stats.clone());
            tokio::spawn(async move {
                let disposition = match crate::protocol::parse_result(&msg.payload) {
                    Ok((token, answer)) => disposition::of_result(&engine, &stats, &token, answer).await,
                    Err(e) => {
                        tracing::warn!("dropped a malformed result on {}: {e}", msg.subject);
                        disposition::of_malformed_result(&stats, e.to_string())
                    }
                };
                let _ = msg.ack_with(to_ack_kind(&disposition)).await;
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn consumer_of(
    js: &jetstream::Context,
    stream: &str,
) -> Result<consumer::Consumer<consumer::pull::Config>, NatsError> {
    let s = js.get_stream(stream).await.map_err(|e| NatsError::Stream { name: stream.into(), source: e.into() })?;
    s.get_or_create_consumer(
        "engine",
        consumer::pull::Config {
            durable_name: Some("engine".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 10_000,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| NatsError::Consumer { name: "engine".into(), source: e.into() })
}
