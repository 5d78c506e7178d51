//! The Map Run operations: `DescribeMapRun`, `ListMapRuns`, `UpdateMapRun`, and
//! `ListExecutions` of a Map Run's children, in AWS's shapes.

use super::arn::{self, Resource};
use super::error::ApiError;
use super::shapes::{arn_field, execution_json, field, invalid_token, opt, page_size, seconds};
use serde_json::{json, Value};
use stepline_core::engine::{AwsErrorType, Engine};
use stepline_core::interp::Status;
use stepline_core::store::{MapRunChange, MapRunRecord, RunCounts};

pub(super) fn handle(engine: &Engine, operation: &str, body: &Value) -> Option<Result<Value, ApiError>> {
    Some(match operation {
        "DescribeMapRun" => describe(engine, body),
        "ListMapRuns" => list(engine, body),
        "UpdateMapRun" => update(engine, body),
        _ => return None,
    })
}

fn counts(c: &RunCounts) -> Value {
    json!({
        "pending": c.pending, "running": c.running, "succeeded": c.succeeded, "failed": c.failed,
        "timedOut": c.timed_out, "aborted": c.aborted, "total": c.total, "resultsWritten": c.results_written,
        "failuresNotRedrivable": 0, "pendingRedrive": 0,
    })
}

/// A Map Run as `DescribeMapRun` answers it.
pub(super) fn map_run_json(r: &MapRunRecord) -> Value {
    let mut v = json!({
        "mapRunArn": r.arn,
        "executionArn": r.execution_arn,
        "status": r.status,
        "startDate": seconds(r.start),
        "maxConcurrency": r.max_concurrency,
        "toleratedFailurePercentage": r.tolerated_failure_percentage,
        "toleratedFailureCount": r.tolerated_failure_count,
        "itemCounts": counts(&r.items),
        "executionCounts": counts(&r.executions),
        "redriveCount": r.redrive_count,
    });
    if let Some(s) = r.stop {
        v["stopDate"] = seconds(s);
    }
    v
}

fn map_run_arn(body: &Value) -> Result<&str, ApiError> {
    let a = field(body, "mapRunArn")?;
    arn::check(a, Resource::MapRun)?;
    Ok(a)
}

fn describe(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    Ok(map_run_json(&engine.describe_map_run(map_run_arn(body)?)?))
}

fn list(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let exec = arn_field(body, "executionArn", Resource::Execution)?;
    let runs = engine.list_map_runs(exec)?;
    let from = match opt(body, "nextToken") {
        Some(t) => t.parse::<usize>().map_err(|_| invalid_token())?,
        None => 0,
    };
    let limit = page_size(body);
    let shown: Vec<Value> = runs
        .iter()
        .skip(from)
        .take(limit)
        .map(|r| {
            let mut v = json!({"executionArn": r.execution_arn, "mapRunArn": r.arn,
                               "stateMachineArn": r.state_machine_arn, "startDate": seconds(r.start)});
            if let Some(s) = r.stop {
                v["stopDate"] = seconds(s);
            }
            v
        })
        .collect();
    let mut out = json!({"mapRuns": shown});
    if from + limit < runs.len() {
        out["nextToken"] = json!((from + limit).to_string());
    }
    Ok(out)
}

fn update(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = map_run_arn(body)?;
    let pct = body.get("toleratedFailurePercentage").and_then(Value::as_f64);
    if pct.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err(ApiError::new(
            AwsErrorType::ValidationException,
            "1 validation error detected: Value at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value between 0 and 100",
        ));
    }
    let change = MapRunChange {
        max_concurrency: body.get("maxConcurrency").and_then(Value::as_u64),
        tolerated_failure_count: body.get("toleratedFailureCount").and_then(Value::as_u64),
        tolerated_failure_percentage: pct,
    };
    if change == MapRunChange::default() {
        return Err(ApiError::new(
            AwsErrorType::ValidationException,
            "At least one of maxConcurrency, toleratedFailureCount or toleratedFailurePercentage must be given",
        ));
    }
    engine.update_map_run(arn, change)?;
    Ok(json!({}))
}

/// `ListExecutions` with `mapRunArn`: the run's STANDARD children in index order, each
/// with its `mapRunArn`; pages continue at an index.
pub(super) fn list_children(engine: &Engine, run: &str, body: &Value) -> Result<Value, ApiError> {
    arn::check(run, Resource::MapRun)?;
    let status = opt(body, "statusFilter").and_then(Status::parse);
    let limit = page_size(body);
    let mut from = match opt(body, "nextToken") {
        Some(t) => t.parse::<u64>().map_err(|_| invalid_token())?,
        None => 0,
    };
    let mut shown = Vec::new();
    let mut next = None;
    'pages: loop {
        let page = engine.map_run_executions(run, from, 1_000)?;
        let Some(last) = page.last().map(|(i, _)| *i) else { break };
        for (index, r) in page {
            if status.is_some_and(|s| s != r.status) {
                continue;
            }
            if shown.len() == limit {
                next = Some(index);
                break 'pages;
            }
            let mut v = execution_json(&r);
            if let Value::Object(m) = &mut v {
                for k in ["input", "inputDetails", "output", "outputDetails", "error", "cause", "parentExecutionArn"] {
                    m.remove(k);
                }
            }
            shown.push(v);
        }
        from = last + 1;
    }
    let mut out = json!({"executions": shown});
    if let Some(n) = next {
        out["nextToken"] = json!(n.to_string());
    }
    Ok(out)
}
