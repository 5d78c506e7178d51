//! The Map Run being looked at: what `DescribeMapRun` said of it and a page of its child
//! executions, all or the failed ones only.

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct MapRunView {
    pub arn: String,
    /// `DescribeMapRun`'s answer.
    pub run: Value,
    /// Its STANDARD children (`ListExecutions` with `mapRunArn`), in index order.
    pub children: Vec<Value>,
    pub selected: usize,
    /// Only the children that failed, timed out or were aborted (`f`).
    pub failed_only: bool,
}

impl MapRunView {
    pub fn new(arn: &str) -> MapRunView {
        MapRunView { arn: arn.to_string(), run: Value::Null, children: Vec::new(), selected: 0, failed_only: false }
    }

    /// The execution whose Map state started the run.
    pub fn execution_arn(&self) -> Option<&str> {
        self.run["executionArn"].as_str()
    }

    /// The children the view lists now.
    pub fn shown(&self) -> Vec<&Value> {
        self.children
            .iter()
            .filter(|c| !self.failed_only || matches!(c["status"].as_str(), Some("FAILED" | "TIMED_OUT" | "ABORTED")))
            .collect()
    }
}
