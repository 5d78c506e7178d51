//! `stepline bench --standard --tasks` (and `--nats URL`, `--amqp URI`): durable
//! executions, each with one task, answered by in-process workers: worker threads on the
//! embedded queues, or workers over a real bus (each with its own connection, speaking
//! the worker protocol as any worker would). Reports tasks per second end to end and the
//! latency from the start of an execution (its task dispatched in the same commit) to its
//! result applied.

use crate::amqp;
use crate::args::{Args, Readers};
use crate::nats;
use crate::report::{quantile, sort_ms};
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepline_core::engine::{Engine, EngineConfig, StatusListener};
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
pub fn run(a: Args, read: Readers, bus: Bus) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file)?;
    let input = (read.input)(&a.input)?;
    let activity = activity_of(&text).context("the definition needs a Task on an activity")?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    // The workers run apart from the bridge, as they would in their own processes.
    let workers_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let prefix = format!("bench{}", std::process::id());
    let clock = Arc::new(Clock::default());
    let config = EngineConfig { data_dir: a.data.clone(), ..EngineConfig::default() };
    let listener = clock.clone();
    let engine = match bus {
        Bus::Amqp(uri) => amqp::engine((&rt, &workers_rt), config, uri, &prefix, &activity, a.workers, listener)?,
        Bus::Nats(url) => nats::engine((&rt, &workers_rt), config, url, &prefix, &activity, a.workers, listener)?,
        Bus::InProcess => {
            let engine = Engine::open(config, stepline_bridge::embedded::routes().on_status_change(listener))?;
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
    sort_ms(&mut lat);
    let p = |q: f64| quantile(&lat, q);
    let ok = ended.iter().filter(|(_, _, ok)| *ok).count();
    let mut inner = clock.engine_ms.lock().map(|e| e.clone()).unwrap_or_default();
    inner.sort_unstable();
    let q = |x: f64| quantile(&inner, x);
    let tps = ended.len() as f64 / secs;
    engine.shutdown();
    let bus = match bus {
        Bus::Nats(url) => {
            rt.block_on(nats::cleanup(url, &prefix));
            "nats"
        }
        Bus::Amqp(uri) => {
            rt.block_on(amqp::cleanup(uri, &prefix, &activity));
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_activity_is_that_of_the_first_task_on_one() {
        let def = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
            "B":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:echo","End":true}}}"#;
        assert_eq!(super::activity_of(def).as_deref(), Some("echo"));
        assert_eq!(super::activity_of(r#"{"States":{"A":{"Type":"Pass"}}}"#), None);
        assert_eq!(super::activity_of("not json"), None);
    }
}
