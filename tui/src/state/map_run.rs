//! The Map Run screen: reading a Map Run and its children, and its keys (move, open a
//! child, failed children only, back to the execution that started it). Stop, redrive
//! and replay act on that execution: redriving it redrives the Map Run.

use super::action::{call, Done, Effect, Key};
use super::app::{App, Screen};
use super::run_view::MapRunView;
use serde_json::json;

impl App {
    /// Opens the Map Run `arn`.
    pub fn open_map_run(&mut self, arn: &str) -> Vec<Effect> {
        self.map_run = Some(MapRunView::new(arn));
        self.load_map_run(Box::new(|app, r| {
            match r {
                Ok(()) => app.screen = Screen::MapRun,
                Err(e) => {
                    app.map_run = None;
                    app.say(e);
                }
            }
            Vec::new()
        }))
    }

    /// Reads the Map Run in view and its children.
    pub(super) fn load_map_run(&mut self, done: Done) -> Vec<Effect> {
        let Some(arn) = self.map_run.as_ref().map(|v| v.arn.clone()) else { return done(self, Ok(())) };
        vec![call("DescribeMapRun", json!({"mapRunArn": arn}), move |app, answer| {
            let run = match answer.result {
                Ok(r) => r,
                Err(e) => return done(app, Err(e)),
            };
            if let Some(v) = app.map_run.as_mut() {
                v.run = run;
            }
            let body = json!({"mapRunArn": arn, "maxResults": super::app::PAGE});
            vec![call("ListExecutions", body, move |app, answer| match answer.result {
                Ok(list) => {
                    if let Some(v) = app.map_run.as_mut() {
                        v.children = list["executions"].as_array().cloned().unwrap_or_default();
                        v.selected = v.selected.min(v.shown().len().saturating_sub(1));
                    }
                    done(app, Ok(()))
                }
                Err(e) => done(app, Err(e)),
            })]
        })]
    }

    pub(super) fn map_run_key(&mut self, key: Key) -> Vec<Effect> {
        let Some(v) = self.map_run.as_mut() else { return Vec::new() };
        let n = v.shown().len();
        match key {
            Key::Char('j') | Key::Down => v.selected = (v.selected + 1).min(n.saturating_sub(1)),
            Key::Char('k') | Key::Up => v.selected = v.selected.saturating_sub(1),
            Key::Char('g') => v.selected = 0,
            Key::Char('G') => v.selected = n.saturating_sub(1),
            Key::Char('f') => {
                v.failed_only = !v.failed_only;
                v.selected = 0;
                let said = if v.failed_only { "only the children that did not succeed" } else { "every child" };
                self.say(said);
            }
            Key::Enter | Key::Char('o') => {
                let child = v.shown().get(v.selected).and_then(|c| c["executionArn"].as_str()).map(str::to_string);
                match child {
                    Some(child) => return self.open(&child),
                    None if v.run["executionCounts"]["total"].as_u64().unwrap_or(0) > 0 => {
                        self.say("its children are EXPRESS executions: they are not kept")
                    }
                    None => self.say("no child execution to open"),
                }
            }
            Key::Esc | Key::Char('u') => {
                let Some(parent) = v.execution_arn().map(str::to_string) else { return Vec::new() };
                self.map_run = None;
                return self.open(&parent);
            }
            _ => {}
        }
        Vec::new()
    }
}
