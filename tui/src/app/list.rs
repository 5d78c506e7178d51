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
/// Records one search call reads; a page is filled with as many calls as fit in
/// [`SEARCH_BUDGET`].
const SCAN_PER_CALL: u64 = 50_000;
const SEARCH_BUDGET: Duration = Duration::from_millis(300);
/// A search slower than this is not repeated on every refresh.
const SLOW_SEARCH: Duration = Duration::from_millis(50);

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
        if !self.searching() {
            let page = api.call("ListExecutions", &body)?;
            self.rows =
                page["executions"].as_array().into_iter().flatten().filter_map(ExecutionRow::from_json).collect();
            self.next_page = page["nextToken"].as_str().map(str::to_string);
            self.scanned = None;
            self.search_slow = false;
        } else if forced || !self.search_slow {
            self.search_page(api, body)?;
        }
        self.sort.apply(&mut self.rows, self.now);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
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

    /// Fills a page from `SearchExecutions`, calling again while the page is short, the
    /// store has more and the time budget lasts.
    fn search_page(&mut self, api: &dyn ControlApi, mut body: Value) -> Result<(), String> {
        let started = Instant::now();
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
        body["maxScanned"] = json!(SCAN_PER_CALL);
        let mut rows = Vec::new();
        let mut scanned = 0;
        let next = loop {
            body["maxResults"] = json!(PAGE - rows.len());
            let page = api.call("SearchExecutions", &body)?;
            rows.extend(page["executions"].as_array().into_iter().flatten().filter_map(ExecutionRow::from_json));
            scanned += page["scanned"].as_u64().unwrap_or(0) as usize;
            match page["nextToken"].as_str() {
                Some(t) if rows.len() < PAGE && started.elapsed() < SEARCH_BUDGET => body["nextToken"] = json!(t),
                other => break other.map(str::to_string),
            }
        };
        self.rows = rows;
        self.next_page = next;
        self.scanned = Some(scanned);
        self.search_slow = started.elapsed() > SLOW_SEARCH;
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
                    self.sort.apply(&mut self.rows, self.now);
                    self.selected = 0;
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
                self.selected = 0;
                self.reload(api);
            }
            Key::Char('p') | Key::PageUp if self.pages.pop().is_some() => {
                self.selected = 0;
                self.reload(api);
            }
            Key::Char('B') => self.bulk_preview(api),
            Key::Esc => {
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
        self.selected = 0;
        self.reload(api);
    }

    /// Every execution the current filter matches (up to 1,000), for a bulk action.
    fn bulk_preview(&mut self, api: &dyn ControlApi) {
        const MOST: usize = 1000;
        let mut targets: Vec<(String, String)> = Vec::new();
        let saved = (self.pages.clone(), self.rows.clone(), self.next_page.clone(), self.selected);
        self.pages.clear();
        loop {
            if let Err(e) = self.load_list(api, true) {
                self.message = Some(e);
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
            self.message = Some("no execution matches the filter".into());
        } else {
            self.modal = Modal::BulkPreview(targets);
        }
    }
}
