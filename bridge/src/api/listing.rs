//! `ListExecutions`: of every machine, of one, of one version or alias (filtered from the
//! machine's), or of a Map Run; newest first, in pages.

use super::arn::Resource;
use super::catalog::check_qualified_exists;
use super::error::ApiError;
use super::map_runs;
use super::shapes::{arn_opt, execution_json, opt, page_size, page_token, parse_token};
use serde_json::{json, Value};
use stepline_core::engine::catalog::qualified::{split, Qualifier};
use stepline_core::engine::{AwsErrorType, Engine};
use stepline_core::interp::Status;
use stepline_core::store::ExecutionRecord;

pub(super) fn list_executions(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let given = arn_opt(body, "stateMachineArn", Resource::StateMachine)?;
    if let Some(run) = opt(body, "mapRunArn") {
        if given.is_some() {
            return Err(ApiError::new(
                AwsErrorType::ValidationException,
                "Specify either a stateMachineArn or a mapRunArn, not both",
            ));
        }
        return map_runs::list_children(engine, run, body);
    }
    // A version's or an alias's executions are those of its machine started on it.
    let (machine, qualifier) = match given {
        Some(arn) => {
            let (base, q) = split(arn);
            match q {
                Qualifier::None => drop(engine.describe_state_machine(arn)?),
                _ => check_qualified_exists(engine, arn)?,
            }
            (Some(base), q)
        }
        None => (None, Qualifier::None),
    };
    let keep = |r: &ExecutionRecord| match qualifier {
        Qualifier::None => true,
        Qualifier::Version(_) => r.version_arn.as_deref() == given,
        Qualifier::Alias(_) => r.alias_arn.as_deref() == given,
    };
    let status = match opt(body, "statusFilter") {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::new(
                AwsErrorType::ValidationException,
                format!("statusFilter {s} applies to Map Runs, which Stepline does not have"),
            )
        })?),
    };
    let limit = page_size(body);
    let mut before = opt(body, "nextToken").map(parse_token).transpose()?;
    let mut found: Vec<ExecutionRecord> = Vec::new();
    // One read when nothing is filtered out; more while a filter leaves the page short.
    loop {
        let read =
            engine.list_executions(machine, status, limit + 1, before.as_ref().map(|(ms, arn)| (*ms, arn.as_str())))?;
        let exhausted = read.len() <= limit;
        before = read.last().map(|r| (r.start, r.arn.clone()));
        found.extend(read.into_iter().filter(|r| keep(r)));
        if exhausted || found.len() > limit {
            break;
        }
    }
    let more = found.len() > limit;
    let shown = &found[..found.len().min(limit)];
    let mut out = json!({"executions": shown.iter().map(|r| {
        let mut v = execution_json(r);
        if let Value::Object(m) = &mut v {
            for k in ["input", "inputDetails", "output", "outputDetails", "error", "cause"] {
                m.remove(k);
            }
        }
        v
    }).collect::<Vec<_>>()});
    if let (true, Some(last)) = (more, shown.last()) {
        out["nextToken"] = json!(page_token(last));
    }
    Ok(out)
}
