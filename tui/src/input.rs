//! The terminal's events as the dashboard's actions: keys (Ctrl-C quits, arrows move,
//! left and right go back and open) and the mouse (a left click selects, a second click
//! opens; the wheel moves).

use crate::state::{Action, Key};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind};

/// The action of a terminal event; `None` for events the dashboard does not use.
pub fn action(event: &Event) -> Option<Action> {
    let key = match event {
        Event::Key(k) if k.kind == KeyEventKind::Press => key(*k)?,
        Event::Mouse(m) => mouse(m.kind, m.row)?,
        _ => return None,
    };
    Some(Action::Press(key))
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
