//! The dashboard's state and what each key does. Pure: it reads and acts through a
//! [`ControlApi`] and is drawn by `ui`, so it is tested without a terminal.

use crate::api::ControlApi;
use crate::model::{self, ExecutionRow, GraphLine, HistoryRow, Mark};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Statuses the list can be filtered by, on keys 1 to 5 (0 shows every status).
pub const STATUSES: [&str; 5] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
/// Rows per page of the executions list.
pub const PAGE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Executions,
    Execution,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    None,
    Help,
    /// Typing a search (name substring, error or cause text).
    Search(String),
    Confirm(Action),
}

/// An operator action; each is confirmed before it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Stop(String),
    Redrive(String),
    Replay(String),
}

impl Action {
    pub fn describe(&self) -> String {
        match self {
            Action::Stop(a) => format!("Stop {}?", short(a)),
            Action::Redrive(a) => format!("Redrive {} from where it failed?", short(a)),
            Action::Replay(a) => format!("Start a new execution of {} with the same input?", short(a)),
        }
    }
}

/// The last part of an ARN (an execution's name).
pub fn short(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Graph,
    History,
}

/// The execution being looked at.
#[derive(Debug, Clone)]
pub struct Detail {
    pub arn: String,
    /// `DescribeExecution`'s answer.
    pub execution: Value,
    pub history: Vec<HistoryRow>,
    pub graph: Vec<GraphLine>,
    pub marks: HashMap<String, Mark>,
    pub pane: Pane,
    pub graph_selected: usize,
    pub event_selected: usize,
    pub json_scroll: u16,
}

impl Detail {
    /// The text for the JSON viewer: the selected event's details, or the selected
    /// state's input and output from its last entry and exit, or the execution's.
    pub fn json(&self) -> String {
        match self.pane {
            Pane::History => {
                self.history.get(self.event_selected).map(|e| pretty_details(&e.details)).unwrap_or_default()
            }
            Pane::Graph => {
                let Some(line) = self.graph.get(self.graph_selected) else { return String::new() };
                let entered = self
                    .history
                    .iter()
                    .rev()
                    .find(|e| e.kind.ends_with("StateEntered") && e.state.as_deref() == Some(line.name.as_str()));
                let exited = self
                    .history
                    .iter()
                    .rev()
                    .find(|e| e.kind.ends_with("StateExited") && e.state.as_deref() == Some(line.name.as_str()));
                let failure = self
                    .history
                    .iter()
                    .skip_while(|e| entered.is_none_or(|n| e.id <= n.id))
                    .take_while(|e| !e.kind.ends_with("StateEntered"))
                    .find_map(HistoryRow::error);
                let mut v = json!({"state": line.name, "type": line.kind});
                if let Some(e) = entered {
                    v["input"] = parsed(&e.details["input"]);
                }
                if let Some(e) = exited {
                    v["output"] = parsed(&e.details["output"]);
                }
                if let Some((error, cause)) = failure {
                    v["error"] = json!(error);
                    v["cause"] = parsed(&json!(cause));
                }
                serde_json::to_string_pretty(&v).unwrap_or_default()
            }
        }
    }
}

fn parsed(v: &Value) -> Value {
    v.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_else(|| v.clone())
}

fn pretty_details(d: &Value) -> String {
    let mut d = d.clone();
    if let Value::Object(m) = &mut d {
        for v in m.values_mut() {
            *v = parsed(v);
        }
    }
    serde_json::to_string_pretty(&d).unwrap_or_default()
}

