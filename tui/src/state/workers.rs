//! The workers view: per activity, tasks waiting, the oldest wait, the last heartbeat and
//! results per second; and the oldest waiting tasks.

use super::action::{call, Done, Effect, Key};
use super::app::{follow, App, Modal};
use super::rows::{ActivityRow, TaskRow};
use serde_json::json;

impl App {
    pub(super) fn load_workers(&mut self, done: Done) -> Vec<Effect> {
        vec![call("ListPendingTasks", json!({"maxResults": 200}), move |app, answer| match answer.result {
            Ok(board) => {
                app.show_workers(&board);
                done(app, Ok(()))
            }
            Err(e) => done(app, Err(e)),
        })]
    }

    fn show_workers(&mut self, board: &serde_json::Value) {
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
        self.task_selected = follow(&old, self.task_selected, &self.tasks, |t| &t.token);
    }

    pub(super) fn workers_key(&mut self, key: Key) -> Vec<Effect> {
        let last = self.tasks.len().saturating_sub(1);
        match key {
            Key::Char('j') | Key::Down => self.task_selected = (self.task_selected + 1).min(last),
            Key::Char('k') | Key::Up => self.task_selected = self.task_selected.saturating_sub(1),
            Key::Click { row } => {
                let (top, first) = (self.hits.top, self.hits.first);
                if row >= top && first + ((row - top) as usize) <= last {
                    self.task_selected = first + (row - top) as usize;
                }
            }
            Key::Enter => {
                if let Some(t) = self.tasks.get(self.task_selected) {
                    let arn = t.execution_arn.clone();
                    return self.open(&arn);
                }
            }
            Key::Char('T') => {
                if let Some(t) = self.tasks.get(self.task_selected) {
                    self.modal = Modal::AnswerTask { token: t.token.clone(), state: t.state.clone() };
                }
            }
            _ => {}
        }
        Vec::new()
    }
}
