//! `stepline bench --standard --nats URL`: the engine's tasks over NATS JetStream to
//! in-process workers, each with its own connection, speaking the worker protocol as any
//! worker would. `--baseline` runs the same round trip on the bare bus with the same
//! durability and no engine.

use crate::args::Args;
use anyhow::{Context, Result};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepline_bridge::nats::{Names, NatsBridge, NatsSettings};
use stepline_core::engine::{Engine, EngineConfig, StatusListener};

/// The engine with every activity over NATS (the bridge on `rt`), and `workers` echo
/// workers on `workers_rt`, apart from the bridge as they would be in their own processes.
pub fn engine(
    (rt, workers_rt): (&tokio::runtime::Runtime, &tokio::runtime::Runtime),
    config: EngineConfig,
    url: &str,
    prefix: &str,
    activity: &str,
    workers: usize,
    listener: Arc<dyn StatusListener>,
) -> Result<Engine> {
    let mut settings = NatsSettings::with_url(url);
    settings.bus.prefix = prefix.to_string();
    settings.api = false;
    let bridge = rt.block_on(NatsBridge::connect(settings)).context("cannot set up NATS")?;
    let dispatcher = bridge.dispatcher();
    let engine =
        Engine::open(config, stepline_bridge::embedded::routes().otherwise(dispatcher).on_status_change(listener))?;
    let e = engine.clone();
    rt.spawn(async move { bridge.run(e).await });
    for _ in 0..workers.max(1) {
        workers_rt.spawn(echo_worker(url.to_string(), prefix.to_string(), activity.to_string()));
    }
    Ok(engine)
}

/// A worker as any language would write it: pull a task, publish its result, ack.
async fn echo_worker(url: String, prefix: String, activity: String) -> Result<()> {
    let client = async_nats::connect(url).await?;
    let js = async_nats::jetstream::new(client);
    let stream_name = Names { prefix: prefix.clone() }.tasks_stream();
    // The engine creates the consumer with the first task; wait for it.
    let consumer = loop {
        let found = async {
            let s = js.get_stream(&stream_name).await.ok()?;
            s.get_consumer::<async_nats::jetstream::consumer::pull::Config>(&activity).await.ok()
        }
        .await;
        match found {
            Some(c) => break c,
            None => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let mut messages = consumer.messages().await?;
    let results = format!("{prefix}.results");
    while let Some(Ok(msg)) = messages.next().await {
        let task: Value = serde_json::from_slice(&msg.payload).unwrap_or_default();
        let answer = json!({"type": "success", "taskToken": task["taskToken"], "output": task["input"]});
        let (js, results) = (js.clone(), results.clone());
        tokio::spawn(async move {
            if let Ok(ack) = js.publish(results, answer.to_string().into()).await {
                if ack.await.is_ok() {
                    let _ = msg.ack().await;
                }
            }
        });
    }
    Ok(())
}

/// Deletes the streams a benchmark under `prefix` made.
pub async fn cleanup(url: &str, prefix: &str) {
    if let Ok(client) = async_nats::connect(url).await {
        Names { prefix: prefix.to_string() }.delete_streams(&async_nats::jetstream::new(client)).await;
    }
}

/// `--nats URL --baseline`: the bus alone, with the durability Stepline asks of it and no
/// engine. A publisher puts tasks on a work-queue stream (waiting for each store ack),
/// workers take them, publish a result to a second stream (acked) and ack the task, and a
/// collector takes the results and acks them. The bus's own ceiling on this machine.
pub fn baseline(a: Args, url: &str) -> Result<ExitCode> {
    use async_nats::jetstream::{consumer, stream};
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let prefix = format!("base{}", std::process::id());
    let names = Names { prefix: prefix.clone() };
    let (tasks_stream, results_stream) = (names.tasks_stream(), names.results_stream());
    let total = a.executions;
    let (secs, lat) = rt.block_on(async {
        let js = async_nats::jetstream::new(async_nats::connect(url).await?);
        for (name, subject) in
            [(&tasks_stream, format!("{prefix}.tasks.>")), (&results_stream, names.results_subject())]
        {
            js.create_or_update_stream(stream::Config {
                name: name.clone(),
                subjects: vec![subject],
                retention: stream::RetentionPolicy::WorkQueue,
                ..Default::default()
            })
            .await?;
        }
        let tasks = js.get_stream(&tasks_stream).await?;
        let work = consumer::pull::Config { durable_name: Some("work".into()), ..Default::default() };
        tasks.get_or_create_consumer("work", work).await?;
        let results = js.get_stream(&results_stream).await?;
        let collect = consumer::pull::Config { durable_name: Some("collect".into()), ..Default::default() };
        let collector = results.get_or_create_consumer("collect", collect).await?;
        for _ in 0..a.workers.max(1) {
            let (url, prefix, tasks_stream) = (url.to_string(), prefix.clone(), tasks_stream.clone());
            tokio::spawn(async move {
                let js = async_nats::jetstream::new(async_nats::connect(url).await?);
                let c: consumer::PullConsumer = js
                    .get_stream(&tasks_stream)
                    .await?
                    .get_consumer("work")
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let mut msgs = c.messages().await?;
                while let Some(Ok(msg)) = msgs.next().await {
                    let (js, subject) = (js.clone(), format!("{prefix}.results"));
                    tokio::spawn(async move {
                        if let Ok(ack) = js.publish(subject, msg.payload.clone()).await {
                            if ack.await.is_ok() {
                                let _ = msg.ack().await;
                            }
                        }
                    });
                }
                anyhow::Ok(())
            });
        }
        let begin = Instant::now();
        let sent: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
        let publisher = {
            let (js, prefix, sent) = (js.clone(), prefix.clone(), sent.clone());
            tokio::spawn(async move {
                // A window of publishes in flight, as the engine's dispatcher keeps.
                let window = Arc::new(tokio::sync::Semaphore::new(a.concurrency.max(1)));
                for i in 0..total {
                    let permit = window.clone().acquire_owned().await?;
                    sent.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.insert(i, Instant::now());
                    let ack = js.publish(format!("{prefix}.tasks.work"), i.to_string().into()).await?;
                    tokio::spawn(async move {
                        let _ = ack.await;
                        drop(permit);
                    });
                }
                anyhow::Ok(())
            })
        };
        let mut lat = Vec::with_capacity(total as usize);
        let mut msgs = collector.messages().await?;
        while (lat.len() as u64) < total {
            let Some(Ok(msg)) = msgs.next().await else { break };
            let i: u64 = std::str::from_utf8(&msg.payload).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
            if let Some(t) = sent.lock().ok().and_then(|mut s| s.remove(&i)) {
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            msg.ack().await.ok();
        }
        let secs = begin.elapsed().as_secs_f64();
        publisher.abort();
        names.delete_streams(&js).await;
        anyhow::Ok((secs, lat))
    })?;
    crate::report::baseline("nats", "NATS JetStream", lat, secs, &a);
    Ok(ExitCode::SUCCESS)
}
