//! In from the broker: results and heartbeats on the results queue, trigger messages on
//! the trigger queues. Acked only once the engine has committed what they say; what can
//! never be used goes to the dead-letter exchange with its reason, then is acked.

use super::dispatch::header_text;
use super::error::AmqpError;
use crate::bus::ingest::EXECUTION_NAME_HEADER;
use crate::bus::{disposition, Disposition, Names, Stats};
use futures_util::StreamExt;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Confirmation};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;

/// Header naming a request/response worker's error (its reply is then a failure).
pub const ERROR_HEADER: &str = "Stepline-Error";
/// Header with the cause of that error.
pub const CAUSE_HEADER: &str = "Stepline-Cause";
/// Header a dead-lettered message carries: why it was rejected.
pub const REASON_HEADER: &str = "Stepline-Reject-Reason";
/// Header a dead-lettered message carries: the queue it came from.
pub const SOURCE_HEADER: &str = "Stepline-Source-Queue";

#[derive(Clone)]
pub(super) struct Context {
    /// The connection's publishing channel (confirms on), for dead letters.
    pub publish: Channel,
    pub names: Names,
    pub engine: Engine,
    pub stats: Arc<Stats>,
    pub prefetch: u16,
    /// Tokens answered on the results queue: their worker took the task from its queue.
    pub taken: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// Consumes `queue` with manual acks, handling each delivery on its own task (at most
/// `prefetch` at once), until the channel fails.
async fn consume<F, Fut>(ch: Channel, ctx: &Context, queue: &str, handle: F) -> Result<(), AmqpError>
where
    F: Fn(Delivery) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    ch.basic_qos(ctx.prefetch, BasicQosOptions::default()).await.map_err(AmqpError::broker("basic.qos"))?;
    let mut consumer = ch
        .basic_consume(queue.into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .map_err(AmqpError::broker(format!("consume {queue}")))?;
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery.map_err(AmqpError::broker(format!("consume {queue}")))?;
        tokio::spawn(handle(delivery));
    }
    Err(AmqpError::lost(format!("the consumer of {queue} ended")))
}

pub(super) async fn results(ch: Channel, ctx: Context) -> Result<(), AmqpError> {
    let queue = ctx.names.results_queue();
    let (c, q) = (ctx.clone(), queue.clone());
    consume(ch, &c, &q, move |d| {
        let (ctx, queue) = (ctx.clone(), queue.clone());
        async move { result(d, &ctx, &queue).await }
    })
    .await
}

async fn result(d: Delivery, ctx: &Context, queue: &str) {
    let correlation = d.properties.correlation_id().as_ref().map(|c| c.as_str().to_string());
    let error = header_text(&d.properties, ERROR_HEADER);
    let cause = header_text(&d.properties, CAUSE_HEADER);
    let (token, answer) = match crate::protocol::parse_reply(&d.data, correlation.as_deref(), error, cause) {
        Ok(r) => r,
        Err(e) => {
            let rejected = disposition::of_malformed_result(&ctx.stats, e.to_string());
            return settle(d, ctx, queue, rejected).await;
        }
    };
    if !matches!(answer, stepline_core::engine::TaskAnswer::Heartbeat) {
        let mut taken = ctx.taken.lock().unwrap_or_else(|p| p.into_inner());
        if taken.len() >= 100_000 {
            // Tokens no task of this engine had (stale, unknown): forgotten in bulk.
            taken.clear();
        }
        taken.insert(token.clone());
    }
    let applied = disposition::of_result(&ctx.engine, &ctx.stats, &token, answer).await;
    settle(d, ctx, queue, applied).await
}

pub(super) async fn trigger(ch: Channel, ctx: Context, queue: String, machine: String) -> Result<(), AmqpError> {
    let (c, q) = (ctx.clone(), queue.clone());
    consume(ch, &c, &q, move |d| {
        let (ctx, queue, machine) = (ctx.clone(), queue.clone(), machine.clone());
        async move { start(d, &ctx, &queue, &machine).await }
    })
    .await
}

async fn start(d: Delivery, ctx: &Context, queue: &str, machine: &str) {
    let name = header_text(&d.properties, EXECUTION_NAME_HEADER)
        .or_else(|| d.properties.message_id().as_ref().map(|m| m.as_str().to_string()));
    let started = disposition::of_trigger(&ctx.engine, &ctx.stats, machine, &d.data, name.as_deref()).await;
    settle(d, ctx, queue, started).await
}

/// A message's [`Disposition`] in AMQP's words: ack; requeue after the delay; or
/// dead-letter with the reason.
async fn settle(d: Delivery, ctx: &Context, queue: &str, disposition: Disposition) {
    match disposition {
        Disposition::Ack => {
            let _ = d.ack(BasicAckOptions::default()).await;
        }
        Disposition::Retry(delay) => redeliver_later(d, delay).await,
        Disposition::Reject(why) => dead_letter(d, ctx, queue, &why).await,
    }
}

/// Gives a message back to its queue after a pause, so a failing engine is not spun on.
async fn redeliver_later(d: Delivery, delay: Duration) {
    tokio::time::sleep(delay).await;
    let _ = d.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
}

/// Publishes the message to the dead-letter exchange with why and where from, then acks
/// it; if the broker does not confirm the dead letter, the message goes back to its queue.
async fn dead_letter(d: Delivery, ctx: &Context, queue: &str, why: &str) {
    tracing::warn!("a message on {queue} was dead-lettered: {why}");
    let mut headers = d.properties.headers().clone().unwrap_or_default();
    headers.insert(REASON_HEADER.into(), AMQPValue::LongString(why.into()));
    headers.insert(SOURCE_HEADER.into(), AMQPValue::LongString(queue.into()));
    let props = d.properties.clone().with_headers(headers).with_delivery_mode(2);
    let exchange = ctx.names.dead_letter();
    let stored = match ctx
        .publish
        .basic_publish(exchange.into(), queue.into(), BasicPublishOptions::default(), &d.data, props)
        .await
    {
        Ok(confirm) => matches!(confirm.await, Ok(Confirmation::Ack(_))),
        Err(_) => false,
    };
    if stored {
        Stats::count(&ctx.stats.dead_lettered);
        let _ = d.ack(BasicAckOptions::default()).await;
    } else {
        redeliver_later(d, disposition::RETRY_DELAY).await;
    }
}
