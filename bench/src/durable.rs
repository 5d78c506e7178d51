//! `stepline bench --standard FILE` (and `--express`): executions through the engine,
//! every start and transition committed to redb before it is acknowledged; concurrent
//! starts share commits. Reports executions and transitions per second, start latency,
//! resident memory and how long listing the newest executions takes afterwards.

use crate::args::{Args, Readers};
use crate::report::{count, quantile, sort_ms};
use anyhow::Result;
use serde_json::json;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use stepline_core::engine::{Engine, EngineConfig};

pub fn run(a: Args, read: Readers) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&a.file)?;
    let input = (read.input)(&a.input)?;
    let defaults = EngineConfig::default();
    let cache_bytes = a.cache_mib.map_or(defaults.cache_bytes, |m| m << 20);
    let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: a.data.clone(), cache_bytes, ..defaults })?;
    if let Some(child) = &a.child {
        let text = std::fs::read_to_string(child)?;
        let role = "arn:aws:iam::000000000000:role/bench";
        if engine.create_state_machine("bench-child", &text, "STANDARD", role).is_err() {
            // Left by an earlier run on this store: its definition is this one.
            let arn = "arn:aws:states:us-east-1:000000000000:stateMachine:bench-child";
            engine.update_state_machine(arn, &text)?;
        }
    }
    let name = format!("bench-{}", std::process::id());
    let kind = if a.express { "EXPRESS" } else { "STANDARD" };
    let sm = engine.create_state_machine(&name, &text, kind, "arn:aws:iam::000000000000:role/bench")?;
    let express = a.express;
    let rate = a.rate.filter(|r| *r > 0.0);
    let next = Arc::new(AtomicU64::new(0));
    let transitions = Arc::new(AtomicU64::new(0));
    let mut latencies: Vec<f64> = Vec::new();
    let start = Instant::now();
    let clients = a.concurrency.max(1);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (engine, sm, input, next, transitions) =
                (engine.clone(), sm.arn.clone(), input.clone(), next.clone(), transitions.clone());
            let total = a.executions;
            std::thread::spawn(move || {
                let mut lat = Vec::with_capacity(total as usize / clients + 1);
                let mut done = 0;
                // Clients claim executions in chunks and count locally: a shared counter
                // touched per execution would cost more than an EXPRESS execution.
                let chunk = if rate.is_some() { 1 } else { 64 };
                let (mut i, mut end) = (0, 0);
                loop {
                    if i == end {
                        i = next.fetch_add(chunk, Ordering::Relaxed);
                        end = (i + chunk).min(total);
                    }
                    if i >= total {
                        break;
                    }
                    i += 1;
                    let t = match rate {
                        Some(r) => {
                            let due = start + std::time::Duration::from_secs_f64((i - 1) as f64 / r);
                            std::thread::sleep(due.saturating_duration_since(Instant::now()));
                            due
                        }
                        None => Instant::now(),
                    };
                    let r = if express {
                        engine.start_sync_execution(&sm, None, input.clone())
                    } else {
                        engine.start_execution(&sm, None, input.clone())
                    };
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    if let Ok(r) = r {
                        done += r.transitions;
                    }
                }
                transitions.fetch_add(done, Ordering::Relaxed);
                lat
            })
        })
        .collect();
    for t in threads {
        latencies.extend(t.join().unwrap_or_default());
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let rss = resident_mib();
    let list_ms = list_newest_ms(&engine)?;
    engine.shutdown();
    sort_ms(&mut latencies);
    let p = |q: f64| quantile(&latencies, q);
    let tps = transitions.load(Ordering::Relaxed) as f64 / secs;
    let eps = a.executions as f64 / secs;
    if a.json {
        println!(
            "{}",
            json!({"definition": a.file, "mode": kind, "executions": a.executions, "seconds": secs,
            "executions_per_s": eps, "state_transitions_per_s": tps, "start_latency_ms_p50": p(0.5), "start_latency_ms_p99": p(0.99),
            "resident_mib": rss, "list_newest_100_ms_median": list_ms})
        );
    } else {
        println!(
            "{} {kind} {} through the engine in {secs:.3}s with {}",
            a.executions,
            if a.executions == 1 { "execution" } else { "executions" },
            count(a.concurrency, "client", "clients")
        );
        println!(
            "{eps:.0} executions/s, {tps:.0} state transitions/s; start latency p50 {:.2} ms, p99 {:.2} ms",
            p(0.5),
            p(0.99)
        );
        println!(
            "resident memory {} MiB; listing the newest 100 executions: {list_ms:.2} ms (median of 21)",
            rss.map_or("?".to_string(), |m| format!("{m:.0}"))
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// This process's resident memory (Linux), with every started execution still held.
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Median time of `ListExecutions` for the newest 100 of everything stored.
fn list_newest_ms(engine: &Engine) -> Result<f64> {
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let page = engine.list_executions(None, None, 100, None)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(page);
    }
    sort_ms(&mut times);
    Ok(times[times.len() / 2])
}
