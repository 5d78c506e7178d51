//! The terminal: raw mode and the alternate screen (restored on exit and on panic), a
//! redraw after every key, and a refresh of the data every `refresh`.

use crate::api::ControlApi;
use crate::app::{App, Key};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
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

/// Runs the dashboard until the operator quits.
pub fn run(api: &dyn ControlApi, refresh: Duration) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let mut app = App::default();
    app.refresh(api, now());
    let mut last = Instant::now();
    let result = loop {
        if let Err(e) = terminal.draw(|f| crate::ui::draw(f, &app)) {
            break Err(e);
        }
        match event::poll(refresh.saturating_sub(last.elapsed())) {
            Ok(true) => match event::read() {
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                    if let Some(k) = key(k) {
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
        if last.elapsed() >= refresh {
            app.refresh(api, now());
            last = Instant::now();
        }
    };
    ratatui::restore();
    result
}
