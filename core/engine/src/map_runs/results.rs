//! What a Map Run answers: its children's outputs in order, or, with a `ResultWriter`,
//! the results written as AWS lays them out (`manifest.json`, `SUCCEEDED_0.json`,
//! `FAILED_0.json`, `PENDING_0.json` under `<Prefix>/<map run id>/`) and where they are.

use super::live::LiveMapRun;
use super::source::{arg, object_path};
use crate::objects::client::S3;
use crate::state::EngineState;
use crate::store::ExecutionRecord;
use serde_json::{json, Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use stepline_asl::error_names;
use stepline_asl::interp::Status;
use stepline_asl::time::format_timestamp;

/// A child's entry in the result files, as AWS writes it.
fn entry(rec: &ExecutionRecord) -> Value {
    let mut o = Map::new();
    o.insert("ExecutionArn".into(), json!(rec.arn));
    o.insert("Input".into(), json!(rec.input.to_string()));
    o.insert("InputDetails".into(), json!({"Included": true}));
    o.insert("Name".into(), json!(rec.name));
    match rec.status {
        Status::Succeeded => {
            let out = rec.output.as_ref().map(|o| o.to_string()).unwrap_or_else(|| "null".into());
            o.insert("Output".into(), json!(out));
            o.insert("OutputDetails".into(), json!({"Included": true}));
        }
        _ => {
            o.insert("Error".into(), json!(rec.error.clone().unwrap_or_default()));
            o.insert("Cause".into(), json!(rec.cause.clone().unwrap_or_default()));
        }
    }
    o.insert("RedriveCount".into(), json!(rec.redrive_count));
    o.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
    o.insert("StartDate".into(), json!(format_timestamp(rec.start)));
    o.insert("StateMachineArn".into(), json!(rec.state_machine_arn));
    o.insert("Status".into(), json!(rec.status.as_str()));
    o.insert("StopDate".into(), json!(rec.stop.map(format_timestamp)));
    Value::Object(o)
}

/// What the Map state sees of a child's result: its output, or its error and cause.
fn result_of(rec: &ExecutionRecord) -> Value {
    match (rec.status, &rec.output) {
        (Status::Succeeded, Some(o)) => Value::clone(o),
        (Status::Succeeded, None) => Value::Null,
        _ => json!({"Error": rec.error.clone().unwrap_or_default(), "Cause": rec.cause.clone().unwrap_or_default()}),
    }
}

impl LiveMapRun {
    /// Keeps what the run answers of an ended child; results past `limit` bytes in all
    /// are counted, not kept.
    pub(crate) fn keep_result(&mut self, index: u64, rec: &ExecutionRecord, limit: usize) {
        match &mut self.entries {
            Some(spill) => spill.push(rec.status == Status::Succeeded, &entry(rec)),
            None => {
                let result = result_of(rec);
                self.results_bytes += stepline_asl::interp::json_len(&result, limit.saturating_add(1));
                if self.results_bytes > limit {
                    self.results = Vec::new();
                    return;
                }
                let i = index as usize;
                if self.results.len() <= i {
                    self.results.resize(i + 1, None);
                }
                self.results[i] = Some(result);
            }
        }
    }
}

/// `WriterConfig.Transformation` applied to child results.
fn transform(config: &Map<String, Value>, results: Vec<Value>) -> Vec<Value> {
    match config.get("Transformation").and_then(Value::as_str) {
        Some("FLATTEN") => results
            .into_iter()
            .flat_map(|r| match r {
                Value::Array(a) => a,
                other => vec![other],
            })
            .collect(),
        _ => results,
    }
}

impl EngineState {
    /// The Map state's result: the children's results in order, or where they were written.
    pub(crate) fn map_run_output(&mut self, run: &mut LiveMapRun) -> Result<Value, (String, String)> {
        if run.entries.is_none() && run.results_bytes > self.config.max_payload {
            return Err((
                error_names::DATA_LIMIT_EXCEEDED.into(),
                format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    run.record.state_name
                ),
            ));
        }
        let results: Vec<Value> = std::mem::take(&mut run.results).into_iter().map(Option::unwrap_or_default).collect();
        let Some(writer) = run.writer.clone() else { return Ok(Value::Array(results)) };
        let Some(spill) = run.entries.take() else {
            // A WriterConfig alone shapes the output and writes nothing.
            return Ok(Value::Array(transform(&writer.config, results)));
        };
        let fail = |e: String| (error_names::RESULT_WRITER_FAILED.to_string(), e);
        let bucket = arg(&writer, "Bucket").map_err(|e| fail(e.0))?.to_string();
        let prefix = writer.arguments.get("Prefix").and_then(Value::as_str).unwrap_or("").trim_end_matches('/');
        let id = run.record.arn.rsplit(':').next().unwrap_or("run");
        let key_dir = if prefix.is_empty() { id.to_string() } else { format!("{prefix}/{id}") };
        let jsonl = writer.config.get("OutputType").and_then(Value::as_str) == Some("JSONL");
        let compact =
            matches!(writer.config.get("Transformation").and_then(Value::as_str), Some("COMPACT" | "FLATTEN"));
        let ext = if jsonl { "jsonl" } else { "json" };
        let mut files = Map::new();
        let mut spill = spill;
        spill.flush().map_err(fail)?;
        let dir = spill.dir.clone();
        // With an object store the files are made in a staging folder, then uploaded.
        let staging = self.config.data_dir.join("map-runs").join(format!("{id}-out"));
        let store = match &self.config.object_store {
            Some(c) => Some(S3::new(c).map_err(|e| fail(e.to_string()))?),
            None => None,
        };
        // Staged files have names of their own: a key (with the user's Prefix) never
        // becomes a local path outside the bucket.
        let mut staged = 0;
        let mut place = |key: &str| -> Result<PathBuf, (String, String)> {
            staged += 1;
            match &store {
                Some(_) => Ok(staging.join(format!("part-{staged}"))),
                None => object_path(&self.config, &bucket, key).map_err(|e| fail(e.0)),
            }
        };
        let mut written = Vec::new();
        for (status, spilled) in [("SUCCEEDED", "SUCCEEDED.jsonl"), ("FAILED", "FAILED.jsonl"), ("PENDING", "")] {
            let key = format!("{key_dir}/{status}_0.{ext}");
            let path = place(&key)?;
            let from = (!spilled.is_empty()).then(|| dir.join(spilled));
            let size = write_results(from.as_deref(), &path, jsonl, compact && status == "SUCCEEDED", &writer.config)
                .map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
            let listed =
                if size > 0 || status == "SUCCEEDED" { vec![json!({"Key": key, "Size": size})] } else { vec![] };
            files.insert(status.into(), Value::Array(listed));
            written.push((key, path));
        }
        drop(spill);
        let manifest_key = format!("{key_dir}/manifest.json");
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": run.record.arn,
            "ResultFiles": files,
        });
        let path = place(&manifest_key)?;
        if let Some(d) = path.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        std::fs::write(&path, manifest.to_string()).map_err(|e| fail(format!("writing {}: {e}", path.display())))?;
        written.push((manifest_key.clone(), path));
        if let Some(s3) = &store {
            let uploaded = written.iter().try_for_each(|(key, path)| s3.put_file(&bucket, key, path));
            let _ = std::fs::remove_dir_all(&staging);
            uploaded.map_err(|e| fail(e.to_string()))?;
        }
        run.record.items.results_written = run.record.items.succeeded + run.record.items.unsuccessful();
        run.record.executions.results_written = run.record.executions.succeeded + run.record.executions.unsuccessful();
        Ok(json!({
            "MapRunArn": run.record.arn,
            "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key},
        }))
    }
}

