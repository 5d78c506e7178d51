//! The one way async code calls the engine: the `*_then` calls hand the engine thread a
//! callback that fills a oneshot, so no async worker blocks on the engine's answer and
//! no blocking thread is held while it commits.

use serde_json::Value;
use stepline_core::engine::{Engine, EngineError, ExecutionError, TaskAnswer, TaskError};
use stepline_core::store::ExecutionRecord;

/// Answers a task, returning once the answer is committed (or refused).
pub async fn answer_task(engine: &Engine, token: &str, answer: TaskAnswer) -> Result<(), TaskError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    engine.answer_task_then(token, answer, move |r| drop(tx.send(r)));
    rx.await.unwrap_or(Err(TaskError::Engine(EngineError::Stopped)))
}

/// Answers a task without waiting: for a loop that must not stop on the commit. A refusal
/// is logged; an unknown or finished task is what a late answer meets, not a fault.
pub fn answer_task_later(engine: &Engine, token: &str, answer: TaskAnswer) {
    let (engine, token) = (engine.clone(), token.to_string());
    tokio::spawn(async move {
        match answer_task(&engine, &token, answer).await {
            Ok(()) | Err(TaskError::TaskDoesNotExist | TaskError::ExecutionNotRunning(_)) => {}
            Err(e) => tracing::warn!("the answer to task {token} was not applied: {e}"),
        }
    });
}

/// Starts an execution, returning once `ExecutionStarted` is durable (or the start is
/// refused).
pub async fn start_execution(
    engine: &Engine,
    machine: &str,
    name: Option<&str>,
    input: Value,
) -> Result<ExecutionRecord, ExecutionError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    engine.start_execution_then(machine, name, input, move |r| drop(tx.send(r)));
    rx.await.unwrap_or(Err(ExecutionError::Engine(EngineError::Stopped)))
}
