//! What every transport does with what arrives, whatever the bus: a trigger message
//! starts an execution, a worker's result is applied to its task. Transports only move
//! bytes and turn these outcomes into their own acks, retries and rejections.

use serde_json::Value;
use stepline_core::engine::{Engine, EngineError, TaskAnswer};

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
    /// with this reason, never redeliver.
    Reject(String),
}

/// Starts an execution of `machine` with the message body as input, answering once the
/// start is durable.
pub async fn start_from_trigger(engine: &Engine, machine: &str, body: &[u8], name: Option<&str>) -> TriggerOutcome {
    let input: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return TriggerOutcome::Reject(format!("the body is not JSON: {e}")),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    engine.start_execution_then(machine, name, input, move |r| drop(tx.send(r)));
    match rx.await {
        Ok(Ok(_)) => TriggerOutcome::Started,
        Ok(Err(e @ (EngineError::Store(_) | EngineError::Stopped))) => TriggerOutcome::Retry(e.to_string()),
        Ok(Err(e)) => TriggerOutcome::Reject(e.to_string()),
        Err(_) => TriggerOutcome::Retry("the engine stopped".into()),
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
    let (tx, rx) = tokio::sync::oneshot::channel();
    engine.answer_task_then(token, answer, move |r| drop(tx.send(r)));
    match rx.await {
        Ok(Ok(())) => ResultOutcome::Applied,
        Ok(Err(EngineError::TaskDoesNotExist | EngineError::ExecutionNotRunning(_))) => {
            tracing::warn!("dropped a result for an unknown or finished task token {token}");
            ResultOutcome::Dropped
        }
        Ok(Err(e)) => ResultOutcome::Retry(e.to_string()),
        Err(_) => ResultOutcome::Retry("the engine stopped".into()),
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
        .unwrap_or_else(|| format!("arn:aws:states:us-east-1:000000000000:stateMachine:{name_or_arn}"))
}
