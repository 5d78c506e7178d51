//! The terminal: raw mode, the alternate screen and mouse reporting (restored on exit
//! and on panic), a redraw after every key, a refresh every `refresh`, `$EDITOR` when
//! the dashboard asks for an edit, bulk commands advanced between keys, and the status
//! line's message timed on the wall clock. The effects the state asks for are carried
//! out here and in [`Conn`].

use crate::conn::Conn;
use crate::state::{Action, App, Edit, Effect};
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use stepline_bridge::api::control::ControlApi;

/// The wall clock in seconds, for refresh intervals and elapsed times on screen.
fn now() -> f64 {
    stepline_asl::clock::Clock::now(&stepline_asl::clock::SystemClock) as f64 / 1000.0
}

/// What the dashboard is started with.
pub struct Options {
    pub refresh: Duration,
    /// Where each command is recorded (`None`: not recorded).
    pub audit_log: Option<PathBuf>,
    /// The engine's data folder, shown when the dashboard runs beside it (`stepline dev`).
    pub data_dir: Option<PathBuf>,
}

/// Runs the dashboard until the operator quits.
pub fn run(api: &dyn ControlApi, options: Options) -> std::io::Result<()> {
    let conn = Conn::new(api, options.audit_log);
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let mut app = App { data_dir: options.data_dir, ..App::default() };
    let mut left = conn.dispatch(&mut app, Action::Refresh { now: now() });
    let mut last = Instant::now();
    let result = loop {
        let mut hits = None;
        if let Err(e) = terminal.draw(|f| hits = crate::view::draw(f, &app)) {
            break Err(e);
        }
        if let Some(hits) = hits {
            left.extend(conn.dispatch(&mut app, Action::Drawn(hits)));
        }
        let busy = app.busy();
        let wait = if busy { Duration::ZERO } else { options.refresh.saturating_sub(last.elapsed()) };
        match event::poll(wait) {
            Ok(true) => match event::read() {
                Ok(e) => {
                    if let Some(action) = crate::input::action(&e) {
                        left.extend(conn.dispatch(&mut app, action));
                    }
                }
                Err(e) => break Err(e),
            },
            Ok(false) => {}
            Err(e) => break Err(e),
        }
        let mut quit = false;
        for effect in std::mem::take(&mut left) {
            match effect {
                Effect::Quit => quit = true,
                Effect::Edit(edit) if !quit => {
                    let _ = execute!(std::io::stdout(), DisableMouseCapture);
                    ratatui::restore();
                    let text = edit_text(&edit);
                    terminal = ratatui::init();
                    let _ = execute!(std::io::stdout(), EnableMouseCapture);
                    left.extend(conn.dispatch(&mut app, Action::Edited { edit, text }));
                }
                _ => {}
            }
        }
        if quit {
            break Ok(());
        }
        if busy {
            left.extend(conn.dispatch(&mut app, Action::Tick));
        }
        if last.elapsed() >= options.refresh {
            left.extend(conn.dispatch(&mut app, Action::Refresh { now: now() }));
            last = Instant::now();
        } else {
            left.extend(conn.dispatch(&mut app, Action::Clock { now: now() }));
        }
    };
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// Opens `$VISUAL` or `$EDITOR` (else `vi`) on the text; what was saved, or `None`.
fn edit_text(edit: &Edit) -> Option<String> {
    let path = std::env::temp_dir().join(format!("stepline-edit-{}.json", std::process::id()));
    std::fs::write(&path, &edit.text).ok()?;
    let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).unwrap_or_else(|_| "vi".into());
    // The editor setting may carry arguments (`code --wait`).
    let mut words = editor.split_whitespace();
    let program = words.next()?;
    let status = std::process::Command::new(program).args(words).arg(&path).status().ok()?;
    let text = std::fs::read_to_string(&path).ok();
    let _ = std::fs::remove_file(&path);
    text.filter(|_| status.success())
}
