//! Running the operator's commands: each through the control API and written to the
//! audit log (what, on which execution, with what outcome; the terminal layer adds who
//! and when). Bulk commands run a few executions per tick so the screen shows their
//! progress.

use super::action::{call, say_error, Audit, Effect};
use super::app::{App, Modal};
use super::command::{Bulk, BulkKind, Command, Edit, EditPurpose};
use super::text::{count, short};
use serde_json::{json, Value};

/// Executions a bulk action handles per tick.
const BULK_PER_TICK: usize = 20;

/// Runs one operation on one target, audited; `then` takes its result.
fn act(
    operation: &'static str,
    target: &str,
    body: Value,
    then: impl FnOnce(&mut App, Result<Value, String>) -> Vec<Effect> + 'static,
) -> Effect {
    let target = target.to_string();
    call(operation, body, move |app, answer| {
        let outcome = match &answer.result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.clone(),
        };
        let mut effects = vec![Effect::AppendAudit(Audit { operation: operation.into(), target, outcome })];
        effects.extend(then(app, answer.result));
        effects
    })
}

fn stop(arn: &str, then: impl FnOnce(&mut App, Result<Value, String>) -> Vec<Effect> + 'static) -> Effect {
    let body = json!({"executionArn": arn, "error": "Stepline.Operator", "cause": "stopped from the dashboard"});
    act("StopExecution", arn, body, then)
}

/// What a command came to, in the status line, and the screen read again.
fn said(app: &mut App, r: Result<String, String>) -> Vec<Effect> {
    app.say(r.unwrap_or_else(|e| format!("failed: {e}")));
    app.reload()
}

impl App {
    /// Runs a confirmed command; says what happened.
    pub(super) fn run(&mut self, command: &Command) -> Vec<Effect> {
        fn name(a: &str) -> String {
            short(a).to_string()
        }
        fn started(v: &Value) -> String {
            name(v["executionArn"].as_str().unwrap_or("?"))
        }
        let effect = match command {
            Command::Stop(a) => {
                let a2 = name(a);
                stop(a, move |app, r| said(app, r.map(|_| format!("stopped {a2}"))))
            }
            Command::Redrive(a) => {
                let a2 = name(a);
                act("RedriveExecution", a, json!({"executionArn": a}), move |app, r| {
                    said(app, r.map(|_| format!("redrove {a2}")))
                })
            }
            Command::Replay(a) => {
                let a2 = name(a);
                act("ReplayExecution", a, json!({"executionArn": a}), move |app, r| {
                    said(app, r.map(|v| format!("replayed {a2} as {}", started(&v))))
                })
            }
            Command::Start { machine_arn, input } => act(
                "StartExecution",
                machine_arn,
                json!({"stateMachineArn": machine_arn, "input": input.to_string()}),
                move |app, r| said(app, r.map(|v| format!("started {}", started(&v)))),
            ),
            Command::TaskSuccess { token, state, output } => {
                let s = state.clone();
                act(
                    "SendTaskSuccess",
                    state,
                    json!({"taskToken": token, "output": output.to_string()}),
                    move |app, r| said(app, r.map(|_| format!("answered {s} with success"))),
                )
            }
            Command::TaskFailure { token, state, error, cause } => {
                let (s, e) = (state.clone(), error.clone());
                act(
                    "SendTaskFailure",
                    state,
                    json!({"taskToken": token, "error": error, "cause": cause}),
                    move |app, r| said(app, r.map(|_| format!("failed the task of {s} with {e}"))),
                )
            }
            Command::Bulk(kind, targets) => {
                self.bulk = Some(Bulk { kind: *kind, targets: targets.clone(), done: 0, failed: 0 });
                return said(self, Ok(format!("{} 0/{}", kind.verb(), targets.len())));
            }
        };
        vec![effect]
    }

    /// Advances a search or a bulk command (the caller redraws, reads keys and ticks
    /// again without waiting while [`App::busy`]).
    pub(super) fn on_tick(&mut self) -> Vec<Effect> {
        if self.search_job.is_some() {
            return self.search_step(say_error());
        }
        let Some(bulk) = self.bulk.take() else { return Vec::new() };
        let end = (bulk.done + BULK_PER_TICK).min(bulk.targets.len());
        let at = bulk.done;
        self.bulk_step(bulk, at, end)
    }

    /// One execution of this tick's share of a bulk command, then the next.
    fn bulk_step(&mut self, mut bulk: Bulk, at: usize, end: usize) -> Vec<Effect> {
        if at < end {
            let arn = bulk.targets[at].clone();
            let kind = bulk.kind;
            let next = move |app: &mut App, r: Result<Value, String>| {
                bulk.failed += usize::from(r.is_err());
                app.bulk_step(bulk, at + 1, end)
            };
            return vec![match kind {
                BulkKind::Stop => stop(&arn, next),
                BulkKind::Redrive => act("RedriveExecution", &arn, json!({"executionArn": arn}), next),
            }];
        }
        bulk.done = end;
        let failed = if bulk.failed > 0 { format!(", {} refused", bulk.failed) } else { String::new() };
        if bulk.done < bulk.targets.len() {
            self.say(format!("{} {}/{}{failed}", bulk.kind.verb(), bulk.done, bulk.targets.len()));
            self.bulk = Some(bulk);
            Vec::new()
        } else {
            let n = count(bulk.targets.len(), "execution", "executions");
            self.say(format!("{} done: {n}{failed}", bulk.kind.verb()));
            self.reload()
        }
    }

    /// `e` in a confirmation: the command's payload to edit first.
    pub(super) fn begin_edit(&mut self, command: &Command) -> Vec<Effect> {
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
        let edit = match command {
            Command::Replay(arn) => {
                return vec![call("DescribeExecution", json!({"executionArn": arn}), move |app, answer| {
                    match answer.result {
                        Ok(d) => {
                            let input: Value =
                                d["input"].as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
                            let machine_arn = d["stateMachineArn"].as_str().unwrap_or_default().to_string();
                            vec![Effect::Edit(Edit {
                                purpose: EditPurpose::Start { machine_arn },
                                text: pretty(&input),
                            })]
                        }
                        Err(e) => {
                            app.say(e);
                            Vec::new()
                        }
                    }
                })]
            }
            Command::Start { machine_arn, input } => {
                Edit { purpose: EditPurpose::Start { machine_arn: machine_arn.clone() }, text: pretty(input) }
            }
            Command::TaskSuccess { token, state, output } => Edit {
                purpose: EditPurpose::TaskSuccess { token: token.clone(), state: state.clone() },
                text: pretty(output),
            },
            Command::TaskFailure { token, state, error, cause } => Edit {
                purpose: EditPurpose::TaskFailure { token: token.clone(), state: state.clone() },
                text: pretty(&json!({"error": error, "cause": cause})),
            },
            _ => {
                self.say("cancelled");
                return Vec::new();
            }
        };
        vec![Effect::Edit(edit)]
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
            EditPurpose::Start { machine_arn } => Command::Start { machine_arn, input: value },
            EditPurpose::TaskSuccess { token, state } => Command::TaskSuccess { token, state, output: value },
            EditPurpose::TaskFailure { token, state } => {
                let text = |k: &str| value[k].as_str().unwrap_or_default().to_string();
                if value["error"].as_str().is_none() {
                    self.say("a failure needs {\"error\": \"...\", \"cause\": \"...\"}; nothing done");
                    return;
                }
                Command::TaskFailure { token, state, error: text("error"), cause: text("cause") }
            }
        };
        self.modal = Modal::Confirm(action);
    }
}
