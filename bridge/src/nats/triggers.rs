//! Triggers: messages on a configured subject start executions. The `TRIGGERS` stream
//! holds them, one durable consumer per trigger, acked only once `ExecutionStarted` is
//! committed. The header `Stepline-Execution-Name` names the execution, making a
//! redelivered or repeated message start it once. A message that is not JSON, too large,
//! or refused by the engine for good is terminated (never redelivered), logged and counted.

use super::ack::to_ack_kind;
use super::error::{BoxError, NatsError};
use super::settings::TriggerSettings;
use super::streams::ensure_stream;
use crate::bus::ingest::EXECUTION_NAME_HEADER;
use crate::bus::names::consumer_name;
use crate::bus::{disposition, Disposition, Names, Stats};
use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
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
    ensure_stream(
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
        let machine = crate::bus::ingest::machine_arn(&engine, &t.state_machine);
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
            let s = js.get_stream(&stream_name).await.map_err(BoxError::from)?;
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
                .map_err(BoxError::from)?;
            c.messages().await.map_err(BoxError::from)
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

async fn handle(msg: jetstream::Message, machine: &str, engine: Engine, stats: &Stats) {
    let name = msg.headers.as_ref().and_then(|h| h.get(EXECUTION_NAME_HEADER)).map(|v| v.as_str().to_string());
    let d = disposition::of_trigger(&engine, stats, machine, &msg.payload, name.as_deref()).await;
    if let Disposition::Reject(why) = &d {
        tracing::warn!("trigger message on {} rejected: {why}", msg.subject);
    }
    let _ = msg.ack_with(to_ack_kind(&d)).await;
}
