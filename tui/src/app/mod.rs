//! The dashboard's state and what each key does. Pure: it reads and acts through a
//! [`ControlApi`] and is drawn by `ui`, so it is tested without a terminal. The one
//! thing it cannot do itself, opening `$EDITOR`, it asks of the terminal layer
//! ([`App::edit`]).

mod actions;
mod detail;
mod list;
mod views;

pub use actions::{Action, Bulk, BulkKind, Edit, EditPurpose};
pub use detail::{Detail, Pane};
pub use list::{SearchJob, Sort, TROUBLE_STEPS};
pub use views::{ActivityRow, MachineRow, TaskRow};

use crate::api::ControlApi;
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
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    None,
    Help,
    /// Typing a search (name, error, cause or failed state).
    Search(String),
    Confirm(Action),
    /// The executions a bulk action would act on, before it is chosen and confirmed.
    BulkPreview(Vec<(String, String)>),
    /// A task waiting for an answer: `s` success or `f` failure, each edited first.
    AnswerTask {
        token: String,
        state: String,
    },
}

/// The last part of an ARN (an execution's name).
pub fn short(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
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

/// `n` and the noun that goes with it: `1 execution`, `2 executions`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
    /// A click at a screen row (the terminal layer knows no more than the position).
    Click {
        row: u16,
    },
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
    /// Text the operator is to edit in `$EDITOR`: taken and answered by the terminal layer.
    pub edit: Option<Edit>,
    pub bulk: Option<Bulk>,
    /// Where every action is recorded, with who and when.
    pub audit_log: Option<PathBuf>,
    /// The result of the last action or the last error, for the status line; said with
    /// [`App::say`], gone [`MESSAGE_SECONDS`] after it was first shown.
    pub message: Option<String>,
    /// When the message was first shown (seconds since the epoch); `None` until then.
    pub message_since: Option<f64>,
    /// The folder of the store and logs, when the dashboard runs beside its engine
    /// (`stepline dev`).
    pub data_dir: Option<PathBuf>,
    pub quit: bool,
    /// Wall clock of the last refresh (seconds since the epoch).
    pub now: f64,
    /// Where the drawn list's first row is and which row it shows, for clicks.
    pub layout: std::cell::Cell<(u16, usize)>,
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
            machine_rows: Vec::new(),
            machine_selected: 0,
            json_scroll: 0,
            json_hscroll: 0,
            activities: Vec::new(),
            tasks: Vec::new(),
            task_selected: 0,
            answered: HashMap::new(),
            edit: None,
            bulk: None,
            audit_log: None,
            message: None,
            message_since: None,
            data_dir: None,
            quit: false,
            now: 0.0,
            layout: std::cell::Cell::new((0, 0)),
        }
    }
}

impl App {
    /// Reads everything the current screen shows (a slow search only when asked).
    pub fn refresh(&mut self, api: &dyn ControlApi, now: f64) {
        self.now = now;
        self.expire(now);
        if let Err(e) = self.load(api, false) {
            self.say(e);
        }
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

    /// Reads again after a key changed what is shown.
    fn reload(&mut self, api: &dyn ControlApi) {
        if let Err(e) = self.load(api, true) {
            self.say(e);
        }
    }

    fn load(&mut self, api: &dyn ControlApi, forced: bool) -> Result<(), String> {
        match self.screen {
            Screen::Executions | Screen::Execution => {
                self.load_list(api, forced)?;
                if let Some(arn) = self.detail.as_ref().map(|d| d.arn.clone()) {
                    self.load_detail(api, &arn)?;
                }
                Ok(())
            }
            Screen::Machines => self.load_machines(api),
            Screen::Workers => self.load_workers(api),
        }
    }

    /// The execution the keys act on: the open one, or the selected row.
    pub fn target(&self) -> Option<String> {
        match self.screen {
            Screen::Execution => self.detail.as_ref().map(|d| d.arn.clone()),
            Screen::Executions => self.rows.get(self.selected).map(|r| r.arn.clone()),
            Screen::Workers => self.tasks.get(self.task_selected).map(|t| t.execution_arn.clone()),
            Screen::Machines => None,
        }
    }

    /// Handles a key; reads and acts through `api`.
    pub fn key(&mut self, key: Key, api: &dyn ControlApi) {
        if self.modal_key(key, api) {
            return;
        }
        match key {
            Key::Char('q') => self.quit = true,
            Key::Char('?') => self.modal = Modal::Help,
            Key::Char('/') => self.modal = Modal::Search(self.search.clone()),
            Key::Char('E') => self.switch(Screen::Executions, api),
            Key::Char('S') => self.switch(Screen::Machines, api),
            Key::Char('W') => self.switch(Screen::Workers, api),
            Key::Char('r') => self.reload(api),
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
            Key::Char('N') => self.new_execution(),
            _ => match self.screen {
                Screen::Executions => self.list_key(key, api),
                Screen::Execution => self.detail_key(key, api),
                Screen::Machines => self.machines_key(key, api),
                Screen::Workers => self.workers_key(key, api),
            },
        }
    }

    fn switch(&mut self, screen: Screen, api: &dyn ControlApi) {
        if screen != Screen::Execution {
            self.detail = None;
        }
        self.screen = screen;
        self.json_scroll = 0;
        self.json_hscroll = 0;
        self.reload(api);
    }

    /// Keys while a modal is open; true when the modal took the key.
    fn modal_key(&mut self, key: Key, api: &dyn ControlApi) -> bool {
        match self.modal.clone() {
            Modal::None => return false,
            Modal::Help => self.modal = Modal::None,
            Modal::Search(mut text) => match key {
                Key::Enter => {
                    self.search = text;
                    self.modal = Modal::None;
                    self.restart_list(api);
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
            },
            Modal::Confirm(action) => {
                self.modal = Modal::None;
                match key {
                    Key::Char('y') | Key::Enter => {
                        let said = self.run(&action, api);
                        self.say(said);
                        self.reload(api);
                    }
                    Key::Char('e') => self.begin_edit(&action, api),
                    _ => self.say("cancelled"),
                }
            }
            Modal::BulkPreview(targets) => {
                self.modal = Modal::None;
                let kind = match key {
                    Key::Char('s') => Some(BulkKind::Stop),
                    Key::Char('R') => Some(BulkKind::Redrive),
                    _ => None,
                };
                match kind {
                    Some(kind) => {
                        self.modal = Modal::Confirm(Action::Bulk(kind, targets.into_iter().map(|t| t.0).collect()))
                    }
                    None => self.say("cancelled"),
                }
            }
            Modal::AnswerTask { token, state } => {
                self.modal = Modal::None;
                match key {
                    Key::Char('s') => {
                        self.edit =
                            Some(Edit { purpose: EditPurpose::TaskSuccess { token, state }, text: "{}\n".into() })
                    }
                    Key::Char('f') => {
                        let text = serde_json::to_string_pretty(
                            &serde_json::json!({"error": "Operator.Failed", "cause": "failed from the dashboard"}),
                        )
                        .unwrap_or_default();
                        self.edit = Some(Edit { purpose: EditPurpose::TaskFailure { token, state }, text })
                    }
                    _ => self.say("cancelled"),
                }
            }
        }
        true
    }
}
