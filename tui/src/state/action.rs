//! What changes the dashboard's state ([`Action`]) and what a change asks of the world
//! ([`Effect`]). A change of state does no IO: it returns effects, which the terminal
//! layer carries out (`conn.rs`, `run.rs`) and answers with further actions, so every
//! change is tested by feeding actions and reading the state.

use super::app::{App, HitMap};
use super::command::Edit;
use serde_json::Value;
use std::time::Duration;

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

/// A control API call's answer, and how long it took.
#[derive(Debug, Clone)]
pub struct Answer {
    pub result: Result<Value, String>,
    pub took: Duration,
}

/// What to do with a call's answer.
pub type Reply = Box<dyn FnOnce(&mut App, Answer) -> Vec<Effect>>;

/// What to do once a read of several calls is over (or failed).
pub type Done = Box<dyn FnOnce(&mut App, Result<(), String>) -> Vec<Effect>>;

/// Something that changes the state.
pub enum Action {
    /// A key or a click.
    Press(Key),
    /// Read everything the current screen shows; the wall clock is at `now`.
    Refresh { now: f64 },
    /// The wall clock is at `now` (the status line's message times out).
    Clock { now: f64 },
    /// Advance the search or the bulk action under way.
    Tick,
    /// The text back from the editor (`None`: the editor failed or was abandoned).
    Edited { edit: Edit, text: Option<String> },
    /// A call's answer, for the reply the call was made with.
    Answered { reply: Reply, answer: Answer },
    /// A message for the status line (an effect that could not be carried out).
    Said(String),
    /// Where the list was drawn.
    Drawn(HitMap),
}

/// An audit log entry; the terminal layer adds when and who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub operation: String,
    pub target: String,
    /// `ok`, or the error.
    pub outcome: String,
}

/// What a change of state asks of the world.
pub enum Effect {
    /// Call the control API; the answer comes back as [`Action::Answered`].
    Call {
        operation: &'static str,
        body: Value,
        reply: Reply,
    },
    /// Append a line to the audit log.
    AppendAudit(Audit),
    /// Write the text to a file of this name in the temporary folder; say where.
    Save {
        name: String,
        text: String,
    },
    /// Open the text in `$EDITOR`; the text saved comes back as [`Action::Edited`].
    Edit(Edit),
    Quit,
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Call { operation, body, .. } => write!(f, "Call({operation}, {body})"),
            Effect::AppendAudit(a) => write!(f, "AppendAudit({a:?})"),
            Effect::Save { name, .. } => write!(f, "Save({name})"),
            Effect::Edit(e) => write!(f, "Edit({e:?})"),
            Effect::Quit => write!(f, "Quit"),
        }
    }
}

/// A call whose answer goes to `reply`.
pub fn call(
    operation: &'static str,
    body: Value,
    reply: impl FnOnce(&mut App, Answer) -> Vec<Effect> + 'static,
) -> Effect {
    Effect::Call { operation, body, reply: Box::new(reply) }
}

/// The end of a read started by a key or a refresh: an error goes to the status line.
pub fn say_error() -> Done {
    Box::new(|app, r| {
        if let Err(e) = r {
            app.say(e);
        }
        Vec::new()
    })
}
