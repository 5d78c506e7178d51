//! `stepline bench --map-items N FILE`: one execution whose Distributed Map reads N JSON
//! Lines items from a file and runs FILE on each as a child execution (STANDARD, durable,
//! or EXPRESS in memory with --express), its results written by a `ResultWriter`. Reports
//! items per second, peak resident memory, and the in-memory inline Map of the same items
//! beside it.

use crate::args::{Args, Readers};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use stepline_core::engine::EngineConfig;
use stepline_core::interp::{self, Status};
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::local_info;

pub fn run(a: Args, read: Readers) -> Result<ExitCode> {
    let n = a.map_items.unwrap_or(0);
    let processor = (read.definition)(&a.file)?;
    let kind = if a.express { "EXPRESS" } else { "STANDARD" };
    let items = write_items(&a.data, n)?;
    let mut map = json!({
        "Type": "Map", "End": true,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "bench", "Key": items}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "bench", "Prefix": "results"}},
        "ItemProcessor": processor.clone(),
    });
    map["ItemProcessor"]["ProcessorConfig"] = json!({"Mode": "DISTRIBUTED", "ExecutionType": kind});
    let parent = json!({"StartAt": "Fan", "States": {"Fan": map}});
    let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: a.data.clone(), ..EngineConfig::default() })?;
    let name = format!("bench-map-{}", std::process::id());
    let sm =
        engine.create_state_machine(&name, &parent.to_string(), "STANDARD", "arn:aws:iam::000000000000:role/bench")?;
    let rss_before = peak_rss_mib();
    let start = Instant::now();
    let run = engine.start_execution(&sm.arn, None, json!({}))?;
    let done = loop {
        let r = engine.describe_execution(&run.arn)?;
        if r.status != Status::Running {
            break r;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    if done.status != Status::Succeeded {
        bail!("the Map Run's execution ended {:?}: {:?} {:?}", done.status, done.error, done.cause);
    }
    let mr = engine.list_map_runs(&run.arn)?.into_iter().next().context("no Map Run")?;
    engine.shutdown();
    let peak = peak_rss_mib();
    let rate = mr.items.succeeded as f64 / secs;
    let inline = inline_map_rate(&processor, n.min(1_000_000))?;
    if a.json {
        println!(
            "{}",
            json!({"mode": format!("map-run-{kind}"), "items": n, "seconds": secs, "items_per_s": rate,
                   "children": mr.executions.total, "peak_resident_mib": peak, "peak_resident_mib_before": rss_before,
                   "inline_map_items_per_s": inline})
        );
    } else {
        println!("Map Run over {n} JSON Lines items, {kind} children: {secs:.2} s, {rate:.0} items/s");
        println!(
            "{} children succeeded; peak resident memory {} MiB",
            mr.executions.succeeded,
            peak.map_or("?".into(), |m| format!("{m:.0}"))
        );
        println!("in-memory inline Map of the same items: {inline:.0} items/s");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `n` items as JSON Lines under the bench bucket (once per size); returns the key.
fn write_items(data: &std::path::Path, n: u64) -> Result<String> {
    let key = format!("items-{n}.jsonl");
    let dir = data.join("buckets").join("bench");
    let path = dir.join(&key);
    if path.exists() {
        return Ok(key);
    }
    std::fs::create_dir_all(&dir)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for i in 0..n {
        writeln!(f, "{{\"id\":{i},\"name\":\"item-{i}\",\"size\":{}}}", i % 977)?;
    }
    f.flush()?;
    Ok(key)
}

/// Items per second of the pure interpreter's inline Map over the same items, in memory.
fn inline_map_rate(processor: &Value, n: u64) -> Result<f64> {
    let def = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "End": true, "ItemProcessor": processor}}});
    let mut m = compile_value(&def, MachineType::Express).map_err(|d| anyhow::anyhow!("{d:?}"))?;
    m.max_payload = usize::MAX;
    m.max_history_events = u64::MAX / 4;
    let input: Vec<Value> = (0..n).map(|i| json!({"id": i, "name": format!("item-{i}"), "size": i % 977})).collect();
    let start = Instant::now();
    let (exec, _) = interp::start_unrecorded(&m, local_info("inline", "bench"), Value::Array(input), 0, 1);
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    if exec.status != Status::Succeeded {
        bail!("the inline Map ended {:?}: {:?}", exec.status, exec.failure);
    }
    Ok(n as f64 / secs)
}

/// The process's peak resident memory so far (VmHWM).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
