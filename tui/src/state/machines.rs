//! The state machines view's reads and keys: definitions, versions, executions per status.

use super::action::{call, Done, Effect, Key};
use super::app::{follow, App, Screen, SIDEWAYS, STATUSES};
use super::rows::MachineRow;
use serde_json::{json, Value};

/// Most machines described on a refresh (each is one call).
const MOST_MACHINES: usize = 200;

impl App {
    pub(super) fn load_machines(&mut self, done: Done) -> Vec<Effect> {
        vec![call("ListStateMachines", json!({}), move |app, answer| {
            let list = match answer.result {
                Ok(v) => v,
                Err(e) => return done(app, Err(e)),
            };
            vec![call("GetExecutionCounts", json!({}), move |app, answer| {
                let counts = match answer.result {
                    Ok(v) => v,
                    Err(e) => return done(app, Err(e)),
                };
                let machines: Vec<Value> =
                    list["stateMachines"].as_array().into_iter().flatten().take(MOST_MACHINES).cloned().collect();
                app.describe_machines(machines.into_iter(), counts, Vec::new(), done)
            })]
        })]
    }

    /// Describes each machine listed in turn (its version and definition).
    fn describe_machines(
        &mut self,
        mut left: std::vec::IntoIter<Value>,
        counts: Value,
        mut rows: Vec<MachineRow>,
        done: Done,
    ) -> Vec<Effect> {
        let Some(m) = left.next() else {
            self.show_machines(rows);
            return done(self, Ok(()));
        };
        let arn = m["stateMachineArn"].as_str().unwrap_or_default().to_string();
        vec![call("DescribeStateMachine", json!({"stateMachineArn": arn}), move |app, answer| {
            let described = answer.result.unwrap_or_default();
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
            app.describe_machines(left, counts, rows, done)
        })]
    }

    fn show_machines(&mut self, mut rows: Vec<MachineRow>) {
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        let old = std::mem::replace(&mut self.machine_rows, rows);
        let was = old.get(self.machine_selected).map(|m| m.arn.clone());
        self.machine_selected = follow(&old, self.machine_selected, &self.machine_rows, |m| &m.arn);
        // Another machine's definition starts at its top.
        if self.machine_rows.get(self.machine_selected).map(|m| &m.arn) != was.as_ref() {
            self.json_scroll = 0;
            self.json_hscroll = 0;
        }
    }

    pub(super) fn machines_key(&mut self, key: Key) -> Vec<Effect> {
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
                let (top, first) = (self.hits.top, self.hits.first);
                if row >= top && first + ((row - top) as usize) <= last {
                    self.machine_selected = first + (row - top) as usize;
                }
            }
            Key::Char('J') | Key::PageDown => self.json_scroll = self.json_scroll.saturating_add(5),
            Key::Char('K') | Key::PageUp => self.json_scroll = self.json_scroll.saturating_sub(5),
            Key::Char('>') => self.json_hscroll = self.json_hscroll.saturating_add(SIDEWAYS),
            Key::Char('<') => self.json_hscroll = self.json_hscroll.saturating_sub(SIDEWAYS),
            Key::Enter => {
                if let Some(m) = self.machine_rows.get(self.machine_selected) {
                    self.machine_filter = Some(m.name.clone());
                    self.status_filter = None;
                    self.screen = Screen::Executions;
                    return self.restart_list();
                }
            }
            _ => {}
        }
        Vec::new()
    }
}
