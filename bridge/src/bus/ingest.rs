//! What every transport does with what arrives, whatever the bus: a trigger message
//! starts an execution, a worker's result is applied to its task. Transports only move
//! bytes; `disposition.rs` turns these outcomes into one ack, retry or rejection.

use super::call;
use stepline_core::engine::{Engine, EngineError, ExecutionError, TaskAnswer, TaskError};

/// The header that names the execution a trigger message starts (on NATS and AMQP).
pub const EXECUTION_NAME_HEADER: &str = "Stepline-Execution-Name";

/// What became of a trigger message.
#[derive(Debug, PartialEq)]
pub enum TriggerOutcome {
    /// `ExecutionStarted` is committed (or the named execution already existed): ack.
    Started,
    /// The engine could not take it now (storage error, shutting down): redeliver later.
    Retry(String),
    /// It can never start an execution (not JSON, too large, unknown machine): reject
    /// with this reason, never redeliver. Why, as a metric label (`not_json`, or the AWS error type of the start), and in words.
    Reject(&'static str, String),
}

/// Starts an execution of `machine` with the message body as input, answering once the
/// start is durable.
pub async fn start_from_trigger(engine: &Engine, machine: &str, body: &[u8], name: Option<&str>) -> TriggerOutcome {
    let input = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return TriggerOutcome::Reject("not_json", format!("the body is not JSON: {e}")),
    };
    match call::start_execution(engine, machine, name, input).await {
        Ok(_) => TriggerOutcome::Started,
        Err(e @ ExecutionError::Engine(EngineError::Store(_) | EngineError::Stopped)) => {
            TriggerOutcome::Retry(e.to_string())
        }
        Err(e) => TriggerOutcome::Reject(e.aws_type(), e.to_string()),
    }
}

/// What became of a worker's result.
#[derive(Debug, PartialEq)]
pub enum ResultOutcome {
    /// Committed: ack.
    Applied,
    /// The token is unknown, stale, or its task already answered: recorded and dropped
    /// (ack, never applied twice).
    Dropped,
    /// Not applied now (storage error, shutting down): redeliver later.
    Retry(String),
}

/// Applies a worker's answer, answering once it is committed.
pub async fn apply_result(engine: &Engine, token: &str, answer: TaskAnswer) -> ResultOutcome {
    match call::answer_task(engine, token, answer).await {
        Ok(()) => ResultOutcome::Applied,
        Err(TaskError::TaskDoesNotExist | TaskError::ExecutionNotRunning(_)) => {
            tracing::warn!("dropped a result for an unknown or finished task token {token}");
            ResultOutcome::Dropped
        }
        Err(e) => ResultOutcome::Retry(e.to_string()),
    }
}

/// A trigger's state machine: a name is resolved against the machines the engine has; an
/// ARN is used as given.
pub fn machine_arn(engine: &Engine, name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        return name_or_arn.to_string();
    }
    engine
        .list_state_machines()
        .ok()
        .and_then(|all| all.into_iter().find(|m| m.name == name_or_arn).map(|m| m.arn))
        .unwrap_or_else(|| engine.arn("stateMachine", name_or_arn))
}
