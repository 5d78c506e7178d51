//! `stepline bench --standard --nats URL`: durable executions whose tasks go over a real
//! bus to in-process workers (each with its own connection, speaking the worker protocol
//! as any worker would). Reports tasks per second end to end and the latency from the
//! start of an execution (its task dispatched in the same commit) to its result applied.

use crate::bench::Args;
use crate::definition;
use anyhow::{Context, Result};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepline_bridge::nats::{Names, NatsBridge, NatsSettings};
use stepline_core::engine::{Engine, EngineConfig, Routes, StatusListener};
use stepline_core::interp::Status;
use stepline_core::store::ExecutionRecord;

/// When each execution started and ended, by ARN.
#[derive(Default)]
struct Clock {
    started: Mutex<HashMap<String, Instant>>,
    ended: Mutex<Vec<(String, Instant, bool)>>,
    /// Stop minus start as the engine recorded them (ms): the latency without the time a
    /// client thread took to get to its start.
    engine_ms: Mutex<Vec<i64>>,
}

impl StatusListener for Clock {
    fn status_changed(&self, r: &ExecutionRecord) {
        if r.status != Status::Running {
            if let Ok(mut e) = self.ended.lock() {
                e.push((r.arn.clone(), Instant::now(), r.status == Status::Succeeded));
            }
            if let Ok(mut e) = self.engine_ms.lock() {
                e.push(r.stop.unwrap_or(r.start) - r.start);
            }
        }
    }
}

