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
    /// Running, or waiting to be tried again after a failure its Retry matched.
    Running,
    Succeeded,
    /// Failed, and a Catch took the execution elsewhere.
    Caught,
    Failed,
}

/// A state's mark, and how many times its Retry ran it again (over every time the
/// state was entered in the events read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub mark: Mark,
    pub retries: u32,
}

/// One entry into a state, keyed by its `...StateEntered` event.
struct Visit {
    name: String,
    /// The state's type, as its events start (`Task`, `Parallel`, `Map`).
    kind: String,
    /// The visit of the Parallel or Map this one runs in.
    parent: Option<u64>,
    /// A failure was recorded and nothing since: neither a new attempt (Retry) nor the
    /// state's exit (Catch).
    failed: bool,
    open: bool,
}

/// Each state's outcome, from the history.
///
/// Every event belongs to the state entry its `previousEventId` leads back to, so
/// branches running at once are told apart. Within an entry, a failure followed by a
/// new attempt (`...Scheduled`, `...Started`, `...Submitted`) was retried; an entry
/// left (`...StateExited`) after a failure with no new attempt was caught; one left
/// after a success (retried or not) succeeded. A failure with neither is failed when
/// the execution (or the Parallel or Map around it) ends, and running until then: the
/// state is waiting for its retry.
pub fn outcomes(history: &[HistoryRow]) -> HashMap<String, Outcome> {
    let mut out: HashMap<String, Outcome> = HashMap::new();
    let mut visits: HashMap<u64, Visit> = HashMap::new();
    // Entries not yet left, in the order entered.
    let mut open: Vec<u64> = Vec::new();
    // The entry each event belongs to (none between states of the top level).
    let mut owner: HashMap<u64, Option<u64>> = HashMap::new();
    for e in history {
        let from = owner.get(&e.previous).copied().flatten();
        let name = e.state.clone().unwrap_or_default();
        if e.kind.ends_with("StateEntered") {
            let kind = e.kind.trim_end_matches("StateEntered").to_string();
            visits.insert(e.id, Visit { name: name.clone(), kind, parent: from, failed: false, open: true });
            open.push(e.id);
            owner.insert(e.id, Some(e.id));
            set(&mut out, &name, Mark::Running);
        } else if e.kind.ends_with("StateExited") {
            let left = from
                .filter(|v| visits.get(v).is_some_and(|v| v.open && v.name == name))
                .or_else(|| open.iter().rev().copied().find(|v| visits[v].name == name));
            let Some(left) = left else {
                owner.insert(e.id, None);
                continue;
            };
            let v = &visits[&left];
            set(&mut out, &name, if v.failed { Mark::Caught } else { Mark::Succeeded });
            owner.insert(e.id, v.parent);
            // What still runs inside a Parallel or Map that is left was stopped with it:
            // a failure there is final.
            let inside: Vec<u64> = open.iter().copied().filter(|o| *o == left || within(&visits, *o, left)).collect();
            for o in inside {
                let v = visits.get_mut(&o).expect("open entries are visits");
                v.open = false;
                if o != left && v.failed {
                    set(&mut out, &v.name, Mark::Failed);
                }
            }
            open.retain(|o| visits[o].open);
        } else {
            let mut at = from.filter(|v| visits[v].open).or_else(|| open.last().copied());
            // A Parallel's or a Map's own events (`ParallelStateFailed`, `MapRunStarted`)
            // follow its branches' events: they are the enclosing Parallel's or Map's.
            let own =
                ["Parallel", "Map"].into_iter().find(|k| e.kind.starts_with(k) && !e.kind.starts_with("MapIteration"));
            if let Some(kind) = own {
                while let Some(v) = at.and_then(|a| visits.get(&a)).filter(|v| v.kind != kind) {
                    at = v.parent;
                }
            }
            owner.insert(e.id, at);
            if e.kind.starts_with("Execution") {
                if e.is_failure() {
                    // The execution ended in its failure: the entries that failed, and the
                    // one it ended in, failed.
                    for o in std::mem::take(&mut open) {
                        let v = visits.get_mut(&o).expect("open entries are visits");
                        v.open = false;
                        if v.failed || Some(o) == at {
                            set(&mut out, &v.name, Mark::Failed);
                        }
                    }
                }
                continue;
            }
            // A Map's iterations are the Map's business: one failing is not the Map failing.
            let Some(v) = at.filter(|_| !e.kind.starts_with("MapIteration")).and_then(|a| visits.get_mut(&a)) else {
                continue;
            };
            if e.is_failure() {
                v.failed = true;
            } else if v.failed && ["Scheduled", "Started", "Submitted"].iter().any(|k| e.kind.ends_with(k)) {
                v.failed = false;
                out.entry(v.name.clone()).or_insert(Outcome { mark: Mark::Running, retries: 0 }).retries += 1;
            }
        }
    }
    out
}

fn set(out: &mut HashMap<String, Outcome>, name: &str, mark: Mark) {
    out.entry(name.to_string()).or_insert(Outcome { mark, retries: 0 }).mark = mark;
}

/// Whether entry `v` runs (at any depth) inside entry `outer`.
fn within(visits: &HashMap<u64, Visit>, v: u64, outer: u64) -> bool {
    let mut at = visits.get(&v).and_then(|v| v.parent);
    while let Some(p) = at {
        if p == outer {
            return true;
        }
        at = visits.get(&p).and_then(|v| v.parent);
    }
    false
}

