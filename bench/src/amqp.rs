//! `stepline bench --standard --amqp URI`: the load benchmark over RabbitMQ. Workers are
//! in-process but each has its own connection and speaks the worker protocol as any
//! worker would (persistent result with confirms, then ack). `--baseline` runs the same
//! round trip on the bare broker with the same durability and no engine.

use crate::args::Args;
use anyhow::{Context, Result};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions,
    ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepline_bridge::amqp::{AmqpBridge, AmqpSettings, Names};
use stepline_core::engine::{Engine, EngineConfig, StatusListener};

/// The engine with every activity over AMQP (the bridge on `rt`), and `workers` echo
/// workers on `workers_rt`, apart from the bridge as they would be in their own processes.
pub fn engine(
    (rt, workers_rt): (&tokio::runtime::Runtime, &tokio::runtime::Runtime),
    config: EngineConfig,
    uri: &str,
    prefix: &str,
    activity: &str,
    workers: usize,
    listener: Arc<dyn StatusListener>,
) -> Result<Engine> {
    let mut settings = AmqpSettings::with_uri(uri);
    settings.bus.prefix = prefix.to_string();
    let bridge = rt.block_on(AmqpBridge::connect(settings)).context("cannot set up AMQP")?;
    let dispatcher = bridge.dispatcher();
    let engine =
        Engine::open(config, stepline_bridge::embedded::routes().otherwise(dispatcher).on_status_change(listener))?;
    let e = engine.clone();
    rt.spawn(async move { bridge.run(e).await });
    let queue = Names { prefix: prefix.to_string() }.task_queue(activity);
    for _ in 0..workers.max(1) {
        workers_rt.spawn(echo_worker(uri.to_string(), queue.clone()));
    }
    Ok(engine)
}