pub struct App {
    pub screen: Screen,
    pub modal: Modal,
    pub rows: Vec<ExecutionRow>,
    pub selected: usize,
    pub status_filter: Option<&'static str>,
    /// Machine names seen, to cycle through with `m`; `None` is every machine.
    pub machines: Vec<String>,
    pub machine_filter: Option<String>,
    /// Applied search text (names, and the error and cause of failed executions).
    pub search: String,
    /// Error and cause (lowercase) of finished executions already searched, by ARN and
    /// stop date.
    pub errors: HashMap<String, String>,
    /// How the page is ordered (`o` cycles).
    pub sort: Sort,
    /// Count per status, capped (`true` when there are more).
    pub counts: Vec<(&'static str, usize, bool)>,
    /// Executions started in each of the last 60 seconds.
    pub throughput: Vec<u64>,
    /// Page tokens of the pages before this one, and the next page's.
    pub pages: Vec<Option<String>>,
    pub next_page: Option<String>,
    pub detail: Option<Detail>,
    /// The result of the last action or the last error, for the status line.
    pub message: Option<String>,
    pub quit: bool,
    /// Wall clock of the last refresh (seconds since the epoch).
    pub now: f64,
}

impl Default for App {
    fn default() -> App {
        App {
            screen: Screen::Executions,
            modal: Modal::None,
            rows: Vec::new(),
            selected: 0,
            status_filter: None,
            machines: Vec::new(),
            machine_filter: None,
            search: String::new(),
            errors: HashMap::new(),
            sort: Sort::Newest,
            counts: Vec::new(),
            throughput: Vec::new(),
            pages: Vec::new(),
            next_page: None,
            detail: None,
            message: None,
            quit: false,
            now: 0.0,
        }
    }
}

/// The order of the executions on a page (the store always pages newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    Oldest,
    /// Longest running or took longest first.
    Longest,
    Name,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Newest => Sort::Oldest,
            Sort::Oldest => Sort::Longest,
            Sort::Longest => Sort::Name,
            Sort::Name => Sort::Newest,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Longest => "longest",
            Sort::Name => "name",
        }
    }

    fn apply(self, rows: &mut [ExecutionRow], now: f64) {
        match self {
            Sort::Newest => rows.sort_by(|a, b| b.start.total_cmp(&a.start)),
            Sort::Oldest => rows.sort_by(|a, b| a.start.total_cmp(&b.start)),
            Sort::Longest => rows.sort_by(|a, b| b.duration(now).total_cmp(&a.duration(now))),
            Sort::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        }
    }
}

/// A key, as the terminal layer hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Up,
    Down,
    PageUp,
    PageDown,
    Tab,
}

impl App {
    /// Reads everything the current screen shows.
    pub fn refresh(&mut self, api: &dyn ControlApi, now: f64) {
        self.now = now;
        if let Err(e) = self.load(api) {
            self.message = Some(e);
        }
    }

