//! Carries out what the dashboard's state asks for, but for the terminal's part: control
//! API calls (each answer fed back as an action), audit log lines stamped with when and
//! who, and files saved. It owns the API, the wall clock the audit reads, the operator's
//! identity (`$USER` and the host's name) and the audit file.

use crate::state::{Action, Answer, App, Audit, Effect};
use serde_json::json;
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use stepline_bridge::api::control::ControlApi;

/// The dashboard's link to the world.
pub struct Conn<'a> {
    api: &'a dyn ControlApi,
    /// Where every command is recorded, with who and when (`None`: not recorded).
    audit_log: Option<PathBuf>,
    operator: String,
}

impl<'a> Conn<'a> {
    pub fn new(api: &'a dyn ControlApi, audit_log: Option<PathBuf>) -> Conn<'a> {
        Conn { api, audit_log, operator: operator() }
    }

    /// Feeds `action` to the state and carries out every effect that follows, in the
    /// order asked (what an answer leads to before what was asked after the call); returns
    /// those only the terminal can carry out (an edit, quitting).
    pub fn dispatch(&self, app: &mut App, action: Action) -> Vec<Effect> {
        let mut queue: VecDeque<Effect> = app.update(action).into();
        let mut left = Vec::new();
        while let Some(effect) = queue.pop_front() {
            let more = match effect {
                Effect::Call { operation, body, reply } => {
                    let started = Instant::now();
                    let result = self.api.call(operation, &body);
                    let answer = Answer { result, took: started.elapsed() };
                    app.update(Action::Answered { reply, answer })
                }
                Effect::AppendAudit(entry) => match self.audit(&entry) {
                    Ok(()) => Vec::new(),
                    Err(said) => app.update(Action::Said(said)),
                },
                Effect::Save { name, text } => app.update(Action::Said(save(&name, &text))),
                other => {
                    left.push(other);
                    Vec::new()
                }
            };
            for e in more.into_iter().rev() {
                queue.push_front(e);
            }
        }
        left
    }

    /// Appends one line to the audit log: time, operator, operation, target, outcome.
    fn audit(&self, entry: &Audit) -> Result<(), String> {
        let Some(path) = &self.audit_log else { return Ok(()) };
        let now =
            stepline_asl::time::format_timestamp(stepline_asl::clock::Clock::now(&stepline_asl::clock::SystemClock));
        let line = json!({
            "time": now,
            "operator": self.operator,
            "operation": entry.operation,
            "target": entry.target,
            "outcome": entry.outcome,
        });
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| format!("cannot write the audit log {}: {e}", path.display()))
    }
}

/// Writes `text` to the temporary folder; says where, or why not.
fn save(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(name);
    match std::fs::write(&path, text) {
        Ok(()) => format!("written to {}", path.display()),
        Err(e) => format!("cannot write {}: {e}", path.display()),
    }
}

/// Who is at the keyboard, for the audit log.
fn operator() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}
