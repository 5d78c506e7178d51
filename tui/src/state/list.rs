//! The executions list: a page from `ListExecutions`, or from `SearchExecutions` when a
//! search, a trouble filter, a failed state or the oldest-first order reaches over the
//! whole store; exact counts per status; the started-per-second sparkline.

use super::action::{call, Done, Effect, Key};
use super::app::{follow, App, Modal, PAGE, STATUSES};
use super::query::{SearchJob, Sort, BULK_MOST, SCAN_PER_STEP, SEARCH_LIMIT, SLOW_SEARCH, TROUBLE_STEPS};
use crate::model::ExecutionRow;
use serde_json::{json, Value};
use std::time::Duration;

/// The list as it was before a bulk preview read every page: pages, rows, the next page,
/// the selection.
type Saved = (Vec<Option<String>>, Vec<ExecutionRow>, Option<String>, usize);

impl App {
    pub(super) fn load_list(&mut self, forced: bool, done: Done) -> Vec<Effect> {
        vec![call("ListStateMachines", json!({}), move |app, answer| {
            let machines = match answer.result {
                Ok(v) => v,
                Err(e) => return done(app, Err(e)),
            };
            app.machine_arns = machines["stateMachines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| Some((m["name"].as_str()?.to_string(), m["stateMachineArn"].as_str()?.to_string())))
                .collect();
            app.machines = app.machine_arns.keys().cloned().collect();
            app.machines.sort();
            let machine_arn = app.machine_filter.as_ref().and_then(|m| app.machine_arns.get(m)).cloned();
            let mut body = json!({"maxResults": PAGE});
            if let Some(a) = &machine_arn {
                body["stateMachineArn"] = json!(a);
            }
            if let Some(s) = app.status_filter {
                body["statusFilter"] = json!(s);
            }
            if let Some(Some(t)) = app.pages.last() {
                body["nextToken"] = json!(t);
            }
            let old = app.rows.clone();
            let rest: Done = Box::new(move |app, r| match r {
                Ok(()) => app.load_counts(old, machine_arn, done),
                Err(e) => done(app, Err(e)),
            });
            if !app.searching() {
                vec![call("ListExecutions", body, move |app, answer| {
                    let page = match answer.result {
                        Ok(v) => v,
                        Err(e) => return rest(app, Err(e)),
                    };
                    app.rows = page["executions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(ExecutionRow::from_json)
                        .collect();
                    app.next_page = page["nextToken"].as_str().map(str::to_string);
                    app.scanned = None;
                    app.search_slow = false;
                    rest(app, Ok(()))
                })]
            } else if forced || (!app.search_slow && app.search_job.is_none()) {
                app.search_page(body, rest)
            } else {
                rest(app, Ok(()))
            }
        })]
    }

    /// The rest of a list read once its page is in: the order, the selection, the counts
    /// per status and the started-per-second.
    fn load_counts(&mut self, old: Vec<ExecutionRow>, machine_arn: Option<String>, done: Done) -> Vec<Effect> {
        self.sort.apply(&mut self.rows, self.now);
        self.selected = follow(&old, self.selected, &self.rows, |r| &r.arn);
        let mut counts = json!({});
        if let Some(a) = &machine_arn {
            counts["stateMachineArn"] = json!(a);
        }
        vec![call("GetExecutionCounts", counts, move |app, answer| {
            let counts = match answer.result {
                Ok(v) => v,
                Err(e) => return done(app, Err(e)),
            };
            app.counts = STATUSES.iter().map(|s| (*s, counts["counts"][s].as_u64().unwrap_or(0))).collect();
            vec![call("ListExecutions", json!({"maxResults": 1000}), move |app, answer| {
                let recent = answer.result.unwrap_or_default();
                let mut per_second = vec![0u64; 60];
                for e in recent["executions"].as_array().into_iter().flatten() {
                    let age = app.now - e["startDate"].as_f64().unwrap_or(0.0);
                    if (0.0..60.0).contains(&age) {
                        per_second[59 - age as usize] += 1;
                    }
                }
                app.throughput = per_second;
                done(app, Ok(()))
            })]
        })]
    }

    /// Starts filling a page from `SearchExecutions` and takes its first step; the
    /// rest are taken on [`super::Action::Tick`] between keys, so a search over millions
    /// of executions never holds the keyboard.
    fn search_page(&mut self, mut body: Value, done: Done) -> Vec<Effect> {
        if !self.search.is_empty() {
            body["text"] = json!(self.search);
        }
        if let Some(s) = &self.failed_state {
            body["failedState"] = json!(s);
        }
        if let Some(t) = self.trouble {
            body["retrying"] = json!(true);
            body["waitingSeconds"] = json!(t);
            body["statusFilter"] = json!("RUNNING");
        }
        if self.sort == Sort::Oldest {
            body["order"] = json!("OLDEST");
        }
        body["maxScanned"] = json!(SCAN_PER_STEP);
        self.search_job = Some(SearchJob { body, rows: Vec::new(), scanned: 0, took: Duration::ZERO });
        self.search_step(done)
    }

    /// One call of the search under way; when the page is full or the store read to the
    /// end, its rows become the list.
    pub(super) fn search_step(&mut self, done: Done) -> Vec<Effect> {
        let Some(mut job) = self.search_job.take() else { return done(self, Ok(())) };
        let old = self.rows.clone();
        job.body["maxResults"] = json!(PAGE - job.rows.len());
        let body = job.body.clone();
        vec![call("SearchExecutions", body, move |app, answer| {
            let page = match answer.result {
                Ok(v) => v,
                Err(e) => return done(app, Err(e)),
            };
            job.rows.extend(page["executions"].as_array().into_iter().flatten().filter_map(ExecutionRow::from_json));
            job.scanned += page["scanned"].as_u64().unwrap_or(0) as usize;
            job.took += answer.took;
            app.scanned = Some(job.scanned);
            match page["nextToken"].as_str() {
                Some(t) if job.rows.len() < PAGE && job.scanned < SEARCH_LIMIT => {
                    job.body["nextToken"] = json!(t);
                    // What is found so far is shown while the search goes on.
                    app.rows = job.rows.clone();
                    app.search_job = Some(job);
                }
                next => {
                    app.next_page = next.map(str::to_string);
                    app.rows = job.rows;
                    app.search_slow = job.took > SLOW_SEARCH;
                    app.sort.apply(&mut app.rows, app.now);
                }
            }
            app.selected = follow(&old, app.selected, &app.rows, |r| &r.arn);
            done(app, Ok(()))
        })]
    }

    fn open_selected(&mut self) -> Vec<Effect> {
        match self.rows.get(self.selected) {
            Some(r) => {
                let arn = r.arn.clone();
                self.open(&arn)
            }
            None => Vec::new(),
        }
    }

    pub(super) fn list_key(&mut self, key: Key) -> Vec<Effect> {
        let last = self.rows.len().saturating_sub(1);
        match key {
            Key::Char('j') | Key::Down => self.selected = (self.selected + 1).min(last),
            Key::Char('k') | Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Char('g') => self.selected = 0,
            Key::Char('G') => self.selected = last,
            Key::Click { row } => {
                let (top, first) = (self.hits.top, self.hits.first);
                if row >= top {
                    let at = first + (row - top) as usize;
                    if at == self.selected {
                        return self.open_selected();
                    } else if at <= last {
                        self.selected = at;
                    }
                }
            }
            Key::Enter => return self.open_selected(),
            Key::Char(c @ '0'..='5') => {
                self.status_filter = c.to_digit(10).and_then(|d| STATUSES.get((d as usize).wrapping_sub(1))).copied();
                return self.restart_list();
            }
            Key::Char('t') => {
                let at = TROUBLE_STEPS.iter().position(|t| *t == self.trouble).unwrap_or(0);
                self.trouble = TROUBLE_STEPS[(at + 1) % TROUBLE_STEPS.len()];
                return self.restart_list();
            }
            Key::Char('o') => {
                let was_store_wide = matches!(self.sort, Sort::Newest | Sort::Oldest);
                self.sort = self.sort.next();
                if was_store_wide || self.sort == Sort::Newest {
                    return self.restart_list();
                }
                // The page reordered: the selected execution stays selected.
                let old = self.rows.clone();
                self.sort.apply(&mut self.rows, self.now);
                self.selected = follow(&old, self.selected, &self.rows, |r| &r.arn);
            }
            Key::Char('m') => {
                let next = match &self.machine_filter {
                    None => self.machines.first().cloned(),
                    Some(m) => {
                        self.machines.iter().position(|x| x == m).and_then(|i| self.machines.get(i + 1)).cloned()
                    }
                };
                self.machine_filter = next;
                return self.restart_list();
            }
            Key::Char('n') | Key::PageDown if self.next_page.is_some() => {
                self.pages.push(self.next_page.take());
                self.select_the_top();
                return self.reload();
            }
            Key::Char('p') | Key::PageUp if self.pages.pop().is_some() => {
                self.select_the_top();
                return self.reload();
            }
            Key::Char('B') => return self.bulk_preview(),
            Key::Esc => {
                self.search_job = None;
                self.search.clear();
                self.status_filter = None;
                self.machine_filter = None;
                self.failed_state = None;
                self.trouble = None;
                return self.restart_list();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Back to the first page after the filter changed.
    pub(super) fn restart_list(&mut self) -> Vec<Effect> {
        self.pages.clear();
        self.select_the_top();
        self.reload()
    }

    /// Another page or another filter: the selection starts at its first row, not at the
    /// execution selected before.
    fn select_the_top(&mut self) {
        self.rows.clear();
        self.selected = 0;
    }

    /// Every execution the current filter matches (up to [`BULK_MOST`]), for a bulk
    /// command: each page read in turn, then the list put back as it was.
    fn bulk_preview(&mut self) -> Vec<Effect> {
        let saved = (self.pages.clone(), self.rows.clone(), self.next_page.clone(), self.selected);
        self.pages.clear();
        self.bulk_page(Vec::new(), saved)
    }

    fn bulk_page(&mut self, targets: Vec<(String, String)>, saved: Saved) -> Vec<Effect> {
        self.load_list(true, Box::new(move |app, r| app.bulk_read(r, targets, saved)))
    }

    /// A page read for the preview (or a step of its search).
    fn bulk_read(&mut self, r: Result<(), String>, mut targets: Vec<(String, String)>, saved: Saved) -> Vec<Effect> {
        if r.is_ok() && self.search_job.is_some() {
            return self.search_step(Box::new(move |app, r| app.bulk_read(r, targets, saved)));
        }
        if let Err(e) = r {
            self.say(e);
            return self.bulk_shown(targets, saved);
        }
        targets.extend(self.rows.iter().map(|r| (r.arn.clone(), r.status.clone())));
        match self.next_page.take() {
            Some(t) if targets.len() < BULK_MOST => {
                self.pages.push(Some(t));
                self.bulk_page(targets, saved)
            }
            _ => self.bulk_shown(targets, saved),
        }
    }

    fn bulk_shown(&mut self, mut targets: Vec<(String, String)>, saved: Saved) -> Vec<Effect> {
        targets.truncate(BULK_MOST);
        (self.pages, self.rows, self.next_page, self.selected) = saved;
        if targets.is_empty() {
            self.say("no execution matches the filter");
        } else {
            self.modal = Modal::BulkPreview(targets);
        }
        Vec::new()
    }
}
