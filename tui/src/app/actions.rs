//! The operator's actions: each confirmed, run through the control API, and written to
//! the audit log (who, when, what, on which execution, with what outcome). Bulk actions
//! run a few executions per tick so the screen shows their progress.

use super::{count, short, App, Modal};
use crate::api::ControlApi;
use serde_json::{json, Value};
use std::io::Write;

/// An operator action; each is confirmed before it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Stop(String),
    Redrive(String),
    Replay(String),
    Start { machine_arn: String, input: Value },
    TaskSuccess { token: String, state: String, output: Value },
    TaskFailure { token: String, state: String, error: String, cause: String },
    Bulk(BulkKind, Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkKind {
    Stop,
    Redrive,
}

impl BulkKind {
    fn verb(self) -> &'static str {
        match self {
            BulkKind::Stop => "stop",
            BulkKind::Redrive => "redrive",
        }
    }
}

/// A bulk action under way.
#[derive(Debug, Clone, PartialEq)]
pub struct Bulk {
    pub kind: BulkKind,
    pub targets: Vec<String>,
    pub done: usize,
    pub failed: usize,
}

/// Text for the operator to edit in `$EDITOR`, and what it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub purpose: EditPurpose,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EditPurpose {
    /// The input of a new execution (also a replay with an edited input).
    Start { machine_arn: String },
    /// A task's output.
    TaskSuccess { token: String, state: String },
    /// `{"error": ..., "cause": ...}` for a task.
    TaskFailure { token: String, state: String },
}

/// Executions a bulk action handles per tick.
const BULK_PER_TICK: usize = 20;

