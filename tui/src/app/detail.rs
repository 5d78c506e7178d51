//! The execution view: its summary, states and history, the JSON viewer for the selected
//! state or event, a Map's iterations one at a time, and the tasks it waits on.

use super::{short, App, Edit, EditPurpose, Key, Modal, Screen};
use crate::api::ControlApi;
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

    fn remark(&mut self) {
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
fn iterations_of(history: &[HistoryRow]) -> Vec<Option<(String, u64)>> {
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

impl App {
    /// Opens an execution.
    pub fn open(&mut self, api: &dyn ControlApi, arn: &str) {
        self.detail = None;
        match self.load_detail(api, arn) {
            Ok(()) => self.screen = Screen::Execution,
            Err(e) => self.say(e),
        }
    }

    pub(super) fn load_detail(&mut self, api: &dyn ControlApi, arn: &str) -> Result<(), String> {
        let execution = api.call("DescribeExecution", &json!({"executionArn": arn}))?;
        let mut history = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"executionArn": arn, "maxResults": 1000});
            if let Some(t) = &token {
                body["nextToken"] = json!(t);
            }
            let page = api.call("GetExecutionHistory", &body)?;
            history.extend(page["events"].as_array().into_iter().flatten().filter_map(HistoryRow::from_json));
            token = page["nextToken"].as_str().map(str::to_string);
            if token.is_none() || history.len() >= 100_000 {
                break;
            }
        }
        let machine = execution["stateMachineArn"].as_str().unwrap_or_default();
        let definition = api
            .call("DescribeStateMachine", &json!({"stateMachineArn": machine}))
            .ok()
            .and_then(|m| m["definition"].as_str().and_then(|d| serde_json::from_str::<Value>(d).ok()))
            .unwrap_or_default();
        let tasks = if execution["status"] == "RUNNING" {
            api.call("ListPendingTasks", &json!({"executionArn": arn}))
                .ok()
                .and_then(|v| v["tasks"].as_array().cloned())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let graph = model::graph(&definition);
        let iteration_of = iterations_of(&history);
        let old = self.detail.take().filter(|d| d.arn == arn);
        let mut d = Detail {
            arn: arn.to_string(),
            execution,
            history,
            graph,
            outcomes: HashMap::new(),
            pane: Pane::Graph,
            source: Pane::Graph,
            graph_selected: 0,
            event_selected: 0,
            json_scroll: 0,
            json_hscroll: 0,
            json_cursor: 0,
            folded: HashSet::new(),
            iteration: None,
            iteration_of,
            tasks,
        };
        match old {
            Some(o) => {
                d.pane = o.pane;
                d.source = o.source;
                d.graph_selected = o.graph_selected.min(d.graph.len().saturating_sub(1));
                d.event_selected = o.event_selected.min(d.history.len().saturating_sub(1));
                d.json_scroll = o.json_scroll;
                d.json_hscroll = o.json_hscroll;
                d.json_cursor = o.json_cursor;
                d.folded = o.folded;
                d.iteration = o.iteration;
                d.remark();
            }
            None => {
                d.remark();
                // Open on the state that failed, else the one running, else the first.
                let at = |m: Mark| d.graph.iter().position(|l| d.mark(&l.name) == m);
                d.graph_selected = at(Mark::Failed).or_else(|| at(Mark::Running)).unwrap_or(0);
            }
        }
        self.detail = Some(d);
        Ok(())
    }

    pub(super) fn detail_key(&mut self, key: Key, api: &dyn ControlApi) {
        let Some(d) = self.detail.as_mut() else {
            self.screen = Screen::Executions;
            return;
        };
        let moved = |d: &mut Detail| {
            d.json_scroll = 0;
            d.json_hscroll = 0;
            d.json_cursor = 0;
            d.folded.clear();
        };
        match (key, d.pane) {
            (Key::Esc | Key::Char('h'), _) => {
                self.screen = Screen::Executions;
                self.detail = None;
            }
            (Key::Tab, _) => {
                d.pane = match d.pane {
                    Pane::Graph => Pane::History,
                    Pane::History => Pane::Json,
                    Pane::Json => Pane::Graph,
                };
                if d.pane != Pane::Json {
                    d.source = d.pane;
                    moved(d);
                }
            }
            (Key::Char('j') | Key::Down, Pane::Graph) => {
                d.graph_selected = (d.graph_selected + 1).min(d.graph.len().saturating_sub(1));
                moved(d);
            }
            (Key::Char('j') | Key::Down, Pane::History) => {
                d.event_selected = (d.event_selected + 1).min(d.history.len().saturating_sub(1));
                moved(d);
            }
            (Key::Char('j') | Key::Down, Pane::Json) => {
                d.json_cursor = (d.json_cursor + 1).min(d.json_lines().len().saturating_sub(1))
            }
            (Key::Char('k') | Key::Up, Pane::Graph) => {
                d.graph_selected = d.graph_selected.saturating_sub(1);
                moved(d);
            }
            (Key::Char('k') | Key::Up, Pane::History) => {
                d.event_selected = d.event_selected.saturating_sub(1);
                moved(d);
            }
            (Key::Char('k') | Key::Up, Pane::Json) => d.json_cursor = d.json_cursor.saturating_sub(1),
            (Key::Char('g') | Key::Char('G'), pane) => {
                let last = key == Key::Char('G');
                match pane {
                    Pane::Graph => d.graph_selected = if last { d.graph.len().saturating_sub(1) } else { 0 },
                    Pane::History => d.event_selected = if last { d.history.len().saturating_sub(1) } else { 0 },
                    Pane::Json => d.json_cursor = if last { d.json_lines().len().saturating_sub(1) } else { 0 },
                }
                if pane != Pane::Json {
                    moved(d);
                }
            }
            (Key::Enter | Key::Char(' '), Pane::Json) => {
                if let Some(path) = d.json_lines().get(d.json_cursor).and_then(|l| l.path.clone()) {
                    if !d.folded.remove(&path) && path != "$" {
                        d.folded.insert(path);
                    }
                }
            }
            (Key::Char('c'), _) => {
                d.folded = json::containers(&d.json()).into_iter().collect();
                d.json_cursor = 0;
            }
            (Key::Char('x'), _) => d.folded.clear(),
            (Key::Char('J') | Key::PageDown, _) => d.json_scroll = d.json_scroll.saturating_add(5),
            (Key::Char('K') | Key::PageUp, _) => d.json_scroll = d.json_scroll.saturating_sub(5),
            (Key::Char('>'), _) => d.json_hscroll = d.json_hscroll.saturating_add(super::SIDEWAYS),
            (Key::Char('<'), _) => d.json_hscroll = d.json_hscroll.saturating_sub(super::SIDEWAYS),
            (Key::Char('[') | Key::Char(']'), _) => {
                let Some(map) = d.map_of_selected() else {
                    self.say("select a Map state (or one of its states) to browse its iterations");
                    return;
                };
                let all = d.iterations(&map);
                if all.is_empty() {
                    self.say(format!("{map} has no iterations yet"));
                    return;
                }
                let at = d.iteration.as_ref().filter(|i| i.0 == map).and_then(|i| all.iter().position(|x| *x == i.1));
                d.iteration = match (at, key == Key::Char(']')) {
                    (None, true) => Some((map, all[0])),
                    (None, false) => Some((map, all[all.len() - 1])),
                    (Some(i), true) if i + 1 < all.len() => Some((map, all[i + 1])),
                    (Some(i), false) if i > 0 => Some((map, all[i - 1])),
                    // Past either end: back to the whole execution.
                    _ => None,
                };
                d.remark();
                moved(d);
            }
            (Key::Char('f'), _) => {
                let failed = d.graph.get(d.graph_selected).map(|l| l.name.clone());
                if let Some(state) = failed {
                    let machine = d.execution["stateMachineArn"].as_str().map(|a| short(a).to_string());
                    self.failed_state = Some(state);
                    self.machine_filter = machine;
                    self.status_filter = None;
                    self.screen = Screen::Executions;
                    self.detail = None;
                    self.restart_list(api);
                }
            }
            (Key::Char('T'), _) => match d.tasks.first() {
                Some(t) => {
                    self.modal = Modal::AnswerTask {
                        token: t["taskToken"].as_str().unwrap_or_default().to_string(),
                        state: t["stateName"].as_str().unwrap_or_default().to_string(),
                    }
                }
                None => self.say("no task of this execution is waiting for an answer"),
            },
            (Key::Char('w'), _) => {
                let path = std::env::temp_dir().join(format!("stepline-{}.json", short(&d.arn)));
                let text = serde_json::to_string_pretty(&d.json()).unwrap_or_default();
                self.say(match std::fs::write(&path, text) {
                    Ok(()) => format!("written to {}", path.display()),
                    Err(e) => format!("cannot write {}: {e}", path.display()),
                });
            }
            _ => {}
        }
    }

    /// `N`: a new execution of the machine in view, its input edited first.
    pub(super) fn new_execution(&mut self) {
        let machine = match self.screen {
            Screen::Machines => self.machine_rows.get(self.machine_selected).map(|m| m.arn.clone()),
            Screen::Execution => {
                self.detail.as_ref().and_then(|d| d.execution["stateMachineArn"].as_str().map(str::to_string))
            }
            _ => self.machine_filter.as_ref().and_then(|m| self.machine_arns.get(m)).cloned(),
        };
        let Some(machine) = machine else {
            self.say("choose a machine first: m in the list, or a row of the state machines view (S)");
            return;
        };
        self.edit = Some(Edit { purpose: EditPurpose::Start { machine_arn: machine }, text: "{}\n".into() });
    }
}
