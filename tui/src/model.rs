//! What the dashboard shows, read from the control API's JSON (the same shapes as AWS's):
//! execution rows, history rows, and what happened to each state of a definition.

use serde_json::Value;
use std::collections::HashMap;

/// One row of the executions list.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRow {
    pub arn: String,
    pub name: String,
    pub machine: String,
    pub status: String,
    /// Seconds since the epoch.
    pub start: f64,
    pub stop: Option<f64>,
}

impl ExecutionRow {
    pub fn from_json(v: &Value) -> Option<ExecutionRow> {
        let machine_arn = v["stateMachineArn"].as_str()?;
        Some(ExecutionRow {
            arn: v["executionArn"].as_str()?.to_string(),
            name: v["name"].as_str()?.to_string(),
            machine: machine_arn.rsplit(':').next().unwrap_or(machine_arn).to_string(),
            status: v["status"].as_str()?.to_string(),
            start: v["startDate"].as_f64()?,
            stop: v["stopDate"].as_f64(),
        })
    }

    /// Seconds it ran, or has been running at `now`.
    pub fn duration(&self, now: f64) -> f64 {
        (self.stop.unwrap_or(now) - self.start).max(0.0)
    }
}

/// One event of an execution's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub id: u64,
    /// The event this one follows (in its branch or iteration).
    pub previous: u64,
    pub kind: String,
    pub timestamp: f64,
    /// The state the event belongs to, when it names one.
    pub state: Option<String>,
    /// The event's details member (input, output, error, cause, ...).
    pub details: Value,
}

impl HistoryRow {
    pub fn from_json(v: &Value) -> Option<HistoryRow> {
        let details = v
            .as_object()?
            .iter()
            .find(|(k, _)| k.ends_with("EventDetails"))
            .map(|(_, d)| d.clone())
            .unwrap_or(Value::Null);
        Some(HistoryRow {
            id: v["id"].as_u64()?,
            previous: v["previousEventId"].as_u64().unwrap_or(0),
            kind: v["type"].as_str()?.to_string(),
            timestamp: v["timestamp"].as_f64().unwrap_or(0.0),
            state: details["name"].as_str().map(str::to_string),
            details,
        })
    }

    pub fn is_failure(&self) -> bool {
        self.kind.ends_with("Failed") || self.kind.ends_with("TimedOut") || self.kind.ends_with("Aborted")
    }

    /// Error and cause, when the event carries them.
    pub fn error(&self) -> Option<(String, String)> {
        let e = self.details["error"].as_str()?;
        Some((e.to_string(), self.details["cause"].as_str().unwrap_or("").to_string()))
    }
}

/// What happened to a state in one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    NotReached,
    Running,
    Succeeded,
    /// Failed, and a Catch took the execution elsewhere.
    Caught,
    Failed,
}

/// Each state's mark, from the history. A state that failed and was then left for
/// another state was caught; one the execution failed in is failed.
pub fn marks(history: &[HistoryRow]) -> HashMap<String, Mark> {
    let mut marks = HashMap::new();
    let mut current: Vec<String> = Vec::new();
    let mut failed_in: Option<String> = None;
    for e in history {
        if e.kind.ends_with("StateEntered") {
            let name = e.state.clone().unwrap_or_default();
            if let Some(f) = failed_in.take() {
                marks.insert(f, Mark::Caught);
            }
            marks.insert(name.clone(), Mark::Running);
            current.push(name);
        } else if e.kind.ends_with("StateExited") {
            let name = e.state.clone().unwrap_or_default();
            if marks.get(&name) != Some(&Mark::Caught) {
                marks.insert(name.clone(), Mark::Succeeded);
            }
            current.retain(|c| *c != name);
        } else if e.is_failure() && !e.kind.starts_with("Execution") {
            if let Some(c) = current.last() {
                failed_in = Some(c.clone());
                marks.insert(c.clone(), Mark::Failed);
            }
        } else if e.kind.starts_with("Execution") && e.is_failure() {
            if let Some(c) = current.last() {
                marks.insert(c.clone(), Mark::Failed);
            }
            failed_in = None;
        }
    }
    marks
}

/// A line of the state graph: a state at a depth (Parallel branches and Map iterators
/// nested under their state), and where it goes next.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphLine {
    pub depth: usize,
    pub name: String,
    pub kind: String,
    pub next: Vec<String>,
}

