//! The state machines view (definitions, versions, executions per status) and the
//! workers view (per activity: tasks waiting, the oldest wait, the last heartbeat,
//! results per second; and the oldest waiting tasks).

use super::{App, Key, Modal, STATUSES};
use crate::api::ControlApi;
use serde_json::{json, Value};

/// Most machines described on a refresh (each is one call).
const MOST_MACHINES: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct MachineRow {
    pub arn: String,
    pub name: String,
    pub kind: String,
    /// The definition's version (`revisionId`).
    pub version: String,
    pub created: f64,
    /// Executions per status, in the order of [`STATUSES`].
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

impl App {
    pub(super) fn load_machines(&mut self, api: &dyn ControlApi) -> Result<(), String> {
        let list = api.call("ListStateMachines", &json!({}))?;
        let counts = api.call("GetExecutionCounts", &json!({}))?;
        let mut rows = Vec::new();
        for m in list["stateMachines"].as_array().into_iter().flatten().take(MOST_MACHINES) {
            let arn = m["stateMachineArn"].as_str().unwrap_or_default().to_string();
            let described = api.call("DescribeStateMachine", &json!({"stateMachineArn": arn})).unwrap_or_default();
            let of = counts["stateMachines"].as_array().into_iter().flatten().find(|c| c["stateMachineArn"] == arn);
            let mut n = [0u64; 5];
            for (i, s) in STATUSES.iter().enumerate() {
                n[i] = of.and_then(|c| c["counts"][s].as_u64()).unwrap_or(0);
            }
            rows.push(MachineRow {
                name: m["name"].as_str().unwrap_or_default().to_string(),
                kind: m["type"].as_str().unwrap_or_default().to_string(),
                version: described["revisionId"].as_str().unwrap_or("?").to_string(),
                created: m["creationDate"].as_f64().unwrap_or(0.0),
                counts: n,
                definition: described["definition"]
                    .as_str()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or(Value::Null),
                arn,
            });
        }
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        let old = std::mem::replace(&mut self.machine_rows, rows);
        let was = old.get(self.machine_selected).map(|m| m.arn.clone());
        self.machine_selected = super::follow(&old, self.machine_selected, &self.machine_rows, |m| &m.arn);
        // Another machine's definition starts at its top.
        if self.machine_rows.get(self.machine_selected).map(|m| &m.arn) != was.as_ref() {
            self.json_scroll = 0;
            self.json_hscroll = 0;
        }
        Ok(())
    }

    pub(super) fn machines_key(&mut self, key: Key, api: &dyn ControlApi) {
        let last = self.machine_rows.len().saturating_sub(1);
        match key {
            Key::Char('j') | Key::Down => {
                self.machine_selected = (self.machine_selected + 1).min(last);
                self.json_scroll = 0;
                self.json_hscroll = 0;
            }
            Key::Char('k') | Key::Up => {
                self.machine_selected = self.machine_selected.saturating_sub(1);
                self.json_scroll = 0;
                self.json_hscroll = 0;
            }
            Key::Click { row } => {
                let (top, first) = self.layout.get();
                if row >= top && first + ((row - top) as usize) <= last {
                    self.machine_selected = first + (row - top) as usize;
                }
            }
            Key::Char('J') | Key::PageDown => self.json_scroll = self.json_scroll.saturating_add(5),
            Key::Char('K') | Key::PageUp => self.json_scroll = self.json_scroll.saturating_sub(5),
            Key::Char('>') => self.json_hscroll = self.json_hscroll.saturating_add(super::SIDEWAYS),
            Key::Char('<') => self.json_hscroll = self.json_hscroll.saturating_sub(super::SIDEWAYS),
            Key::Enter => {
                if let Some(m) = self.machine_rows.get(self.machine_selected) {
                    self.machine_filter = Some(m.name.clone());
                    self.status_filter = None;
                    self.screen = super::Screen::Executions;
                    self.restart_list(api);
                }
            }
            _ => {}
        }
    }

    pub(super) fn load_workers(&mut self, api: &dyn ControlApi) -> Result<(), String> {
        let board = api.call("ListPendingTasks", &json!({"maxResults": 200}))?;
        let now = self.now;
        self.activities = board["activities"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let name = a["activity"].as_str().unwrap_or_default().to_string();
                let answered = a["answered"].as_u64().unwrap_or(0);
                let rate = match self.answered.get(&name) {
                    Some((before, at)) if now > *at => answered.saturating_sub(*before) as f64 / (now - at),
                    _ => 0.0,
                };
                self.answered.insert(name.clone(), (answered, now));
                ActivityRow {
                    activity: name,
                    pending: a["pending"].as_u64().unwrap_or(0),
                    oldest: a["oldestScheduledDate"].as_f64(),
                    last_heartbeat: a["lastHeartbeatDate"].as_f64(),
                    answered,
                    rate,
                }
            })
            .collect();
        let old = std::mem::take(&mut self.tasks);
        self.tasks = board["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| TaskRow {
                token: t["taskToken"].as_str().unwrap_or_default().to_string(),
                activity: t["activity"].as_str().unwrap_or_default().to_string(),
                execution_arn: t["executionArn"].as_str().unwrap_or_default().to_string(),
                state: t["stateName"].as_str().unwrap_or_default().to_string(),
                scheduled: t["scheduledDate"].as_f64().unwrap_or(0.0),
                heartbeat: t["heartbeatDate"].as_f64(),
                retry: t["retryCount"].as_u64().unwrap_or(0),
                callback: t["waitForTaskToken"] == true,
            })
            .collect();
        self.task_selected = super::follow(&old, self.task_selected, &self.tasks, |t| &t.token);
        Ok(())
    }

    pub(super) fn workers_key(&mut self, key: Key, api: &dyn ControlApi) {
        let last = self.tasks.len().saturating_sub(1);
        match key {
            Key::Char('j') | Key::Down => self.task_selected = (self.task_selected + 1).min(last),
            Key::Char('k') | Key::Up => self.task_selected = self.task_selected.saturating_sub(1),
            Key::Click { row } => {
                let (top, first) = self.layout.get();
                if row >= top && first + ((row - top) as usize) <= last {
                    self.task_selected = first + (row - top) as usize;
                }
            }
            Key::Enter => {
                if let Some(t) = self.tasks.get(self.task_selected) {
                    let arn = t.execution_arn.clone();
                    self.open(api, &arn);
                }
            }
            Key::Char('T') => {
                if let Some(t) = self.tasks.get(self.task_selected) {
                    self.modal = Modal::AnswerTask { token: t.token.clone(), state: t.state.clone() };
                }
            }
            _ => {}
        }
    }
}
