//! Where an execution sits among its relatives: the child execution a state started, read
//! from the task it waits on or from the answers in its history, and the Map Run a
//! Distributed Map started (the parent is a field of the execution itself,
//! `parentExecutionArn`).

use super::execution::Detail;
use serde_json::Value;
use std::collections::HashMap;

impl Detail {
    /// The state event `at` belongs to: the nearest state entered up its chain of previous
    /// events (its branch or iteration).
    fn entered_state(&self, by_id: &HashMap<u64, usize>, mut at: usize) -> Option<&str> {
        for _ in 0..64 {
            let row = &self.history[at];
            if row.kind.ends_with("StateEntered") {
                return row.state.as_deref();
            }
            at = *by_id.get(&row.previous)?;
        }
        None
    }

    /// The Map Run `state` started (or redrove) last, if it is a Distributed Map.
    pub fn map_run_of(&self, state: &str) -> Option<String> {
        let by_id: HashMap<u64, usize> = self.history.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        self.history.iter().enumerate().rev().find_map(|(i, row)| {
            let arn = match row.kind.as_str() {
                "MapRunStarted" | "MapRunRedriven" => row.details["mapRunArn"].as_str()?,
                _ => return None,
            };
            (self.entered_state(&by_id, i)? == state).then(|| arn.to_string())
        })
    }

    /// The child execution `state` started last, if it started one.
    pub fn child_of(&self, state: &str) -> Option<String> {
        let waiting = self.tasks.iter().find(|t| t["stateName"] == state);
        if let Some(c) = waiting.and_then(|t| t["childExecutionArn"].as_str()) {
            return Some(c.to_string());
        }
        let by_id: HashMap<u64, usize> = self.history.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let entered = |at: usize| self.entered_state(&by_id, at);
        self.history.iter().enumerate().rev().find_map(|(i, row)| {
            let text = match row.kind.as_str() {
                "TaskSucceeded" => row.details["output"].as_str()?,
                "TaskFailed" => row.details["cause"].as_str()?,
                _ => return None,
            };
            let arn = serde_json::from_str::<Value>(text).ok()?["ExecutionArn"].as_str()?.to_string();
            (entered(i)? == state).then_some(arn)
        })
    }
}
