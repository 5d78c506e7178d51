//! Stepline's own operations, for operators (AWS has no equivalent): replay an execution,
//! search the whole store, count executions, and list what waits on workers. Same JSON
//! conventions as AWS's operations (camelCase members, epoch-second dates, `nextToken`).

use super::arn::Resource;
use super::error::ApiError;
use super::shapes::{arn_field, arn_opt, execution_json, opt, page_size, parse_token, seconds};
use serde_json::{json, Value};
use stepline_core::engine::AwsErrorType;
use stepline_core::engine::{Engine, PendingTask};
use stepline_core::interp::Status;
use stepline_core::store::{ExecutionFacts, ExecutionRecord, ScanQuery};

/// Records a search reads per call unless `maxScanned` says otherwise: a page answers in
/// tens of milliseconds however large the store; the caller follows `nextToken`.
const DEFAULT_MAX_SCANNED: usize = 100_000;

/// Runs one of Stepline's own operations; `None` when `operation` is not one of them.
pub fn handle(engine: &Engine, operation: &str, body: &Value) -> Option<Result<Value, ApiError>> {
    Some(match operation {
        "ReplayExecution" => replay(engine, body),
        "SearchExecutions" => search(engine, body),
        "GetExecutionCounts" => counts(engine, body),
        "ListPendingTasks" => pending(engine, body),
        "BackupStore" => backup(engine, body),
        _ => return None,
    })
}

/// A consistent copy of the live store to `file` (a path on the server's machine,
/// absolute), while executions go on.
fn backup(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let file = std::path::Path::new(super::shapes::field(body, "file")?);
    if !file.is_absolute() {
        return Err(ApiError::new(
            AwsErrorType::ValidationException,
            "file must be an absolute path on the server's machine",
        ));
    }
    let began = std::time::Instant::now();
    let done = engine.backup(file)?;
    Ok(json!({"file": file.display().to_string(), "bytes": done.bytes, "executions": done.executions,
        "seconds": began.elapsed().as_secs_f64()}))
}

/// A new execution with the old one's input, on its definition version unless
/// `latestVersion` is true.
fn replay(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let latest = body.get("latestVersion").and_then(Value::as_bool).unwrap_or(false);
    let r = engine.replay_execution(arn_field(body, "executionArn", Resource::Execution)?, latest)?;
    Ok(json!({"executionArn": r.arn, "startDate": seconds(r.start)}))
}

fn status_filter(body: &Value) -> Result<Option<Status>, ApiError> {
    match opt(body, "statusFilter") {
        None => Ok(None),
        Some(s) => Status::parse(s)
            .map(Some)
            .ok_or_else(|| ApiError::new(AwsErrorType::ValidationException, format!("unknown statusFilter '{s}'"))),
    }
}

/// What a search keeps: all the given conditions hold. `text` is a case-insensitive
/// substring of the name, error, cause or failed state; `retrying` and `waitingSeconds`
/// pick running executions in trouble (either condition when both are given).
struct Filter {
    text: Option<String>,
    failed_state: Option<String>,
    retrying: bool,
    waiting_ms: Option<i64>,
    now: i64,
}

impl Filter {
    fn parse(body: &Value, now: i64) -> Result<Filter, ApiError> {
        let waiting = match body.get("waitingSeconds") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().filter(|s| *s >= 0.0).ok_or_else(|| {
                ApiError::new(
                    AwsErrorType::ValidationException,
                    "waitingSeconds must be a number of seconds, 0 or more",
                )
            })?),
        };
        Ok(Filter {
            text: opt(body, "text").filter(|t| !t.is_empty()).map(str::to_lowercase),
            failed_state: opt(body, "failedState").map(str::to_string),
            retrying: body.get("retrying").and_then(Value::as_bool).unwrap_or(false),
            waiting_ms: waiting.map(|s| (s * 1000.0) as i64),
            now,
        })
    }

    fn keeps(&self, r: &ExecutionFacts) -> bool {
        if let Some(f) = &self.failed_state {
            if r.failed_state.as_deref() != Some(f.as_str()) {
                return false;
            }
        }
        if self.retrying || self.waiting_ms.is_some() {
            let running = r.status == Status::Running;
            let retrying = self.retrying && r.retrying;
            let waiting = self.waiting_ms.is_some_and(|w| self.now - r.updated.max(r.start) >= w);
            if !running || !(retrying || waiting) {
                return false;
            }
        }
        match &self.text {
            None => true,
            Some(t) => [Some(r.name.as_ref()), r.error.as_deref(), r.cause.as_deref(), r.failed_state.as_deref()]
                .into_iter()
                .flatten()
                .any(|s| s.to_lowercase().contains(t)),
        }
    }
}

