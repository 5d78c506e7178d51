//! The dashboard's state: the screen and modal shown, what was read for each screen, the
//! filters, the status line's message, and where the list was drawn.

use super::command::{Bulk, Command};
use super::execution::Detail;
use super::query::{SearchJob, Sort};
use super::rows::{ActivityRow, MachineRow, TaskRow};
use crate::model::ExecutionRow;
use std::collections::HashMap;
use std::path::PathBuf;

/// Statuses the list can be filtered by, on keys 1 to 5 (0 shows every status).
pub const STATUSES: [&str; 5] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

/// Seconds a message stays in the status line.
pub const MESSAGE_SECONDS: f64 = 6.0;

/// Columns `<` and `>` scroll a JSON pane sideways.
pub const SIDEWAYS: u16 = 8;

/// Rows per page of the executions list.
pub const PAGE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Executions,
    Execution,
    Machines,
    Workers,
    /// A Distributed Map's Map Run: its progress and its children.
    MapRun,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    None,
    Help,
    /// Typing a search (name, error, cause or failed state).
    Search(String),
    Confirm(Command),
    /// The executions a bulk action would act on, before it is chosen and confirmed.
    BulkPreview(Vec<(String, String)>),
    /// A task waiting for an answer: `s` success or `f` failure, each edited first.
    AnswerTask {
        token: String,
        state: String,
    },
}

/// Where a list's selection goes when the list is read again: to the same item (by its
/// key: an execution's ARN, a machine's ARN, a task's token) when it is still listed;
/// else to the nearest of its old neighbours still listed, those below it first (as when
/// a row is removed); else to the same position. New rows arriving above it, or rows
/// leaving, never move the selection to another item.
pub fn follow<T>(old: &[T], selected: usize, new: &[T], key: impl Fn(&T) -> &str) -> usize {
    let last = new.len().saturating_sub(1);
    if selected >= old.len() {
        return selected.min(last);
    }
    let at = |item: &T| new.iter().position(|n| key(n) == key(item));
    old[selected..].iter().chain(old[..selected].iter().rev()).find_map(at).unwrap_or(selected.min(last))
}

/// Where the drawn list's first row is on the screen and which row it shows, for clicks:
/// what drawing tells the state, through the run loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HitMap {
    pub top: u16,
    pub first: usize,
}

pub struct App {
    pub screen: Screen,
    pub modal: Modal,
    pub rows: Vec<ExecutionRow>,
    pub selected: usize,
    pub status_filter: Option<&'static str>,
    /// Machine names seen, to cycle through with `m`; `None` is every machine.
    pub machines: Vec<String>,
    /// Machine name to ARN.
    pub machine_arns: HashMap<String, String>,
    pub machine_filter: Option<String>,
    /// Applied search text (names, error, cause, failed state) over the whole store.
    pub search: String,
    /// Executions that failed in this state only (`f` on a state).
    pub failed_state: Option<String>,
    /// Running executions retrying, or waiting longer than this many seconds (`t`).
    pub trouble: Option<u64>,
    /// Records the last search read, when the page came from a search.
    pub scanned: Option<usize>,
    /// The last search took long enough that it is repeated only on request (`r`).
    pub search_slow: bool,
    /// A search under way (a step per tick).
    pub search_job: Option<SearchJob>,
    pub sort: Sort,
    /// Count per status (exact).
    pub counts: Vec<(&'static str, u64)>,
    /// Executions started in each of the last 60 seconds.
    pub throughput: Vec<u64>,
    /// Page tokens of the pages before this one, and the next page's.
    pub pages: Vec<Option<String>>,
    pub next_page: Option<String>,
    pub detail: Option<Detail>,
    /// The Map Run open on [`Screen::MapRun`].
    pub map_run: Option<super::run_view::MapRunView>,
    pub machine_rows: Vec<MachineRow>,
    pub machine_selected: usize,
    pub json_scroll: u16,
    /// Columns of the definition scrolled past on the left (`<` `>`).
    pub json_hscroll: u16,
    pub activities: Vec<ActivityRow>,
    pub tasks: Vec<TaskRow>,
    pub task_selected: usize,
    /// Answers counted per activity at the last refresh, to tell results per second.
    pub answered: HashMap<String, (u64, f64)>,
    pub bulk: Option<Bulk>,
    /// The result of the last action or the last error, for the status line; said with
    /// [`App::say`], gone [`MESSAGE_SECONDS`] after it was first shown.
    pub message: Option<String>,
    /// When the message was first shown (seconds since the epoch); `None` until then.
    pub message_since: Option<f64>,
    /// The folder of the store and logs, when the dashboard runs beside its engine
    /// (`stepline dev`).
    pub data_dir: Option<PathBuf>,
    /// Wall clock of the last refresh (seconds since the epoch).
    pub now: f64,
    /// Where the list was last drawn, for clicks.
    pub hits: HitMap,
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
            machine_arns: HashMap::new(),
            machine_filter: None,
            search: String::new(),
            failed_state: None,
            trouble: None,
            scanned: None,
            search_slow: false,
            search_job: None,
            sort: Sort::Newest,
            counts: Vec::new(),
            throughput: Vec::new(),
            pages: Vec::new(),
            next_page: None,
            detail: None,
            map_run: None,
            machine_rows: Vec::new(),
            machine_selected: 0,
            json_scroll: 0,
            json_hscroll: 0,
            activities: Vec::new(),
            tasks: Vec::new(),
            task_selected: 0,
            answered: HashMap::new(),
            bulk: None,
            message: None,
            message_since: None,
            data_dir: None,
            now: 0.0,
            hits: HitMap::default(),
        }
    }
}

impl App {
    /// True while a search or a bulk action is under way (ticked without waiting).
    pub fn busy(&self) -> bool {
        self.bulk.is_some() || self.search_job.is_some()
    }

    /// Puts a message in the status line, for [`MESSAGE_SECONDS`] from when it is shown.
    pub fn say(&mut self, text: impl Into<String>) {
        self.message = Some(text.into());
        self.message_since = None;
    }

    /// The clock has reached `now`: a message shown since [`MESSAGE_SECONDS`] goes; one
    /// not shown yet starts its time. The terminal layer calls it after every key and
    /// every refresh.
    pub fn expire(&mut self, now: f64) {
        if self.message.is_none() {
            self.message_since = None;
            return;
        }
        match self.message_since {
            None => self.message_since = Some(now),
            Some(since) if now - since >= MESSAGE_SECONDS => {
                self.message = None;
                self.message_since = None;
            }
            Some(_) => {}
        }
    }

    /// The execution the keys act on: the open one, or the selected row.
    pub fn target(&self) -> Option<String> {
        match self.screen {
            Screen::Execution => self.detail.as_ref().map(|d| d.arn.clone()),
            Screen::Executions => self.rows.get(self.selected).map(|r| r.arn.clone()),
            Screen::Workers => self.tasks.get(self.task_selected).map(|t| t.execution_arn.clone()),
            Screen::MapRun => self.map_run.as_ref().and_then(|v| v.execution_arn().map(str::to_string)),
            Screen::Machines => None,
        }
    }
}

impl App {
    /// True when the page comes from a search over the store.
    pub fn searching(&self) -> bool {
        !self.search.is_empty() || self.trouble.is_some() || self.failed_state.is_some() || self.sort == Sort::Oldest
    }
}