impl Action {
    pub fn describe(&self) -> String {
        match self {
            Action::Stop(a) => format!("Stop {}?", short(a)),
            Action::Redrive(a) => format!("Redrive {} from where it failed?", short(a)),
            Action::Replay(a) => {
                format!("Start a new execution of {} with the same input? (e: edit it first)", short(a))
            }
            Action::Start { machine_arn, input } => {
                format!("Start {} with input {}? (e: edit again)", short(machine_arn), clip(&input.to_string()))
            }
            Action::TaskSuccess { state, output, .. } => {
                format!("Answer the task of {state} with success, output {}?", clip(&output.to_string()))
            }
            Action::TaskFailure { state, error, cause, .. } => {
                format!("Fail the task of {state} with {error}: {}?", clip(cause))
            }
            Action::Bulk(kind, targets) => match targets.len() {
                1 => format!("{} the execution listed?", capital(kind.verb())),
                n => format!("{} all {n} executions listed?", capital(kind.verb())),
            },
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
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

impl App {
    /// Appends one line to the audit log: time, operator, operation, target, outcome.
    fn audit(&mut self, operation: &str, target: &str, outcome: &Result<String, String>) {
        let Some(path) = &self.audit_log else { return };
        let now = stepline_core::time::format_timestamp(stepline_core::time::now_millis());
        let line = json!({
            "time": now,
            "operator": operator(),
            "operation": operation,
            "target": target,
            "outcome": match outcome { Ok(_) => "ok".to_string(), Err(e) => e.clone() },
        });
        let written =
            std::fs::OpenOptions::new().create(true).append(true).open(path).and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = written {
            self.say(format!("cannot write the audit log {}: {e}", path.display()));
        }
    }

    /// Runs one operation on one target, audited.
    fn act(&mut self, api: &dyn ControlApi, operation: &str, target: &str, body: Value) -> Result<Value, String> {
        let r = api.call(operation, &body);
        let outcome = r.as_ref().map(|_| String::new()).map_err(Clone::clone);
        self.audit(operation, target, &outcome);
        r
    }

    /// Runs a confirmed action; says what happened.
    pub(super) fn run(&mut self, action: &Action, api: &dyn ControlApi) -> String {
        let r = match action {
            Action::Stop(a) => self.stop(api, a).map(|_| format!("stopped {}", short(a))),
            Action::Redrive(a) => self
                .act(api, "RedriveExecution", a, json!({"executionArn": a}))
                .map(|_| format!("redrove {}", short(a))),
            Action::Replay(a) => self
                .act(api, "ReplayExecution", a, json!({"executionArn": a}))
                .map(|v| format!("replayed {} as {}", short(a), short(v["executionArn"].as_str().unwrap_or("?")))),
            Action::Start { machine_arn, input } => self
                .act(
                    api,
                    "StartExecution",
                    machine_arn,
                    json!({"stateMachineArn": machine_arn, "input": input.to_string()}),
                )
                .map(|v| format!("started {}", short(v["executionArn"].as_str().unwrap_or("?")))),
            Action::TaskSuccess { token, state, output } => self
                .act(api, "SendTaskSuccess", state, json!({"taskToken": token, "output": output.to_string()}))
                .map(|_| format!("answered {state} with success")),
            Action::TaskFailure { token, state, error, cause } => self
                .act(api, "SendTaskFailure", state, json!({"taskToken": token, "error": error, "cause": cause}))
                .map(|_| format!("failed the task of {state} with {error}")),
            Action::Bulk(kind, targets) => {
                self.bulk = Some(Bulk { kind: *kind, targets: targets.clone(), done: 0, failed: 0 });
                Ok(format!("{} 0/{}", kind.verb(), targets.len()))
            }
        };
        r.unwrap_or_else(|e| format!("failed: {e}"))
    }

    fn stop(&mut self, api: &dyn ControlApi, arn: &str) -> Result<Value, String> {
        let body = json!({"executionArn": arn, "error": "Stepline.Operator", "cause": "stopped from the dashboard"});
        self.act(api, "StopExecution", arn, body)
    }

    /// Advances a search or a bulk action; true while one is under way (the caller
    /// redraws, reads keys and ticks again without waiting).
    pub fn tick(&mut self, api: &dyn ControlApi) -> bool {
        if self.search_job.is_some() {
            if let Err(e) = self.search_step(api) {
                self.say(e);
            }
            return self.search_job.is_some() || self.bulk.is_some();
        }
        let Some(mut bulk) = self.bulk.take() else { return false };
        let end = (bulk.done + BULK_PER_TICK).min(bulk.targets.len());
        for arn in &bulk.targets[bulk.done..end] {
            let r = match bulk.kind {
                BulkKind::Stop => self.stop(api, arn),
                BulkKind::Redrive => self.act(api, "RedriveExecution", arn, json!({"executionArn": arn})),
            };
            bulk.failed += usize::from(r.is_err());
        }
        bulk.done = end;
        let failed = if bulk.failed > 0 { format!(", {} refused", bulk.failed) } else { String::new() };
        if bulk.done < bulk.targets.len() {
            self.say(format!("{} {}/{}{failed}", bulk.kind.verb(), bulk.done, bulk.targets.len()));
            self.bulk = Some(bulk);
            true
        } else {
            let n = count(bulk.targets.len(), "execution", "executions");
            self.say(format!("{} done: {n}{failed}", bulk.kind.verb()));
            self.reload(api);
            false
        }
    }

    /// `e` in a confirmation: the action's payload to edit first.
    pub(super) fn begin_edit(&mut self, action: &Action, api: &dyn ControlApi) {
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
        self.edit = match action {
            Action::Replay(arn) => match api.call("DescribeExecution", &json!({"executionArn": arn})) {
                Ok(d) => {
                    let input: Value =
                        d["input"].as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
                    let machine_arn = d["stateMachineArn"].as_str().unwrap_or_default().to_string();
                    Some(Edit { purpose: EditPurpose::Start { machine_arn }, text: pretty(&input) })
                }
                Err(e) => {
                    self.say(e);
                    None
                }
            },
            Action::Start { machine_arn, input } => {
                Some(Edit { purpose: EditPurpose::Start { machine_arn: machine_arn.clone() }, text: pretty(input) })
            }
            Action::TaskSuccess { token, state, output } => Some(Edit {
                purpose: EditPurpose::TaskSuccess { token: token.clone(), state: state.clone() },
                text: pretty(output),
            }),
            Action::TaskFailure { token, state, error, cause } => Some(Edit {
                purpose: EditPurpose::TaskFailure { token: token.clone(), state: state.clone() },
                text: pretty(&json!({"error": error, "cause": cause})),
            }),
            _ => {
                self.say("cancelled");
                None
            }
        };
    }

    /// The text back from the editor (`None`: the editor failed or was abandoned): the
    /// action it makes, to confirm.
    pub fn edited(&mut self, edit: Edit, text: Option<String>) {
        let Some(text) = text else {
            self.say("cancelled: nothing came back from the editor");
            return;
        };
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                self.say(format!("not JSON, nothing done: {e}"));
                return;
            }
        };
        let action = match edit.purpose {
            EditPurpose::Start { machine_arn } => Action::Start { machine_arn, input: value },
            EditPurpose::TaskSuccess { token, state } => Action::TaskSuccess { token, state, output: value },
            EditPurpose::TaskFailure { token, state } => {
                let text = |k: &str| value[k].as_str().unwrap_or_default().to_string();
                if value["error"].as_str().is_none() {
                    self.say("a failure needs {\"error\": \"...\", \"cause\": \"...\"}; nothing done");
                    return;
                }
                Action::TaskFailure { token, state, error: text("error"), cause: text("cause") }
            }
        };
        self.modal = Modal::Confirm(action);
    }
}