/// Where the benchmark's tasks go.
#[derive(Clone, Copy)]
pub enum Bus<'a> {
    /// The in-process queues, answered by worker threads (the embedded default's ceiling).
    InProcess,
    Nats(&'a str),
    Amqp(&'a str),
}

/// Tasks over a bus to `--workers` echo workers.
pub fn run(a: Args, bus: Bus) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file)?;
    let input = definition::input(&a.input)?;
    let activity = activity_of(&text).context("the definition needs a Task on an activity")?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    // The workers run apart from the bridge, as they would in their own processes.
    let workers_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let prefix = format!("bench{}", std::process::id());
    let clock = Arc::new(Clock::default());
    let config = EngineConfig { data_dir: a.data.clone(), ..EngineConfig::default() };
    let listener = clock.clone();
    let engine = match bus {
        Bus::Amqp(uri) => {
            crate::bench_amqp::engine((&rt, &workers_rt), config, uri, &prefix, &activity, a.workers, listener)?
        }
        Bus::Nats(url) => {
            let mut settings = NatsSettings::with_url(url);
            settings.prefix = prefix.clone();
            settings.api = false;
            let bridge = rt.block_on(NatsBridge::connect(settings)).context("cannot set up NATS")?;
            let dispatcher = bridge.dispatcher();
            let engine =
                Engine::open_with(config, |q| Routes::local(q).otherwise(dispatcher).on_status_change(listener))?;
            let e = engine.clone();
            rt.spawn(async move { bridge.run(e).await });
            for _ in 0..a.workers.max(1) {
                workers_rt.spawn(echo_worker(url.to_string(), prefix.clone(), activity.clone()));
            }
            engine
        }
        Bus::InProcess => {
            let engine = Engine::open_with(config, |q| Routes::local(q).on_status_change(listener))?;
            for _ in 0..a.workers.max(1) {
                let (engine, activity) = (engine.clone(), activity.clone());
                std::thread::spawn(move || loop {
                    if let Some(t) = engine.poll_task(&activity, Duration::from_secs(1)) {
                        let _ = engine.answer_task(&t.token, stepline_core::engine::TaskAnswer::Success(t.input));
                    }
                });
            }
            engine
        }
    };
    let sm = engine.create_state_machine(&prefix, &text, "STANDARD", "arn:aws:iam::000000000000:role/bench")?;
    // Warm up (bridge connected, queues declared, every worker consuming) before the
    // clock starts, so that start-up is not counted as latency.
    let warm = 50;
    for i in 0..warm {
        engine.start_execution(&sm.arn, Some(&format!("warm{i}")), input.clone())?;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while clock.ended.lock().map(|e| e.len() < warm).unwrap_or(false) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    clock.ended.lock().map(|mut e| e.clear()).ok();
    clock.engine_ms.lock().map(|mut e| e.clear()).ok();
    let rate = a.rate.filter(|r| *r > 0.0);
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let begin = Instant::now();
    let threads: Vec<_> = (0..a.concurrency.max(1))
        .map(|_| {
            let (engine, sm, input, next, clock) =
                (engine.clone(), sm.arn.clone(), input.clone(), next.clone(), clock.clone());
            let total = a.executions;
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let due = match rate {
                    Some(r) => {
                        let due = begin + Duration::from_secs_f64(i as f64 / r);
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                        due
                    }
                    None => Instant::now(),
                };
                let name = format!("e{i}");
                let arn = sm.replace(":stateMachine:", ":execution:") + ":" + &name;
                if let Ok(mut s) = clock.started.lock() {
                    s.insert(arn, due);
                }
                let _ = engine.start_execution(&sm, Some(&name), input.clone());
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while clock.ended.lock().map(|e| (e.len() as u64) < a.executions).unwrap_or(false) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let secs = begin.elapsed().as_secs_f64();
    let ended = clock.ended.lock().map(|e| e.clone()).unwrap_or_default();
    let started = clock.started.lock().map(|s| s.clone()).unwrap_or_default();
    let mut lat: Vec<f64> = ended
        .iter()
        .filter_map(|(arn, at, _)| started.get(arn).map(|s| at.duration_since(*s).as_secs_f64() * 1000.0))
        .collect();
    lat.sort_by(|x, y| x.total_cmp(y));
    let p = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    let ok = ended.iter().filter(|(_, _, ok)| *ok).count();
    let mut inner = clock.engine_ms.lock().map(|e| e.clone()).unwrap_or_default();
    inner.sort_unstable();
    let q = |x: f64| inner.get(((inner.len() as f64 - 1.0) * x) as usize).copied().unwrap_or(0);
    let tps = ended.len() as f64 / secs;
    engine.shutdown();
    let bus = match bus {
        Bus::Nats(url) => {
            rt.block_on(cleanup(url, &prefix));
            "nats"
        }
        Bus::Amqp(uri) => {
            rt.block_on(crate::bench_amqp::cleanup(uri, &prefix, &activity));
            "amqp"
        }
        Bus::InProcess => "in-process",
    };
    if a.json {
        println!(
            "{}",
            json!({"bus": bus, "executions": a.executions, "succeeded": ok, "workers": a.workers, "seconds": secs,
                   "tasks_per_s": tps, "latency_ms_p50": p(0.5), "latency_ms_p99": p(0.99), "rate": rate,
                   "engine_latency_ms_p50": q(0.5), "engine_latency_ms_p99": q(0.99)})
        );
    } else {
        println!(
            "{} executions with one task each ({bus}), {} workers, in {secs:.2}s ({ok} succeeded)",
            a.executions, a.workers
        );
        println!("{tps:.0} tasks/s end to end; start to result applied: p50 {:.2} ms, p99 {:.2} ms", p(0.5), p(0.99));
        println!("as the engine recorded it (ms): p50 {}, p99 {}", q(0.5), q(0.99));
    }
    Ok(ExitCode::SUCCESS)
}

/// The activity of the first Task state whose resource is an activity.
fn activity_of(definition: &str) -> Option<String> {
    let v: Value = serde_json::from_str(definition).ok()?;
    v["States"].as_object()?.values().find_map(|s| {
        let r = s["Resource"].as_str()?;
        r.split(":activity:").nth(1).map(str::to_string)
    })
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

async fn cleanup(url: &str, prefix: &str) {
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
    report_baseline("nats", "NATS JetStream", lat, secs, &a);
    Ok(ExitCode::SUCCESS)
}

/// Prints a bare-bus baseline: round trips per second and publish-to-collected latency.
pub fn report_baseline(bus: &str, label: &str, mut lat: Vec<f64>, secs: f64, a: &Args) {
    lat.sort_by(|x, y| x.total_cmp(y));
    let p = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    let rps = lat.len() as f64 / secs;
    if a.json {
        println!(
            "{}",
            json!({"bus": bus, "baseline": true, "round_trips": lat.len(), "workers": a.workers, "seconds": secs,
                   "round_trips_per_s": rps, "latency_ms_p50": p(0.5), "latency_ms_p99": p(0.99)})
        );
    } else {
        println!("{} bare {label} round trips (no engine), {} workers, in {secs:.2}s", lat.len(), a.workers);
        println!("{rps:.0} round trips/s; publish to result collected: p50 {:.2} ms, p99 {:.2} ms", p(0.5), p(0.99));
    }
}
