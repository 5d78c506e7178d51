//! `stepline bench --standard FILE --prune-from N --keep K`: history retention under
//! load. Fills a fresh store with N ended executions (each with its history and journal),
//! runs `--standard` on it without retention, then again with retention keeping the
//! newest K, while it prunes; reports both throughputs, how fast it pruned and whether
//! the counts and the stored executions agree afterwards.

use crate::args::{Args, Readers};
use anyhow::{ensure, Result};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stepline_core::engine::{Engine, EngineConfig, Retention};
use stepline_core::interp::{ExecutionInfo, Status};
use stepline_core::store::{ExecutionRecord, JournalEntry, Store};

const OLD_MACHINE: &str = "arn:aws:states:us-east-1:000000000000:stateMachine:bench-old";

pub fn run(a: Args, read: Readers) -> Result<ExitCode> {
    let total = a.prune_from.unwrap_or(0);
    ensure!(total > a.keep, "--prune-from must be more than --keep ({})", a.keep);
    let text = std::fs::read_to_string(&a.file)?;
    let input = (read.input)(&a.input)?;
    let _ = std::fs::remove_dir_all(&a.data);
    std::fs::create_dir_all(&a.data)?;
    let filled = Instant::now();
    fill(&a.data.join("stepline.redb"), total)?;
    let fill_s = filled.elapsed().as_secs_f64();
    println!("filled the store with {total} ended executions in {fill_s:.1} s");

    let without = phase(&a, &text, &input, None)?;
    println!("without pruning: {:.0} executions/s", without.eps);
    let policy = Retention { max_age_days: None, max_ended: Some(a.keep), ..Retention::default() };
    let with = phase(&a, &text, &input, Some(policy))?;
    let ratio = with.eps / without.eps;
    println!(
        "while pruning: {:.0} executions/s ({:.0}% of without); {} pruned during the run, {:.0}/s",
        with.eps,
        ratio * 100.0,
        with.pruned_during,
        with.pruned_during as f64 / with.seconds
    );
    println!(
        "pruned to the newest {}: {} executions in {:.1} s in all; counts and stored executions agree: {}",
        a.keep, with.pruned_total, with.prune_seconds, with.exact
    );
    if a.json {
        println!(
            "{}",
            json!({"prefilled": total, "keep": a.keep, "fill_seconds": fill_s,
                "executions_per_s_without": without.eps, "executions_per_s_while_pruning": with.eps,
                "ratio": ratio, "pruned_during_run": with.pruned_during, "pruned_total": with.pruned_total,
                "prune_seconds": with.prune_seconds, "counts_exact": with.exact})
        );
    }
    Ok(if with.exact { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `n` ended executions of an old machine, each with a short history and its journal,
/// started a millisecond apart ending just now.
fn fill(path: &std::path::Path, n: u64) -> Result<()> {
    let store = Store::open(path)?;
    let now = {
        use stepline_core::clock::Clock;
        stepline_core::clock::SystemClock.now()
    };
    let first = now - n as i64 - 60_000;
    let mut i = 0;
    while i < n {
        let mut batch = store.begin()?;
        for _ in 0..20_000.min(n - i) {
            let start = first + i as i64;
            let name = format!("old-{i:08}");
            let info = ExecutionInfo {
                arn: format!("arn:aws:states:us-east-1:000000000000:execution:bench-old:{name}"),
                name,
                state_machine_arn: OLD_MACHINE.into(),
                state_machine_name: "bench-old".into(),
                role_arn: "arn:aws:iam::000000000000:role/bench".into(),
                start_time: start,
                redrive_count: 0,
            };
            let input: Value = json!({"order": i, "items": ["a", "b"]});
            let mut rec = ExecutionRecord::started(&info, 1, input.clone().into());
            rec.status = Status::Succeeded;
            rec.stop = Some(start + 5);
            rec.output = Some(input.clone().into());
            rec.events = 5;
            rec.journal = 1;
            rec.transitions = 1;
            batch.put_execution(&rec, None)?;
            let events: Vec<Value> = (1..=5)
                .map(|id| json!({"id": id, "previousEventId": id - 1, "timestamp": start + id, "type": "PassStateEntered",
                    "stateEnteredEventDetails": {"name": "P", "input": input.to_string(), "inputDetails": {"truncated": false}}}))
                .collect();
            batch.append_history(&info.arn, &events)?;
            let entry = JournalEntry::Start { info, input: input.into(), seed: i, now: start, test_case: None };
            batch.append_journal(&rec.arn, 1, &entry)?;
            i += 1;
        }
        batch.commit()?;
    }
    Ok(())
}

struct Phase {
    eps: f64,
    seconds: f64,
    pruned_during: u64,
    pruned_total: u64,
    prune_seconds: f64,
    exact: bool,
}

/// `--executions` STANDARD starts from `--concurrency` clients on the store, with
/// `retention` (then waits until it has pruned all it should).
fn phase(a: &Args, text: &str, input: &Value, retention: Option<Retention>) -> Result<Phase> {
    let pruning = retention.is_some();
    let config = EngineConfig { data_dir: a.data.clone(), retention, ..EngineConfig::default() };
    let began = Instant::now();
    let engine = stepline_bridge::embedded::open(config)?;
    let name = format!("bench-{}-{}", std::process::id(), if pruning { "pruning" } else { "plain" });
    let sm = engine.create_state_machine(&name, text, "STANDARD", "arn:aws:iam::000000000000:role/bench")?;
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let clients: Vec<_> = (0..a.concurrency.max(1))
        .map(|_| {
            let (engine, arn, input, next, total) =
                (engine.clone(), sm.arn.clone(), input.clone(), next.clone(), a.executions);
            std::thread::spawn(move || {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let _ = engine.start_execution(&arn, None, input.clone());
                }
            })
        })
        .collect();
    for c in clients {
        let _ = c.join();
    }
    let seconds = start.elapsed().as_secs_f64();
    let metrics = engine.metrics();
    let pruned_during = metrics.pruned.load(Ordering::Relaxed);
    let mut exact = true;
    if pruning {
        let deadline = Instant::now() + Duration::from_secs(3600);
        while ended(&engine) > a.keep && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        exact = counts_exact(&engine, a.keep)?;
    }
    let out = Phase {
        eps: a.executions as f64 / seconds.max(1e-9),
        seconds,
        pruned_during,
        pruned_total: metrics.pruned.load(Ordering::Relaxed),
        prune_seconds: began.elapsed().as_secs_f64(),
        exact,
    };
    engine.shutdown();
    Ok(out)
}

fn ended(engine: &Engine) -> u64 {
    engine
        .execution_counts()
        .map(|c| c.iter().filter(|(_, s, _)| *s != Status::Running).map(|(_, _, n)| n).sum())
        .unwrap_or(u64::MAX)
}

/// The counts say `keep` ended, and listing every stored execution finds exactly the
/// counted ones, per machine and status.
fn counts_exact(engine: &Engine, keep: u64) -> Result<bool> {
    let counted: u64 = engine.execution_counts()?.iter().map(|(_, _, n)| n).sum();
    let mut listed = 0u64;
    let mut before: Option<(i64, String)> = None;
    loop {
        let page = engine.list_executions(None, None, 1000, before.as_ref().map(|(t, a)| (*t, a.as_str())))?;
        listed += page.len() as u64;
        match page.last() {
            Some(r) if page.len() == 1000 => before = Some((r.start, r.arn.clone())),
            _ => break,
        }
    }
    Ok(ended(engine) == keep && counted == listed)
}
