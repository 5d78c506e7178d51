//! The terminal: raw mode, the alternate screen and mouse reporting (restored on exit
//! and on panic), a redraw after every key, a refresh every `refresh`, `$EDITOR` when
//! the dashboard asks for an edit, bulk actions advanced between keys, and the status
//! line's message timed on the wall clock.

use crate::api::ControlApi;
use crate::app::{App, Edit, Key};
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton,
    MouseEventKind,
};
use ratatui::crossterm::execute;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// A terminal key as the dashboard's; `None` for keys it does not use.
pub fn key(k: KeyEvent) -> Option<Key> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return Some(Key::Char('q'));
    }
    Some(match k.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Tab => Key::Tab,
        KeyCode::Left => Key::Esc,
        KeyCode::Right => Key::Enter,
        _ => return None,
    })
}

/// A mouse event as a key: a left click selects (a second click opens), the wheel moves.
fn mouse(kind: MouseEventKind, row: u16) -> Option<Key> {
    match kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Key::Click { row }),
        MouseEventKind::ScrollDown => Some(Key::Down),
        MouseEventKind::ScrollUp => Some(Key::Up),
        _ => None,
    }
}

/// What the dashboard is started with.
pub struct Options {
    pub refresh: Duration,
    /// Where each action is recorded (`None`: not recorded).
    pub audit_log: Option<PathBuf>,
    /// The engine's data folder, shown when the dashboard runs beside it (`stepline dev`).
    pub data_dir: Option<PathBuf>,
}

/// Runs the dashboard until the operator quits.
pub fn run(api: &dyn ControlApi, options: Options) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let mut app = App { audit_log: options.audit_log, data_dir: options.data_dir, ..App::default() };
    app.refresh(api, now());
    let mut last = Instant::now();
    let result = loop {
        if let Err(e) = terminal.draw(|f| crate::ui::draw(f, &app)) {
            break Err(e);
        }
        let busy = app.bulk.is_some() || app.search_job.is_some();
        let wait = if busy { Duration::ZERO } else { options.refresh.saturating_sub(last.elapsed()) };
        match event::poll(wait) {
            Ok(true) => match event::read() {
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                    if let Some(k) = key(k) {
                        app.key(k, api);
                    }
                }
                Ok(Event::Mouse(m)) => {
                    if let Some(k) = mouse(m.kind, m.row) {
                        app.key(k, api);
                    }
                }
                Ok(_) => {}
                Err(e) => break Err(e),
            },
            Ok(false) => {}
            Err(e) => break Err(e),
        }
        if app.quit {
            break Ok(());
        }
        if let Some(edit) = app.edit.take() {
            let _ = execute!(std::io::stdout(), DisableMouseCapture);
            ratatui::restore();
            let text = edit_text(&edit);
            terminal = ratatui::init();
            let _ = execute!(std::io::stdout(), EnableMouseCapture);
            app.edited(edit, text);
        }
        if busy {
            app.tick(api);
        }
        if last.elapsed() >= options.refresh {
            app.refresh(api, now());
            last = Instant::now();
        } else {
            app.expire(now());
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
