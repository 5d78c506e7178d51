//! The executions list: a page from `ListExecutions`, or from `SearchExecutions` when a
//! search, a trouble filter, a failed state or the oldest-first order reaches over the
//! whole store; exact counts per status; the started-per-second sparkline.

use super::{App, Key, Modal, PAGE, STATUSES};
use crate::api::ControlApi;
use crate::model::ExecutionRow;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Thresholds `t` cycles through: running executions retrying or waiting longer.
pub const TROUBLE_STEPS: [Option<u64>; 5] = [None, Some(10), Some(60), Some(300), Some(3600)];
/// Records one step of a search reads (about 20 ms over a large store): the keys are
/// answered between steps.
const SCAN_PER_STEP: u64 = 10_000;
/// Records a search reads for one page before it stops and offers the next (`n`).
const SEARCH_LIMIT: usize = 2_000_000;
/// A search slower than this is not repeated on every refresh (`r` repeats it).
const SLOW_SEARCH: Duration = Duration::from_millis(50);

/// A search filling a page, a step at a time.
#[derive(Debug, Clone)]
pub struct SearchJob {
    body: Value,
    rows: Vec<ExecutionRow>,
    pub scanned: usize,
    took: Duration,
}

/// The order of the executions: newest and oldest first over the whole store; longest
/// and by name within the page shown.
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
            Sort::Newest => "newest first",
            Sort::Oldest => "oldest first",
            Sort::Longest => "page by longest",
            Sort::Name => "page by name",
        }
    }

    fn apply(self, rows: &mut [ExecutionRow], now: f64) {
        match self {
            Sort::Newest | Sort::Oldest => {}
            Sort::Longest => rows.sort_by(|a, b| b.duration(now).total_cmp(&a.duration(now))),
            Sort::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        }
    }
}

impl App {
    /// True when the page comes from a search over the store.
    pub fn searching(&self) -> bool {
        !self.search.is_empty() || self.trouble.is_some() || self.failed_state.is_some() || self.sort == Sort::Oldest
    }