/// `SearchExecutions`: `ListExecutions` over the whole store with conditions, newest or
/// oldest (`order: "OLDEST"`) first. Each call reads at most `maxScanned` records; a
/// `nextToken` means there is more to read even when this page is short.
fn search(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let filter = Filter::parse(body, engine.now())?;
    let status = status_filter(body)?;
    let machine = arn_opt(body, "stateMachineArn", Resource::StateMachine)?;
    let limit = page_size(body);
    let max_scanned = body
        .get("maxScanned")
        .and_then(Value::as_f64)
        .filter(|n| *n >= 1.0)
        .map_or(DEFAULT_MAX_SCANNED, |n| n.min(10_000_000.0) as usize);
    let oldest_first = match opt(body, "order") {
        None | Some("NEWEST") => false,
        Some("OLDEST") => true,
        Some(o) => {
            return Err(ApiError::new(
                AwsErrorType::ValidationException,
                format!("order must be NEWEST or OLDEST, not '{o}'"),
            ))
        }
    };
    let after = opt(body, "nextToken").map(parse_token).transpose()?;
    let query = ScanQuery {
        machine,
        status,
        oldest_first,
        after: after.as_ref().map(|(ms, arn)| (*ms, arn.as_str())),
        limit,
        max_scanned,
    };
    let scan = engine.scan_executions(&query, &mut |r| filter.keeps(r))?;
    let more = scan.records.len() >= limit || scan.scanned >= max_scanned;
    let executions: Vec<Value> = scan.records.iter().map(summary).collect();
    let mut out = json!({"executions": executions, "scanned": scan.scanned});
    if more {
        if let Some((ms, arn)) = &scan.resume_at {
            out["nextToken"] = json!(format!("{ms}|{arn}"));
        }
    }
    Ok(out)
}

/// `ListExecutions`' item with what a search matched on: error, cause, failed state.
fn summary(r: &ExecutionRecord) -> Value {
    let mut v = execution_json(r);
    if let Value::Object(m) = &mut v {
        for k in ["input", "inputDetails", "output", "outputDetails"] {
            m.remove(k);
        }
        if let Some(s) = &r.failed_state {
            m.insert("failedState".into(), json!(s));
        }
        if r.retrying {
            m.insert("retrying".into(), json!(true));
        }
        if r.status == Status::Running {
            m.insert("updateDate".into(), seconds(r.updated.max(r.start)));
        }
    }
    v
}

/// `GetExecutionCounts`: executions per status, in all and per state machine (or of one
/// machine with `stateMachineArn`). Exact, from counters the store keeps.
fn counts(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let only = arn_opt(body, "stateMachineArn", Resource::StateMachine)?;
    let mut total = serde_json::Map::new();
    let mut per: std::collections::BTreeMap<String, serde_json::Map<String, Value>> = Default::default();
    for (machine, status, n) in engine.execution_counts()? {
        if only.is_some_and(|m| m != machine) {
            continue;
        }
        let t = total.entry(status.as_str()).or_insert(json!(0));
        *t = json!(t.as_u64().unwrap_or(0) + n);
        per.entry(machine).or_default().insert(status.as_str().into(), json!(n));
    }
    let machines: Vec<Value> =
        per.into_iter().map(|(arn, counts)| json!({"stateMachineArn": arn, "counts": counts})).collect();
    Ok(json!({"counts": total, "stateMachines": machines}))
}

fn task_json(t: &PendingTask) -> Value {
    let mut v = json!({
        "taskToken": t.token,
        "activity": t.activity,
        "executionArn": t.execution_arn,
        "stateName": t.state_name,
        "scheduledDate": seconds(t.scheduled),
        "retryCount": t.retry_count,
        "waitForTaskToken": t.wait_for_token,
    });
    if t.mocked {
        v["mocked"] = json!(true);
    }
    if let Some(c) = &t.child {
        v["childExecutionArn"] = json!(c);
    }
    if let Some(h) = t.last_heartbeat {
        v["heartbeatDate"] = seconds(h);
    }
    if let Some(s) = t.heartbeat_seconds {
        v["heartbeatSeconds"] = json!(s);
    }
    if let Some(s) = t.timeout_seconds {
        v["timeoutSeconds"] = json!(s);
    }
    v
}

/// `ListPendingTasks`: the tasks waiting for an answer (of one execution or activity
/// when given, oldest first, at most `maxResults`), and per activity how many wait, the
/// oldest wait, the last heartbeat and the answers received since the engine started.
fn pending(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let limit = page_size(body);
    let execution = arn_opt(body, "executionArn", Resource::Execution)?;
    let board = engine.pending_tasks()?;
    let activity = opt(body, "activity");
    let tasks: Vec<Value> = board
        .tasks
        .iter()
        .filter(|t| execution.is_none_or(|e| e == t.execution_arn) && activity.is_none_or(|a| a == t.activity))
        .take(limit)
        .map(task_json)
        .collect();
    let activities: Vec<Value> = board
        .activities
        .iter()
        .map(|a| {
            let mut v = json!({"activity": a.activity, "pending": a.pending, "answered": a.answered});
            if let Some(o) = a.oldest {
                v["oldestScheduledDate"] = seconds(o);
            }
            if let Some(h) = a.last_heartbeat {
                v["lastHeartbeatDate"] = seconds(h);
            }
            v
        })
        .collect();
    Ok(json!({"tasks": tasks, "activities": activities}))
}
