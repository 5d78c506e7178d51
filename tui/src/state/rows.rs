//! The rows of the state machines and workers views, as read from the control API.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct MachineRow {
    pub arn: String,
    pub name: String,
    pub kind: String,
    /// The definition's version (`revisionId`).
    pub version: String,
    pub created: f64,
    /// Executions per status, in the order of [`super::app::STATUSES`].
    pub counts: [u64; 5],
    pub definition: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub activity: String,
    pub pending: u64,
    pub oldest: Option<f64>,
    pub last_heartbeat: Option<f64>,
    pub answered: u64,
    /// Answers per second since the previous refresh.
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub token: String,
    pub activity: String,
    pub execution_arn: String,
    pub state: String,
    pub scheduled: f64,
    pub heartbeat: Option<f64>,
    pub retry: u64,
    pub callback: bool,
}
