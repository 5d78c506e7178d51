//! `stepline bench`: N executions one after another in memory, on virtual time, with
//! tasks answered by echoing their input, to measure the interpreter end to end.

use crate::definition;
use anyhow::{bail, Result};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use stepline_core::interp::{Status, TaskRequest};
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::{self, RunOptions, TaskOutcome};

#[derive(clap::Args)]
pub struct Args {
    /// The definition (JSON or YAML).
    pub file: PathBuf,
    /// The execution input: JSON text, or @FILE.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// How many executions to run.
    #[arg(long, default_value_t = 1000)]
    pub executions: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Run durable STANDARD executions on the engine (redb with fsync on commit) instead
    /// of in memory.
    #[arg(long)]
    standard: bool,
    /// Store directory for --standard (a fresh one is best).
    #[arg(long, default_value = "data-bench")]
    pub data: PathBuf,
    /// Client threads starting executions at once (--standard): their starts share commits.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// With --standard: run the machine as EXPRESS through the engine (in memory,
    /// StartSyncExecution, summaries stored) instead of durable STANDARD.
    #[arg(long)]
    express: bool,
    /// With --standard: start at most this many executions per second (open loop; latency
    /// counts from each start's scheduled time), instead of as fast as the clients can.
    #[arg(long)]
    pub rate: Option<f64>,
    /// With --standard: the store's page cache in MiB [default: 64].
    #[arg(long)]
    pub cache_mib: Option<usize>,
    /// With --standard: send every task over this NATS server to --workers in-process
    /// workers, and measure tasks/s and dispatch-to-result latency (FILE: any machine
    /// whose tasks the workers answer by echoing their input).
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,
    /// With --standard: send every task over this AMQP broker (RabbitMQ) to --workers
    /// in-process workers, as --nats does.
    #[arg(long, value_name = "URI")]
    pub amqp: Option<String>,
    /// With --standard: answer tasks with --workers in-process worker threads (the
    /// embedded default) and report tasks/s, as --nats does over the bus.
    #[arg(long)]
    pub tasks: bool,
    /// With --nats or --amqp: the bus alone, no engine (persistent task, worker, persistent result,
    /// collector): the ceiling the engine's figures compare with. FILE is not read.
    #[arg(long)]
    pub baseline: bool,
    /// With --data: the dashboard over that store (fill it first) while FILE's executions
    /// arrive at --rate; reports refresh, frame and key times over N (--executions) refreshes.
    #[arg(long)]
    pub dashboard: bool,
    /// Workers taking tasks (with --nats, --amqp or --tasks).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
}

pub fn main(a: Args) -> Result<ExitCode> {
    if a.dashboard {
        return crate::bench_dashboard::run(a);
    }
    if let Some(url) = a.nats.clone() {
        if a.baseline {
            return crate::bench_bus::baseline(a, &url);
        }
        return crate::bench_bus::run(a, crate::bench_bus::Bus::Nats(&url));
    }
    if let Some(uri) = a.amqp.clone() {
        if a.baseline {
            return crate::bench_amqp::baseline(a, &uri);
        }
        return crate::bench_bus::run(a, crate::bench_bus::Bus::Amqp(&uri));
    }
    if a.standard && a.tasks {
        return crate::bench_bus::run(a, crate::bench_bus::Bus::InProcess);
    }
    if a.standard {
        return durable(a);
    }
    let def = definition::load(&a.file)?;
    let machine = match compile_value(&def, MachineType::Standard) {
        Ok(m) => m,
        Err(d) => bail!("{} is not a valid state machine: {}", a.file.display(), d[0]),
    };
    let input = definition::input(&a.input)?;
    let name = definition::machine_name(&a.file);
    let mut echo = |r: &TaskRequest| TaskOutcome::Success(r.input.clone());
    let opts = RunOptions::default();
    let (mut transitions, mut events, mut failed) = (0u64, 0u64, 0u64);
    // One identity for every run: executions in memory need no unique names, and building
    // ARNs is not what is being measured.
    let info = runner::local_info(&name, "bench");
    let start = Instant::now();
    for i in 0..a.executions {
        match runner::run(&machine, info.clone(), input.clone(), &mut echo, &opts) {
            Ok(exec) => {
                transitions += exec.state_transitions;
                events += exec.history.len() as u64;
                failed += (exec.status != Status::Succeeded) as u64;
            }
            Err(u) => bail!("execution {i} did not finish: {}", u.error),
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let eps = a.executions as f64 / secs;
    let tps = transitions as f64 / secs;
    if a.json {
        println!(
            "{}",
            json!({"definition": a.file, "executions": a.executions, "seconds": secs, "executions_per_s": eps,
                   "state_transitions": transitions, "state_transitions_per_s": tps, "history_events": events, "failed": failed})
        );
    } else {
        println!(
            "{} in {secs:.3}s ({failed} not succeeded)",
            crate::text::count(a.executions as usize, "execution", "executions")
        );
        println!("{eps:.0} executions/s, {tps:.0} state transitions/s, {:.0} history events/s", events as f64 / secs);
    }
    Ok(ExitCode::SUCCESS)
}

/// Durable executions through the engine: every start and transition committed to redb
/// before it is acknowledged; concurrent starts share commits.
fn durable(a: Args) -> Result<ExitCode> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use stepline_core::engine::{Engine, EngineConfig};
    let text = std::fs::read_to_string(&a.file)?;
    let input = definition::input(&a.input)?;
    let defaults = EngineConfig::default();
    let cache_bytes = a.cache_mib.map_or(defaults.cache_bytes, |m| m << 20);
    let engine = Engine::open(EngineConfig { data_dir: a.data.clone(), cache_bytes, ..defaults })?;
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
    latencies.sort_by(|x, y| x.total_cmp(y));
    let p = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
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
            crate::text::count(a.concurrency, "client", "clients")
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
fn list_newest_ms(engine: &stepline_core::engine::Engine) -> Result<f64> {
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let page = engine.list_executions(None, None, 100, None)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(page);
    }
    times.sort_by(|x, y| x.total_cmp(y));
    Ok(times[times.len() / 2])
}