/// Each state's mark, from the history (see [`outcomes`]).
pub fn marks(history: &[HistoryRow]) -> HashMap<String, Mark> {
    outcomes(history).into_iter().map(|(k, o)| (k, o.mark)).collect()
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

    /// An event following event `id - 1`, as in a history without branches.
    fn ev(id: u64, kind: &str, details: Value) -> HistoryRow {
        after(id, id - 1, kind, details)
    }

    fn after(id: u64, previous: u64, kind: &str, details: Value) -> HistoryRow {
        HistoryRow::from_json(&json!({"id": id, "previousEventId": previous, "type": kind, "timestamp": 0.0,
            "someEventDetails": details}))
        .unwrap()
    }

    #[test]
    fn marks_tell_succeeded_caught_failed_running_and_not_reached() {
        // AWS's shapes: a caught failure leaves its state (`TaskStateExited`) for the
        // Catch's target; an uncaught one ends the execution with no exit.
        let h = vec![
            ev(1, "ExecutionStarted", json!({})),
            ev(2, "PassStateEntered", json!({"name": "A"})),
            ev(3, "PassStateExited", json!({"name": "A"})),
            ev(4, "TaskStateEntered", json!({"name": "Charge"})),
            ev(5, "TaskFailed", json!({"error": "Declined", "cause": "no"})),
            ev(6, "TaskStateExited", json!({"name": "Charge"})),
            ev(7, "PassStateEntered", json!({"name": "Refund"})),
            ev(8, "PassStateExited", json!({"name": "Refund"})),
            ev(9, "TaskStateEntered", json!({"name": "Ship"})),
            ev(10, "TaskFailed", json!({"error": "Lost", "cause": "gone"})),
            ev(11, "ExecutionFailed", json!({"error": "Lost", "cause": "gone"})),
        ];
        let m = marks(&h);
        assert_eq!(m["A"], Mark::Succeeded);
        assert_eq!(m["Charge"], Mark::Caught);
        assert_eq!(m["Refund"], Mark::Succeeded);
        assert_eq!(m["Ship"], Mark::Failed);
        assert_eq!(m.get("Never"), None);
        let running = marks(&h[..9]);
        assert_eq!(running["Ship"], Mark::Running);
        assert_eq!(h[9].error(), Some(("Lost".into(), "gone".into())));
    }

    #[test]
    fn a_failure_retried_is_not_caught_and_its_retries_are_counted() {
        let h = vec![
            ev(1, "ExecutionStarted", json!({})),
            ev(2, "TaskStateEntered", json!({"name": "Charge"})),
            ev(3, "ActivityScheduled", json!({})),
            ev(4, "ActivityStarted", json!({})),
            ev(5, "ActivityFailed", json!({"error": "Busy", "cause": "try later"})),
            ev(6, "ActivityScheduled", json!({})),
            ev(7, "ActivityStarted", json!({})),
            ev(8, "ActivityFailed", json!({"error": "Busy", "cause": "try later"})),
            ev(9, "ActivityScheduled", json!({})),
            ev(10, "ActivityStarted", json!({})),
            ev(11, "ActivitySucceeded", json!({})),
            ev(12, "TaskStateExited", json!({"name": "Charge"})),
            ev(13, "PassStateEntered", json!({"name": "Ship"})),
        ];
        let o = outcomes(&h);
        assert_eq!(o["Charge"], Outcome { mark: Mark::Succeeded, retries: 2 });
        // Waiting for its retry, it is still running.
        assert_eq!(outcomes(&h[..5])["Charge"], Outcome { mark: Mark::Running, retries: 0 });
        assert_eq!(outcomes(&h[..6])["Charge"], Outcome { mark: Mark::Running, retries: 1 });
        // Retried, then caught: its last failure left it.
        let mut caught = h[..8].to_vec();
        caught.push(ev(9, "TaskStateExited", json!({"name": "Charge"})));
        assert_eq!(outcomes(&caught)["Charge"], Outcome { mark: Mark::Caught, retries: 1 });
        // Retried, then out of attempts.
        let mut failed = h[..8].to_vec();
        failed.push(ev(9, "ExecutionFailed", json!({"error": "Busy"})));
        assert_eq!(outcomes(&failed)["Charge"], Outcome { mark: Mark::Failed, retries: 1 });
    }

    #[test]
    fn branches_running_at_once_are_told_apart_by_their_previous_events() {
        // Branch B's task fails while branch A's state is the one entered last; the
        // Parallel catches the failure.
        let h = vec![
            ev(1, "ExecutionStarted", json!({})),
            ev(2, "ParallelStateEntered", json!({"name": "Both"})),
            ev(3, "ParallelStateStarted", json!({})),
            after(4, 3, "TaskStateEntered", json!({"name": "InB"})),
            after(5, 3, "TaskStateEntered", json!({"name": "InA"})),
            after(6, 4, "TaskFailed", json!({"error": "X", "cause": ""})),
            after(7, 6, "ParallelStateFailed", json!({})),
            after(8, 7, "ParallelStateExited", json!({"name": "Both"})),
            after(9, 8, "PassStateEntered", json!({"name": "Handle"})),
        ];
        let m = marks(&h);
        assert_eq!(m["InB"], Mark::Failed);
        assert_eq!(m["Both"], Mark::Caught);
        assert_eq!(m["InA"], Mark::Running, "stopped with its Parallel, it did not fail");
        assert_eq!(m["Handle"], Mark::Running);
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