    pub(super) fn load_list(&mut self, api: &dyn ControlApi, forced: bool) -> Result<(), String> {
        let machines = api.call("ListStateMachines", &json!({}))?;
        self.machine_arns = machines["stateMachines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| Some((m["name"].as_str()?.to_string(), m["stateMachineArn"].as_str()?.to_string())))
            .collect();
        self.machines = self.machine_arns.keys().cloned().collect();
        self.machines.sort();
        let machine_arn = self.machine_filter.as_ref().and_then(|m| self.machine_arns.get(m)).cloned();
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
        let old = self.rows.clone();
        if !self.searching() {
            let page = api.call("ListExecutions", &body)?;
            self.rows =
                page["executions"].as_array().into_iter().flatten().filter_map(ExecutionRow::from_json).collect();
            self.next_page = page["nextToken"].as_str().map(str::to_string);
            self.scanned = None;
            self.search_slow = false;
        } else if forced || (!self.search_slow && self.search_job.is_none()) {
            self.search_page(api, body)?;
        }
        self.sort.apply(&mut self.rows, self.now);
        self.selected = super::follow(&old, self.selected, &self.rows, |r| &r.arn);
        let mut counts = json!({});
        if let Some(a) = &machine_arn {
            counts["stateMachineArn"] = json!(a);
        }
        let counts = api.call("GetExecutionCounts", &counts)?;
        self.counts = STATUSES.iter().map(|s| (*s, counts["counts"][s].as_u64().unwrap_or(0))).collect();
        let recent = api.call("ListExecutions", &json!({"maxResults": 1000})).unwrap_or_default();
        let mut per_second = vec![0u64; 60];
        for e in recent["executions"].as_array().into_iter().flatten() {
            let age = self.now - e["startDate"].as_f64().unwrap_or(0.0);
            if (0.0..60.0).contains(&age) {
                per_second[59 - age as usize] += 1;
            }
        }
        self.throughput = per_second;
        Ok(())
    }

    /// Starts filling a page from `SearchExecutions` and takes its first step; the
    /// rest are taken by [`App::tick`] between keys, so a search over millions of
    /// executions never holds the keyboard.
    fn search_page(&mut self, api: &dyn ControlApi, mut body: Value) -> Result<(), String> {
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
        self.search_step(api)
    }

    /// One call of the search under way; when the page is full or the store read to the
    /// end, its rows become the list.
    pub(super) fn search_step(&mut self, api: &dyn ControlApi) -> Result<(), String> {
        let Some(mut job) = self.search_job.take() else { return Ok(()) };
        let old = self.rows.clone();
        let started = Instant::now();
        job.body["maxResults"] = json!(PAGE - job.rows.len());
        let page = api.call("SearchExecutions", &job.body)?;
        job.rows.extend(page["executions"].as_array().into_iter().flatten().filter_map(ExecutionRow::from_json));
        job.scanned += page["scanned"].as_u64().unwrap_or(0) as usize;
        job.took += started.elapsed();
        self.scanned = Some(job.scanned);
        match page["nextToken"].as_str() {
            Some(t) if job.rows.len() < PAGE && job.scanned < SEARCH_LIMIT => {
                job.body["nextToken"] = json!(t);
                // What is found so far is shown while the search goes on.
                self.rows = job.rows.clone();
                self.search_job = Some(job);
            }
            next => {
                self.next_page = next.map(str::to_string);
                self.rows = job.rows;
                self.search_slow = job.took > SLOW_SEARCH;
                self.sort.apply(&mut self.rows, self.now);
            }
        }
        self.selected = super::follow(&old, self.selected, &self.rows, |r| &r.arn);
        Ok(())
    }

    fn open_selected(&mut self, api: &dyn ControlApi) {
        if let Some(r) = self.rows.get(self.selected) {
            let arn = r.arn.clone();
            self.open(api, &arn);
        }
    }

    pub(super) fn list_key(&mut self, key: Key, api: &dyn ControlApi) {
        let last = self.rows.len().saturating_sub(1);
        match key {
            Key::Char('j') | Key::Down => self.selected = (self.selected + 1).min(last),
            Key::Char('k') | Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Char('g') => self.selected = 0,
            Key::Char('G') => self.selected = last,
            Key::Click { row } => {
                let (top, first) = self.layout.get();
                if row >= top {
                    let at = first + (row - top) as usize;
                    if at == self.selected {
                        self.open_selected(api);
                    } else if at <= last {
                        self.selected = at;
                    }
                }
            }
            Key::Enter => self.open_selected(api),
            Key::Char(c @ '0'..='5') => {
                self.status_filter = c.to_digit(10).and_then(|d| STATUSES.get((d as usize).wrapping_sub(1))).copied();
                self.restart_list(api);
            }
            Key::Char('t') => {
                let at = TROUBLE_STEPS.iter().position(|t| *t == self.trouble).unwrap_or(0);
                self.trouble = TROUBLE_STEPS[(at + 1) % TROUBLE_STEPS.len()];
                self.restart_list(api);
            }
            Key::Char('o') => {
                let was_store_wide = matches!(self.sort, Sort::Newest | Sort::Oldest);
                self.sort = self.sort.next();
                if was_store_wide || self.sort == Sort::Newest {
                    self.restart_list(api);
                } else {
                    // The page reordered: the selected execution stays selected.
                    let old = self.rows.clone();
                    self.sort.apply(&mut self.rows, self.now);
                    self.selected = super::follow(&old, self.selected, &self.rows, |r| &r.arn);
                }
            }
            Key::Char('m') => {
                let next = match &self.machine_filter {
                    None => self.machines.first().cloned(),
                    Some(m) => {
                        self.machines.iter().position(|x| x == m).and_then(|i| self.machines.get(i + 1)).cloned()
                    }
                };
                self.machine_filter = next;
                self.restart_list(api);
            }
            Key::Char('n') | Key::PageDown if self.next_page.is_some() => {
                self.pages.push(self.next_page.take());
                self.select_the_top();
                self.reload(api);
            }
            Key::Char('p') | Key::PageUp if self.pages.pop().is_some() => {
                self.select_the_top();
                self.reload(api);
            }
            Key::Char('B') => self.bulk_preview(api),
            Key::Esc => {
                self.search_job = None;
                self.search.clear();
                self.status_filter = None;
                self.machine_filter = None;
                self.failed_state = None;
                self.trouble = None;
                self.restart_list(api);
            }
            _ => {}
        }
    }

    /// Back to the first page after the filter changed.
    pub(super) fn restart_list(&mut self, api: &dyn ControlApi) {
        self.pages.clear();
        self.select_the_top();
        self.reload(api);
    }

    /// Another page or another filter: the selection starts at its first row, not at the
    /// execution selected before.
    fn select_the_top(&mut self) {
        self.rows.clear();
        self.selected = 0;
    }

    /// Every execution the current filter matches (up to 1,000), for a bulk action.
    fn bulk_preview(&mut self, api: &dyn ControlApi) {
        const MOST: usize = 1000;
        let mut targets: Vec<(String, String)> = Vec::new();
        let saved = (self.pages.clone(), self.rows.clone(), self.next_page.clone(), self.selected);
        self.pages.clear();
        loop {
            let mut loaded = self.load_list(api, true);
            while loaded.is_ok() && self.search_job.is_some() {
                loaded = self.search_step(api);
            }
            if let Err(e) = loaded {
                self.say(e);
                break;
            }
            targets.extend(self.rows.iter().map(|r| (r.arn.clone(), r.status.clone())));
            match self.next_page.take() {
                Some(t) if targets.len() < MOST => self.pages.push(Some(t)),
                _ => break,
            }
        }
        targets.truncate(MOST);
        (self.pages, self.rows, self.next_page, self.selected) = saved;
        if targets.is_empty() {
            self.say("no execution matches the filter");
        } else {
            self.modal = Modal::BulkPreview(targets);
        }
    }
}