    fn load(&mut self, api: &dyn ControlApi) -> Result<(), String> {
        let machines = api.call("ListStateMachines", &json!({}))?;
        let arns: HashMap<String, String> = machines["stateMachines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| Some((m["name"].as_str()?.to_string(), m["stateMachineArn"].as_str()?.to_string())))
            .collect();
        self.machines = arns.keys().cloned().collect();
        self.machines.sort();
        let machine_arn = self.machine_filter.as_ref().and_then(|m| arns.get(m)).cloned();
        let mut body = json!({"maxResults": PAGE});
        if let Some(a) = &machine_arn {
            body["stateMachineArn"] = json!(a);
        }
        if let Some(s) = self.status_filter {
            body["statusFilter"] = json!(s);
        }
        if let Some(Some(t)) = self.pages.last() {
            body["nextToken"] = json!(t);
        }
        let page = api.call("ListExecutions", &body)?;
        let mut rows: Vec<ExecutionRow> =
            page["executions"].as_array().into_iter().flatten().filter_map(ExecutionRow::from_json).collect();
        self.next_page = page["nextToken"].as_str().map(str::to_string);
        if !self.search.is_empty() {
            let needle = self.search.to_lowercase();
            let mut kept = Vec::new();
            for r in rows {
                let hit = r.name.to_lowercase().contains(&needle)
                    || (r.status != "RUNNING" && r.status != "SUCCEEDED" && {
                        // A finished execution's error changes only with a redrive, which
                        // changes its stop date: asked for once per stop.
                        let key = format!("{}@{}", r.arn, r.stop.unwrap_or(0.0));
                        let text = self.errors.entry(key).or_insert_with(|| {
                            let d = api.call("DescribeExecution", &json!({"executionArn": r.arn})).unwrap_or_default();
                            let e = d["error"].as_str().unwrap_or("");
                            format!("{e} {}", d["cause"].as_str().unwrap_or("")).to_lowercase()
                        });
                        text.contains(&needle)
                    });
                if hit {
                    kept.push(r);
                }
            }
            rows = kept;
        }
        self.sort.apply(&mut rows, self.now);
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.counts = STATUSES
            .iter()
            .map(|s| {
                let mut body = json!({"statusFilter": s, "maxResults": 1000});
                if let Some(a) = &machine_arn {
                    body["stateMachineArn"] = json!(a);
                }
                let page = api.call("ListExecutions", &body).unwrap_or_default();
                let n = page["executions"].as_array().map_or(0, Vec::len);
                (*s, n, page["nextToken"].is_string())
            })
            .collect();
        let recent = api.call("ListExecutions", &json!({"maxResults": 1000})).unwrap_or_default();
        let mut per_second = vec![0u64; 60];
        for e in recent["executions"].as_array().into_iter().flatten() {
            let age = self.now - e["startDate"].as_f64().unwrap_or(0.0);
            if (0.0..60.0).contains(&age) {
                per_second[59 - age as usize] += 1;
            }
        }
        self.throughput = per_second;
        if let Some(arn) = self.detail.as_ref().map(|d| d.arn.clone()) {
            self.load_detail(api, &arn)?;
        }
        Ok(())
    }

    fn load_detail(&mut self, api: &dyn ControlApi, arn: &str) -> Result<(), String> {
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
        let graph = model::graph(&definition);
        let marks = model::marks(&history);
        let old = self.detail.take().filter(|d| d.arn == arn);
        let mut d = Detail {
            arn: arn.to_string(),
            execution,
            history,
            graph,
            marks,
            pane: Pane::Graph,
            graph_selected: 0,
            event_selected: 0,
            json_scroll: 0,
        };
        match old {
            Some(o) => {
                d.pane = o.pane;
                d.graph_selected = o.graph_selected.min(d.graph.len().saturating_sub(1));
                d.event_selected = o.event_selected.min(d.history.len().saturating_sub(1));
                d.json_scroll = o.json_scroll;
            }
            None => {
                // Open on the state that failed, else the one running, else the first.
                let at = |m: Mark| d.graph.iter().position(|l| d.marks.get(&l.name) == Some(&m));
                d.graph_selected = at(Mark::Failed).or_else(|| at(Mark::Running)).unwrap_or(0);
            }
        }
        self.detail = Some(d);
        Ok(())
    }

    /// The execution the keys act on: the open one, or the selected row.
    pub fn target(&self) -> Option<String> {
        match self.screen {
            Screen::Execution => self.detail.as_ref().map(|d| d.arn.clone()),
            Screen::Executions => self.rows.get(self.selected).map(|r| r.arn.clone()),
        }
    }

    /// Handles a key; reads and acts through `api`.
    pub fn key(&mut self, key: Key, api: &dyn ControlApi) {
        match self.modal.clone() {
            Modal::Help => {
                self.modal = Modal::None;
                return;
            }
            Modal::Search(mut text) => {
                match key {
                    Key::Enter => {
                        self.search = text;
                        self.modal = Modal::None;
                        self.pages.clear();
                        self.refresh(api, self.now);
                    }
                    Key::Esc => self.modal = Modal::None,
                    Key::Backspace => {
                        text.pop();
                        self.modal = Modal::Search(text);
                    }
                    Key::Char(c) => {
                        text.push(c);
                        self.modal = Modal::Search(text);
                    }
                    _ => {}
                }
                return;
            }
            Modal::Confirm(action) => {
                if matches!(key, Key::Char('y') | Key::Enter) {
                    self.message = Some(self.run(&action, api));
                    self.refresh(api, self.now);
                } else {
                    self.message = Some("cancelled".into());
                }
                self.modal = Modal::None;
                return;
            }
            Modal::None => {}
        }
        match key {
            Key::Char('q') => self.quit = true,
            Key::Char('?') => self.modal = Modal::Help,
            Key::Char('/') => self.modal = Modal::Search(self.search.clone()),
            Key::Char('s') => {
                if let Some(a) = self.target() {
                    self.modal = Modal::Confirm(Action::Stop(a));
                }
            }
            Key::Char('R') => {
                if let Some(a) = self.target() {
                    self.modal = Modal::Confirm(Action::Redrive(a));
                }
            }
            Key::Char('P') => {
                if let Some(a) = self.target() {
                    self.modal = Modal::Confirm(Action::Replay(a));
                }
            }
            _ => match self.screen {
                Screen::Executions => self.list_key(key, api),
                Screen::Execution => self.detail_key(key, api),
            },
        }
    }

    fn list_key(&mut self, key: Key, api: &dyn ControlApi) {
        match key {
            Key::Char('j') | Key::Down => self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1)),
            Key::Char('k') | Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Char('g') => self.selected = 0,
            Key::Char('G') => self.selected = self.rows.len().saturating_sub(1),
            Key::Enter => {
                if let Some(r) = self.rows.get(self.selected) {
                    let arn = r.arn.clone();
                    match self.load_detail(api, &arn) {
                        Ok(()) => self.screen = Screen::Execution,
                        Err(e) => self.message = Some(e),
                    }
                }
            }
            Key::Char(c @ '0'..='5') => {
                self.status_filter = c.to_digit(10).and_then(|d| STATUSES.get((d as usize).wrapping_sub(1))).copied();
                self.pages.clear();
                self.selected = 0;
                self.refresh(api, self.now);
            }
            Key::Char('o') => {
                self.sort = self.sort.next();
                self.sort.apply(&mut self.rows, self.now);
                self.selected = 0;
            }
            Key::Char('m') => {
                let next = match &self.machine_filter {
                    None => self.machines.first().cloned(),
                    Some(m) => {
                        self.machines.iter().position(|x| x == m).and_then(|i| self.machines.get(i + 1)).cloned()
                    }
                };
                self.machine_filter = next;
                self.pages.clear();
                self.selected = 0;
                self.refresh(api, self.now);
            }
            Key::Char('n') | Key::PageDown if self.next_page.is_some() => {
                self.pages.push(self.next_page.take());
                self.selected = 0;
                self.refresh(api, self.now);
            }
            Key::Char('p') | Key::PageUp if self.pages.pop().is_some() => {
                self.selected = 0;
                self.refresh(api, self.now);
            }
            Key::Esc => {
                self.search.clear();
                self.status_filter = None;
                self.machine_filter = None;
                self.pages.clear();
                self.refresh(api, self.now);
            }
            _ => {}
        }
    }

    fn detail_key(&mut self, key: Key, api: &dyn ControlApi) {
        let Some(d) = self.detail.as_mut() else {
            self.screen = Screen::Executions;
            return;
        };
        match key {
            Key::Esc | Key::Char('h') => {
                self.screen = Screen::Executions;
                self.detail = None;
            }
            Key::Tab => {
                d.pane = if d.pane == Pane::Graph { Pane::History } else { Pane::Graph };
                d.json_scroll = 0;
            }
            Key::Char('j') | Key::Down => {
                match d.pane {
                    Pane::Graph => d.graph_selected = (d.graph_selected + 1).min(d.graph.len().saturating_sub(1)),
                    Pane::History => d.event_selected = (d.event_selected + 1).min(d.history.len().saturating_sub(1)),
                }
                d.json_scroll = 0;
            }
            Key::Char('k') | Key::Up => {
                match d.pane {
                    Pane::Graph => d.graph_selected = d.graph_selected.saturating_sub(1),
                    Pane::History => d.event_selected = d.event_selected.saturating_sub(1),
                }
                d.json_scroll = 0;
            }
            Key::Char('g') | Key::Char('G') => {
                let last = key == Key::Char('G');
                match d.pane {
                    Pane::Graph => d.graph_selected = if last { d.graph.len().saturating_sub(1) } else { 0 },
                    Pane::History => d.event_selected = if last { d.history.len().saturating_sub(1) } else { 0 },
                }
                d.json_scroll = 0;
            }
            Key::Char('J') | Key::PageDown => d.json_scroll = d.json_scroll.saturating_add(5),
            Key::Char('K') | Key::PageUp => d.json_scroll = d.json_scroll.saturating_sub(5),
            Key::Char('w') => {
                let path = std::env::temp_dir().join(format!("stepline-{}.json", short(&d.arn)));
                self.message = Some(match std::fs::write(&path, d.json()) {
                    Ok(()) => format!("written to {}", path.display()),
                    Err(e) => format!("cannot write {}: {e}", path.display()),
                });
            }
            Key::Char('r') => self.refresh(api, self.now),
            _ => {}
        }
    }

    /// Runs a confirmed action; says what happened.
    fn run(&mut self, action: &Action, api: &dyn ControlApi) -> String {
        let r = match action {
            Action::Stop(a) => api
                .call(
                    "StopExecution",
                    &json!({"executionArn": a, "error": "Stepline.Operator", "cause": "stopped from the dashboard"}),
                )
                .map(|_| format!("stopped {}", short(a))),
            Action::Redrive(a) => {
                api.call("RedriveExecution", &json!({"executionArn": a})).map(|_| format!("redrove {}", short(a)))
            }
            Action::Replay(a) => api
                .call("ReplayExecution", &json!({"executionArn": a}))
                .map(|v| format!("replayed {} as {}", short(a), short(v["executionArn"].as_str().unwrap_or("?")))),
        };
        r.unwrap_or_else(|e| format!("failed: {e}"))
    }
}