/// Writes one result file from the spilled entries (none for an empty `from`); returns
/// its size. COMPACT keeps only the outputs.
fn write_results(
    from: Option<&std::path::Path>,
    to: &std::path::Path,
    jsonl: bool,
    compact: bool,
    config: &Map<String, Value>,
) -> std::io::Result<u64> {
    if let Some(d) = to.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut out = BufWriter::with_capacity(256 * 1024, File::create(to)?);
    let lines: Box<dyn Iterator<Item = std::io::Result<String>>> = match from.map(File::open) {
        Some(f) => Box::new(BufReader::new(f?).lines()),
        None => Box::new(std::iter::empty()),
    };
    if !jsonl {
        out.write_all(b"[")?;
    }
    let mut first = true;
    for line in lines {
        let line = line?;
        let values = if compact {
            let e: Value = serde_json::from_str(&line)?;
            let output = e.get("Output").and_then(Value::as_str).and_then(|s| serde_json::from_str(s).ok());
            transform(config, vec![output.unwrap_or_default()]).into_iter().map(|v| v.to_string()).collect()
        } else {
            vec![line]
        };
        for v in values {
            if !first {
                out.write_all(if jsonl { b"" } else { b"," })?;
            }
            first = false;
            out.write_all(v.as_bytes())?;
            if jsonl {
                out.write_all(b"\n")?;
            }
        }
    }
    if !jsonl {
        out.write_all(b"]")?;
    }
    out.flush()?;
    Ok(std::fs::metadata(to)?.len())
}
