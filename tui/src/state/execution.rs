//! The execution being looked at: what was read of it, what the view selects, and what
//! the JSON viewer shows for the selection.

use crate::json;
use crate::model::{self, GraphLine, HistoryRow, Mark, Outcome};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// Which part of the execution view has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Graph,
    History,
    /// The JSON viewer, showing what the last of the other two selected.
    Json,
}

/// The execution being looked at.
#[derive(Debug, Clone)]
pub struct Detail {
    pub arn: String,
    /// `DescribeExecution`'s answer.
    pub execution: Value,
    pub history: Vec<HistoryRow>,
    pub graph: Vec<GraphLine>,
    /// What happened to each state over the whole execution, or over the chosen Map
    /// iteration for its states.
    pub outcomes: HashMap<String, Outcome>,
    pub pane: Pane,
    /// What the JSON viewer shows: the graph's or the history's selection.
    pub source: Pane,
    pub graph_selected: usize,
    pub event_selected: usize,
    pub json_scroll: u16,
    /// Columns of the JSON viewer scrolled past on the left (`<` `>`).
    pub json_hscroll: u16,
    pub json_cursor: usize,
    pub folded: HashSet<String>,
    /// The Map iteration shown: the Map state's name and the iteration's index.
    pub iteration: Option<(String, u64)>,
    /// For each event, the innermost Map iteration it belongs to.
    pub iteration_of: Vec<Option<(String, u64)>>,
    /// Tasks of this execution waiting for an answer (`ListPendingTasks`).
    pub tasks: Vec<Value>,
}

impl Detail {
    /// The Map state whose iterations the selected state belongs to (or is).
    pub fn map_of_selected(&self) -> Option<String> {
        let at = self.graph_selected.min(self.graph.len().checked_sub(1)?);
        let line = &self.graph[at];
        if line.kind == "Map" {
            return Some(line.name.clone());
        }
        let mut depth = line.depth;
        for l in self.graph[..at].iter().rev() {
            if l.depth < depth {
                if l.kind == "Map" {
                    return Some(l.name.clone());
                }
                depth = l.depth;
            }
        }
        None
    }

    /// The mark of state `name`.
    pub fn mark(&self, name: &str) -> Mark {
        self.outcomes.get(name).map_or(Mark::NotReached, |o| o.mark)
    }

    /// Indexes of the iterations the history shows for Map state `map`.
    pub fn iterations(&self, map: &str) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .history
            .iter()
            .filter(|e| e.kind == "MapIterationStarted" && e.state.as_deref() == Some(map))
            .filter_map(|e| e.details["index"].as_u64())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The events the view reads: those of the chosen iteration, or all.
    fn events(&self) -> Vec<&HistoryRow> {
        match &self.iteration {
            Some(it) => self
                .history
                .iter()
                .zip(&self.iteration_of)
                .filter(|(_, of)| of.as_ref() == Some(it))
                .map(|(e, _)| e)
                .collect(),
            None => self.history.iter().collect(),
        }
    }

    pub(super) fn remark(&mut self) {
        let mut marks = model::outcomes(&self.history);
        if self.iteration.is_some() {
            let events: Vec<HistoryRow> = self.events().into_iter().cloned().collect();
            let inner = model::outcomes(&events);
            // The iteration's states: reached in it or not.
            let map = self.iteration.as_ref().map(|i| i.0.clone()).unwrap_or_default();
            if let Some(at) = self.graph.iter().position(|l| l.name == map) {
                let depth = self.graph[at].depth;
                for l in self.graph[at + 1..].iter().take_while(|l| l.depth > depth) {
                    let not_reached = Outcome { mark: Mark::NotReached, retries: 0 };
                    marks.insert(l.name.clone(), inner.get(&l.name).copied().unwrap_or(not_reached));
                }
            }
        }
        self.outcomes = marks;
    }

    /// What the JSON viewer shows: the selected event's details, or the selected state's
    /// input and output from its last entry and exit (in the chosen iteration), and the
    /// error that ended it.
    pub fn json(&self) -> Value {
        match self.source {
            Pane::History => self.history.get(self.event_selected).map(|e| details(&e.details)).unwrap_or_default(),
            _ => {
                let Some(line) = self.graph.get(self.graph_selected) else { return Value::Null };
                let events = self.events();
                let named = |suffix: &str| {
                    events
                        .iter()
                        .rposition(|e| e.kind.ends_with(suffix) && e.state.as_deref() == Some(line.name.as_str()))
                };
                let entered = named("StateEntered");
                let exited = named("StateExited");
                // The last failure of its last entry: what left it, or what it was retried after.
                let failure = entered.and_then(|at| {
                    let after = events[at + 1..].iter().take_while(|e| !e.kind.ends_with("StateEntered"));
                    after.filter_map(|e| e.error()).last()
                });
                let mut v = json!({"state": line.name, "type": line.kind});
                if let Some((map, index)) = &self.iteration {
                    v["iteration"] = json!(format!("{map} #{index}"));
                }
                if let Some(at) = entered {
                    v["input"] = parsed(&events[at].details["input"]);
                }
                if let Some(at) = exited {
                    v["output"] = parsed(&events[at].details["output"]);
                }
                if let Some(n) = self.outcomes.get(&line.name).map(|o| o.retries).filter(|n| *n > 0) {
                    v["retries"] = json!(n);
                }
                match (failure, self.mark(&line.name)) {
                    (Some((error, cause)), Mark::Failed | Mark::Caught) => {
                        v["error"] = json!(error);
                        v["cause"] = parsed(&json!(cause));
                    }
                    (Some((error, cause)), _) => {
                        v["retriedAfter"] = json!({"error": error, "cause": parsed(&json!(cause))});
                    }
                    (None, _) => {}
                }
                v
            }
        }
    }

    /// The viewer's lines as shown (with folds).
    pub fn json_lines(&self) -> Vec<json::JsonLine> {
        json::lines(&self.json(), &self.folded)
    }
}

fn parsed(v: &Value) -> Value {
    v.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_else(|| v.clone())
}

fn details(d: &Value) -> Value {
    let mut d = d.clone();
    if let Value::Object(m) = &mut d {
        for v in m.values_mut() {
            *v = parsed(v);
        }
    }
    d
}

/// For each event, the Map iteration it belongs to: following each event's previous
/// event back to a `MapIterationStarted`.
pub(super) fn iterations_of(history: &[HistoryRow]) -> Vec<Option<(String, u64)>> {
    let mut by_id: HashMap<u64, Option<(String, u64)>> = HashMap::new();
    let mut out = Vec::with_capacity(history.len());
    for e in history {
        let of = if e.kind == "MapIterationStarted" {
            e.details["index"].as_u64().map(|i| (e.state.clone().unwrap_or_default(), i))
        } else if matches!(e.kind.as_str(), "MapIterationSucceeded" | "MapIterationFailed" | "MapIterationAborted") {
            None
        } else {
            by_id.get(&e.previous).cloned().flatten()
        };
        by_id.insert(e.id, of.clone());
        out.push(of);
    }
    out
}