async fn channel(uri: &str, prefetch: u16) -> Result<(Connection, Channel)> {
    let conn = Connection::connect(uri, ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    ch.confirm_select(ConfirmSelectOptions::default()).await?;
    ch.basic_qos(prefetch, BasicQosOptions::default()).await?;
    Ok((conn, ch))
}

async fn declare(ch: &Channel, queue: &str) -> Result<()> {
    let durable = QueueDeclareOptions { durable: true, ..Default::default() };
    ch.queue_declare(queue.into(), durable, FieldTable::default()).await?;
    Ok(())
}

/// A worker as any language would write it: take a task, publish its result (persistent,
/// confirmed) to its reply_to, then ack the task.
async fn echo_worker(uri: String, queue: String) -> Result<()> {
    let (_conn, ch) = channel(&uri, 100).await?;
    declare(&ch, &queue).await?;
    let mut tasks = ch
        .basic_consume(queue.as_str().into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await?;
    while let Some(Ok(d)) = tasks.next().await {
        let ch = ch.clone();
        tokio::spawn(async move {
            let task: Value = serde_json::from_slice(&d.data).unwrap_or_default();
            let answer = json!({"type": "success", "taskToken": task["taskToken"], "output": task["input"]});
            let reply_to = d.properties.reply_to().clone().unwrap_or_default();
            let props = BasicProperties::default().with_delivery_mode(2);
            let body = answer.to_string();
            if let Ok(c) =
                ch.basic_publish("".into(), reply_to, BasicPublishOptions::default(), body.as_bytes(), props).await
            {
                if c.await.is_ok_and(|c| c.is_ack()) {
                    let _ = d.ack(BasicAckOptions::default()).await;
                }
            }
        });
    }
    Ok(())
}

/// Deletes what a benchmark under `prefix` declared.
pub async fn cleanup(uri: &str, prefix: &str, activity: &str) {
    let names = Names { prefix: prefix.to_string() };
    let Ok(conn) = Connection::connect(uri, ConnectionProperties::default()).await else { return };
    let Ok(ch) = conn.create_channel().await else { return };
    for q in [names.task_queue(activity), names.results_queue(), names.dead_letter(), names.holder_queue()] {
        let _ = ch.queue_delete(q.as_str().into(), QueueDeleteOptions::default()).await;
    }
    for e in [names.tasks_exchange(), names.events_exchange(), names.dead_letter()] {
        let _ = ch.exchange_delete(e.as_str().into(), ExchangeDeleteOptions::default()).await;
    }
    let _ = conn.close(200, "done".into()).await;
}

/// `--amqp URI --baseline`: a publisher puts persistent tasks on a durable queue with
/// confirms (a window of `--concurrency` unconfirmed), workers take them, publish a
/// persistent result with confirms and ack, a collector takes the results and acks. With
/// `--rate`, tasks are published at that rate (the window still bounds them).
pub fn baseline(a: Args, uri: &str) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let prefix = format!("base{}", std::process::id());
    let names = Names { prefix: prefix.clone() };
    let (tasks_q, results_q) = (names.task_queue("work"), names.results_queue());
    let total = a.executions;
    let (secs, lat) = rt.block_on(async {
        let (conn, ch) = channel(uri, 1000).await?;
        declare(&ch, &tasks_q).await?;
        declare(&ch, &results_q).await?;
        for _ in 0..a.workers.max(1) {
            let (uri, tasks_q, results_q) = (uri.to_string(), tasks_q.clone(), results_q.clone());
            tokio::spawn(async move {
                let (_conn, ch) = channel(&uri, 100).await?;
                let mut tasks = ch
                    .basic_consume(tasks_q.into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
                    .await?;
                while let Some(Ok(d)) = tasks.next().await {
                    let (ch, results_q) = (ch.clone(), results_q.clone());
                    tokio::spawn(async move {
                        let props = BasicProperties::default().with_delivery_mode(2);
                        let opts = BasicPublishOptions::default();
                        if let Ok(c) = ch.basic_publish("".into(), results_q.into(), opts, &d.data, props).await {
                            if c.await.is_ok_and(|c| c.is_ack()) {
                                let _ = d.ack(BasicAckOptions::default()).await;
                            }
                        }
                    });
                }
                anyhow::Ok(())
            });
        }
        let begin = Instant::now();
        // With --rate: open loop, as the engine benchmark's clients.
        let rate = a.rate.filter(|r| *r > 0.0);
        let sent: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
        let publisher = {
            let (ch, sent, tasks_q) = (ch.clone(), sent.clone(), tasks_q.clone());
            tokio::spawn(async move {
                let window = Arc::new(tokio::sync::Semaphore::new(a.concurrency.max(1)));
                for i in 0..total {
                    if let Some(r) = rate {
                        tokio::time::sleep_until((begin + Duration::from_secs_f64(i as f64 / r)).into()).await;
                    }
                    let permit = window.clone().acquire_owned().await?;
                    sent.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.insert(i, Instant::now());
                    let props = BasicProperties::default().with_delivery_mode(2);
                    let body = i.to_string();
                    let c = ch
                        .basic_publish(
                            "".into(),
                            tasks_q.as_str().into(),
                            BasicPublishOptions::default(),
                            body.as_bytes(),
                            props,
                        )
                        .await?;
                    tokio::spawn(async move {
                        let _ = c.await;
                        drop(permit);
                    });
                }
                anyhow::Ok(())
            })
        };
        let mut lat = Vec::with_capacity(total as usize);
        let collect = conn.create_channel().await?;
        collect.basic_qos(1000, BasicQosOptions::default()).await?;
        let mut results = collect
            .basic_consume(results_q.as_str().into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await?;
        while (lat.len() as u64) < total {
            let Ok(Some(Ok(d))) = tokio::time::timeout(Duration::from_secs(30), results.next()).await else { break };
            let i: u64 = std::str::from_utf8(&d.data).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
            if let Some(t) = sent.lock().ok().and_then(|mut s| s.remove(&i)) {
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let _ = d.ack(BasicAckOptions::default()).await;
        }
        let secs = begin.elapsed().as_secs_f64();
        publisher.abort();
        for q in [&tasks_q, &results_q] {
            let _ = ch.queue_delete(q.as_str().into(), QueueDeleteOptions::default()).await;
        }
        anyhow::Ok((secs, lat))
    })?;
    crate::report::baseline("amqp", "AMQP", lat, secs, &a);
    Ok(ExitCode::SUCCESS)
}
