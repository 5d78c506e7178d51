//! Triggers: messages on a configured subject start executions. The `TRIGGERS` stream
//! holds them, one durable consumer per trigger, acked only once `ExecutionStarted` is
//! committed. The header `Stepline-Execution-Name` names the execution, making a
//! redelivered or repeated message start it once. A message that is not JSON, too large,
//! or refused by the engine for good is terminated (never redelivered), logged and counted.

use super::{consumer_name, Names, NatsError, Stats, TriggerSettings};
use async_nats::jetstream::{self, consumer, stream, AckKind};
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;

pub(super) async fn run(
    js: jetstream::Context,
    names: Names,
    triggers: Vec<TriggerSettings>,
    engine: Engine,
    stats: Arc<Stats>,
) -> Result<(), NatsError> {
    let stream_name = names.triggers_stream();
    super::ensure_stream(
        &js,
        stream::Config {
            name: stream_name.clone(),
            subjects: triggers.iter().map(|t| t.subject.clone()).collect(),
            retention: stream::RetentionPolicy::WorkQueue,
            ..Default::default()
        },
    )
    .await?;
    let mut loops = tokio::task::JoinSet::new();
    for t in triggers {
        let machine = crate::ingest::machine_arn(&engine, &t.state_machine);
        loops.spawn(one(js.clone(), stream_name.clone(), t, machine, engine.clone(), stats.clone()));
    }
    while let Some(r) = loops.join_next().await {
        if let Ok(Err(e)) = r {
            return Err(e);
        }
    }
    Ok(())
}

async fn one(
    js: jetstream::Context,
    stream_name: String,
    trigger: TriggerSettings,
    machine: String,
    engine: Engine,
    stats: Arc<Stats>,
) -> Result<(), NatsError> {
    let name = format!("trigger-{}", consumer_name(&trigger.subject));
    loop {
        let messages = async {
            let s = js.get_stream(&stream_name).await.map_err(|e| e.to_string())?;
            let c = s
                .get_or_create_consumer(
                    &name,
                    consumer::pull::Config {
                        durable_name: Some(name.clone()),
                        filter_subject: trigger.subject.clone(),
                        ack_policy: consumer::AckPolicy::Explicit,
                        ack_wait: Duration::from_secs(30),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            c.messages().await.map_err(|e| e.to_string())
        }
        .await;
        let mut messages = match messages {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("trigger {}: {e}; retrying", trigger.subject);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(msg) = messages.next().await {
            let Ok(msg) = msg else { continue };
            let (engine, stats, machine) = (engine.clone(), stats.clone(), machine.clone());
            tokio::spawn(async move { handle(msg, &machine, engine, &stats).await });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn reject(msg: &jetstream::Message, stats: &Stats, why: String) {
    stats.triggers_rejected.fetch_add(1, Ordering::Relaxed);
    tracing::warn!("trigger message on {} rejected: {why}", msg.subject);
    let _ = msg.ack_with(AckKind::Term).await;
}

async fn handle(msg: jetstream::Message, machine: &str, engine: Engine, stats: &Stats) {
    use crate::ingest::{start_from_trigger, TriggerOutcome, EXECUTION_NAME_HEADER};
    let name = msg.headers.as_ref().and_then(|h| h.get(EXECUTION_NAME_HEADER)).map(|v| v.as_str().to_string());
    match start_from_trigger(&engine, machine, &msg.payload, name.as_deref()).await {
        TriggerOutcome::Started => {
            stats.triggers_started.fetch_add(1, Ordering::Relaxed);
            let _ = msg.ack().await;
        }
        TriggerOutcome::Retry(why) => {
            tracing::warn!("trigger message on {} will be retried: {why}", msg.subject);
            let _ = msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
        }
        TriggerOutcome::Reject(why) => reject(&msg, stats, why).await,
    }
}