/// The states of a definition in the order an operator reads them: from `StartAt`, each
/// state's successors after it, nested machines under their state.
pub fn graph(definition: &Value) -> Vec<GraphLine> {
    let mut out = Vec::new();
    walk(definition, 0, &mut out);
    out
}

fn walk(machine: &Value, depth: usize, out: &mut Vec<GraphLine>) {
    let Some(states) = machine["States"].as_object() else { return };
    let mut order: Vec<String> = Vec::new();
    let mut queue: Vec<String> = machine["StartAt"].as_str().map(|s| vec![s.to_string()]).unwrap_or_default();
    while let Some(name) = queue.first().cloned() {
        queue.remove(0);
        if order.contains(&name) || !states.contains_key(&name) {
            continue;
        }
        order.push(name.clone());
        queue.extend(successors(&states[&name]));
    }
    // States nothing reaches are still shown, last.
    order.extend(states.keys().filter(|k| !order.contains(k)).cloned().collect::<Vec<_>>());
    for name in order {
        let s = &states[&name];
        out.push(GraphLine {
            depth,
            name: name.clone(),
            kind: s["Type"].as_str().unwrap_or("?").to_string(),
            next: successors(s),
        });
        for branch in s["Branches"].as_array().into_iter().flatten() {
            walk(branch, depth + 1, out);
        }
        for key in ["ItemProcessor", "Iterator"] {
            if s[key].is_object() {
                walk(&s[key], depth + 1, out);
            }
        }
    }
}

fn successors(state: &Value) -> Vec<String> {
    let mut next = Vec::new();
    let mut add = |v: &Value| {
        if let Some(n) = v.as_str() {
            if !next.iter().any(|x: &String| x == n) {
                next.push(n.to_string());
            }
        }
    };
    for choice in state["Choices"].as_array().into_iter().flatten() {
        add(&choice["Next"]);
    }
    add(&state["Default"]);
    add(&state["Next"]);
    for c in state["Catch"].as_array().into_iter().flatten() {
        add(&c["Next"]);
    }
    next
}

/// A JSON text (the API carries payloads as strings) pretty-printed, or as it is.
pub fn pretty(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: u64, kind: &str, details: Value) -> HistoryRow {
        HistoryRow::from_json(&json!({"id": id, "type": kind, "timestamp": 0.0, "x": 1, "someEventDetails": details}))
            .unwrap()
    }

    #[test]
    fn marks_tell_succeeded_caught_failed_running_and_not_reached() {
        let h = vec![
            ev(1, "ExecutionStarted", json!({})),
            ev(2, "PassStateEntered", json!({"name": "A"})),
            ev(3, "PassStateExited", json!({"name": "A"})),
            ev(4, "TaskStateEntered", json!({"name": "Charge"})),
            ev(5, "TaskFailed", json!({"error": "Declined", "cause": "no"})),
            ev(6, "PassStateEntered", json!({"name": "Refund"})),
            ev(7, "PassStateExited", json!({"name": "Refund"})),
            ev(8, "TaskStateEntered", json!({"name": "Ship"})),
            ev(9, "TaskFailed", json!({"error": "Lost", "cause": "gone"})),
            ev(10, "ExecutionFailed", json!({"error": "Lost", "cause": "gone"})),
        ];
        let m = marks(&h);
        assert_eq!(m["A"], Mark::Succeeded);
        assert_eq!(m["Charge"], Mark::Caught);
        assert_eq!(m["Refund"], Mark::Succeeded);
        assert_eq!(m["Ship"], Mark::Failed);
        assert_eq!(m.get("Never"), None);
        let running = marks(&h[..8]);
        assert_eq!(running["Ship"], Mark::Running);
        assert_eq!(h[8].error(), Some(("Lost".into(), "gone".into())));
    }

    #[test]
    fn the_graph_follows_start_at_and_nests_branches_and_iterators() {
        let def = json!({"StartAt": "Check", "States": {
            "Done": {"Type": "Succeed"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "Fan"}], "Default": "Done"},
            "Fan": {"Type": "Parallel", "Next": "Done", "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}}]},
            "Orphan": {"Type": "Pass", "End": true}}});
        let g = graph(&def);
        let names: Vec<(usize, &str)> = g.iter().map(|l| (l.depth, l.name.as_str())).collect();
        assert_eq!(names, vec![(0, "Check"), (0, "Fan"), (1, "B1"), (0, "Done"), (0, "Orphan")]);
        assert_eq!(g[0].next, vec!["Fan".to_string(), "Done".to_string()]);
    }
}
