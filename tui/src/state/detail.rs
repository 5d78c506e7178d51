//! The execution view's reads and keys: the execution, its history a page at a time, its
//! definition and the tasks it waits on; moving, folding and browsing a Map's iterations.

use super::action::{call, Done, Effect, Key};
use super::app::{App, Modal, Screen, SIDEWAYS};
use super::command::{Edit, EditPurpose};
use super::execution::{iterations_of, Detail, Pane};
use super::text::short;
use crate::json;
use crate::model::{self, HistoryRow, Mark};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

impl App {
    /// Opens an execution.
    pub fn open(&mut self, arn: &str) -> Vec<Effect> {
        self.detail = None;
        self.load_detail(
            arn,
            Box::new(|app, r| {
                match r {
                    Ok(()) => app.screen = Screen::Execution,
                    Err(e) => app.say(e),
                }
                Vec::new()
            }),
        )
    }

    pub(super) fn load_detail(&mut self, arn: &str, done: Done) -> Vec<Effect> {
        let arn = arn.to_string();
        vec![call("DescribeExecution", json!({"executionArn": arn}), move |app, answer| match answer.result {
            Ok(execution) => app.history_page(arn, execution, Vec::new(), None, done),
            Err(e) => done(app, Err(e)),
        })]
    }

    /// The execution's history, a page at a time.
    fn history_page(
        &mut self,
        arn: String,
        execution: Value,
        mut history: Vec<HistoryRow>,
        token: Option<String>,
        done: Done,
    ) -> Vec<Effect> {
        let mut body = json!({"executionArn": arn, "maxResults": 1000});
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        vec![call("GetExecutionHistory", body, move |app, answer| {
            let page = match answer.result {
                Ok(v) => v,
                Err(e) => return done(app, Err(e)),
            };
            history.extend(page["events"].as_array().into_iter().flatten().filter_map(HistoryRow::from_json));
            let token = page["nextToken"].as_str().map(str::to_string);
            if token.is_none() || history.len() >= 100_000 {
                app.detail_definition(arn, execution, history, done)
            } else {
                app.history_page(arn, execution, history, token, done)
            }
        })]
    }

    /// The execution's definition, and the tasks it waits on while it runs.
    fn detail_definition(
        &mut self,
        arn: String,
        execution: Value,
        history: Vec<HistoryRow>,
        done: Done,
    ) -> Vec<Effect> {
        let machine = execution["stateMachineArn"].as_str().unwrap_or_default().to_string();
        vec![call("DescribeStateMachine", json!({"stateMachineArn": machine}), move |app, answer| {
            let definition = answer
                .result
                .ok()
                .and_then(|m| m["definition"].as_str().and_then(|d| serde_json::from_str::<Value>(d).ok()))
                .unwrap_or_default();
            if execution["status"] != "RUNNING" {
                app.show_detail(arn, execution, history, &definition, Vec::new());
                return done(app, Ok(()));
            }
            vec![call("ListPendingTasks", json!({"executionArn": arn}), move |app, answer| {
                let tasks = answer.result.ok().and_then(|v| v["tasks"].as_array().cloned()).unwrap_or_default();
                app.show_detail(arn, execution, history, &definition, tasks);
                done(app, Ok(()))
            })]
        })]
    }

    /// The execution read: what the view shows, the selection kept when it was open.
    fn show_detail(
        &mut self,
        arn: String,
        execution: Value,
        history: Vec<HistoryRow>,
        definition: &Value,
        tasks: Vec<Value>,
    ) {
        let graph = model::graph(definition);
        let iteration_of = iterations_of(&history);
        let old = self.detail.take().filter(|d| d.arn == arn);
        let mut d = Detail {
            arn,
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
    }

    pub(super) fn detail_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(d) = self.detail.as_mut() else {
            self.screen = Screen::Executions;
            return Vec::new();
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
            (Key::Char('>'), _) => d.json_hscroll = d.json_hscroll.saturating_add(SIDEWAYS),
            (Key::Char('<'), _) => d.json_hscroll = d.json_hscroll.saturating_sub(SIDEWAYS),
            (Key::Char('[') | Key::Char(']'), _) => {
                let Some(map) = d.map_of_selected() else {
                    self.say("select a Map state (or one of its states) to browse its iterations");
                    return Vec::new();
                };
                let all = d.iterations(&map);
                if all.is_empty() {
                    self.say(format!("{map} has no iterations yet"));
                    return Vec::new();
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
                    return self.restart_list();
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
            (Key::Char('u'), _) => match d.execution["parentExecutionArn"].as_str() {
                Some(parent) => {
                    let parent = parent.to_string();
                    return self.open(&parent);
                }
                None => self.say("no execution started this one"),
            },
            (Key::Char('o'), _) => {
                let state = d.graph.get(d.graph_selected).map(|l| l.name.clone()).unwrap_or_default();
                if let Some(run) = d.map_run_of(&state) {
                    return self.open_map_run(&run);
                }
                match d.child_of(&state) {
                    Some(child) => return self.open(&child),
                    None => self.say(format!("{state} started no child execution or Map Run")),
                }
            }
            (Key::Char('w'), _) => {
                let name = format!("stepline-{}.json", short(&d.arn));
                let text = serde_json::to_string_pretty(&d.json()).unwrap_or_default();
                return vec![Effect::Save { name, text }];
            }
            _ => {}
        }
        Vec::new()
    }

    /// `N`: a new execution of the machine in view, its input edited first.
    pub(super) fn new_execution(&mut self) -> Vec<Effect> {
        let machine = match self.screen {
            Screen::Machines => self.machine_rows.get(self.machine_selected).map(|m| m.arn.clone()),
            Screen::Execution => {
                self.detail.as_ref().and_then(|d| d.execution["stateMachineArn"].as_str().map(str::to_string))
            }
            _ => self.machine_filter.as_ref().and_then(|m| self.machine_arns.get(m)).cloned(),
        };
        let Some(machine) = machine else {
            self.say("choose a machine first: m in the list, or a row of the state machines view (S)");
            return Vec::new();
        };
        vec![Effect::Edit(Edit { purpose: EditPurpose::Start { machine_arn: machine }, text: "{}\n".into() })]
    }
}
