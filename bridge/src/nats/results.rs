//! Results in: workers publish success, failure and heartbeat messages on
//! `<prefix>.results`; the `RESULTS` stream keeps them until the engine has applied them
//! (acked only after the commit). A result for an unknown, stale or already answered token
//! is logged, counted and dropped; it is never applied twice.

use super::{Names, NatsError, Stats};
use crate::ingest::ResultOutcome;
use async_nats::jetstream::{self, consumer, AckKind};
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
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
                let (token, answer) = match crate::protocol::parse_result(&msg.payload) {
                    Ok(r) => r,
                    Err(e) => {
                        stats.results_malformed.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!("dropped a malformed result on {}: {e}", msg.subject);
                        let _ = msg.ack_with(AckKind::Term).await;
                        return;
                    }
                };
                match crate::ingest::apply_result(&engine, &token, answer).await {
                    ResultOutcome::Applied => {
                        stats.results_applied.fetch_add(1, Ordering::Relaxed);
                        let _ = msg.ack().await;
                    }
                    ResultOutcome::Dropped => {
                        stats.results_dropped.fetch_add(1, Ordering::Relaxed);
                        let _ = msg.ack().await;
                    }
                    ResultOutcome::Retry(why) => {
                        tracing::warn!("a result could not be applied yet: {why}");
                        let _ = msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
                    }
                }
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn consumer_of(
    js: &jetstream::Context,
    stream: &str,
) -> Result<consumer::Consumer<consumer::pull::Config>, NatsError> {
    let s = js.get_stream(stream).await.map_err(|e| NatsError::Stream(stream.into(), e.to_string()))?;
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
    .map_err(|e| NatsError::Consumer("engine".into(), e.to_string()))
}
