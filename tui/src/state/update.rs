//! What each action does to the state: the keys every screen shares, the modals, and
//! reading what the current screen shows. The screens' own keys are in their files.

use super::action::{say_error, Action, Done, Effect, Key};
use super::app::{App, Modal, Screen};
use super::command::{BulkKind, Command, Edit, EditPurpose};

impl App {
    /// Changes the state; returns what it asks of the world.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Press(key) => self.on_key(key),
            Action::Refresh { now } => self.on_refresh(now),
            Action::Clock { now } => {
                self.expire(now);
                Vec::new()
            }
            Action::Tick => self.on_tick(),
            Action::Edited { edit, text } => {
                self.edited(edit, text);
                Vec::new()
            }
            Action::Answered { reply, answer } => reply(self, answer),
            Action::Said(text) => {
                self.say(text);
                Vec::new()
            }
            Action::Drawn(hits) => {
                self.hits = hits;
                Vec::new()
            }
        }
    }

    /// Reads everything the current screen shows (a slow search only when asked).
    fn on_refresh(&mut self, now: f64) -> Vec<Effect> {
        self.now = now;
        self.expire(now);
        self.load(false, say_error())
    }

    /// Reads again after a key changed what is shown.
    pub(super) fn reload(&mut self) -> Vec<Effect> {
        self.load(true, say_error())
    }

    fn load(&mut self, forced: bool, done: Done) -> Vec<Effect> {
        match self.screen {
            Screen::Executions | Screen::Execution => self.load_list(
                forced,
                Box::new(move |app, r| {
                    if let Err(e) = r {
                        return done(app, Err(e));
                    }
                    match app.detail.as_ref().map(|d| d.arn.clone()) {
                        Some(arn) => app.load_detail(&arn, done),
                        None => done(app, Ok(())),
                    }
                }),
            ),
            Screen::Machines => self.load_machines(done),
            Screen::Workers => self.load_workers(done),
            Screen::MapRun => self.load_map_run(done),
        }
    }

    /// Handles a key.
    fn on_key(&mut self, key: Key) -> Vec<Effect> {
        if let Some(effects) = self.modal_key(key) {
            return effects;
        }
        match key {
            Key::Char('q') => return vec![Effect::Quit],
            Key::Char('?') => self.modal = Modal::Help,
            Key::Char('/') => self.modal = Modal::Search(self.search.clone()),
            Key::Char('E') => return self.switch(Screen::Executions),
            Key::Char('S') => return self.switch(Screen::Machines),
            Key::Char('W') => return self.switch(Screen::Workers),
            Key::Char('r') => return self.reload(),
            Key::Char('s') => {
                if let Some(a) = self.target() {
                    self.modal = Modal::Confirm(Command::Stop(a));
                }
            }
            Key::Char('R') => {
                if let Some(a) = self.target() {
                    self.modal = Modal::Confirm(Command::Redrive(a));
                }
            }
            Key::Char('P') => {
                if let Some(a) = self.target() {
                    self.modal = Modal::Confirm(Command::Replay(a));
                }
            }
            Key::Char('N') => return self.new_execution(),
            _ => {
                return match self.screen {
                    Screen::Executions => self.list_key(key),
                    Screen::Execution => self.detail_key(key),
                    Screen::Machines => self.machines_key(key),
                    Screen::Workers => self.workers_key(key),
                    Screen::MapRun => self.map_run_key(key),
                }
            }
        }
        Vec::new()
    }

    fn switch(&mut self, screen: Screen) -> Vec<Effect> {
        if screen != Screen::Execution {
            self.detail = None;
        }
        self.map_run = None;
        self.screen = screen;
        self.json_scroll = 0;
        self.json_hscroll = 0;
        self.reload()
    }

    /// Keys while a modal is open; what the key asks for when the modal took it.
    fn modal_key(&mut self, key: Key) -> Option<Vec<Effect>> {
        let mut effects = Vec::new();
        match self.modal.clone() {
            Modal::None => return None,
            Modal::Help => self.modal = Modal::None,
            Modal::Search(mut text) => match key {
                Key::Enter => {
                    self.search = text;
                    self.modal = Modal::None;
                    effects = self.restart_list();
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
                    Key::Char('y') | Key::Enter => effects = self.run(&action),
                    Key::Char('e') => effects = self.begin_edit(&action),
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
                        self.modal = Modal::Confirm(Command::Bulk(kind, targets.into_iter().map(|t| t.0).collect()))
                    }
                    None => self.say("cancelled"),
                }
            }
            Modal::AnswerTask { token, state } => {
                self.modal = Modal::None;
                match key {
                    Key::Char('s') => {
                        let edit = Edit { purpose: EditPurpose::TaskSuccess { token, state }, text: "{}\n".into() };
                        effects.push(Effect::Edit(edit));
                    }
                    Key::Char('f') => {
                        let text = serde_json::to_string_pretty(
                            &serde_json::json!({"error": "Operator.Failed", "cause": "failed from the dashboard"}),
                        )
                        .unwrap_or_default();
                        effects.push(Effect::Edit(Edit { purpose: EditPurpose::TaskFailure { token, state }, text }))
                    }
                    _ => self.say("cancelled"),
                }
            }
        }
        Some(effects)
    }
}
