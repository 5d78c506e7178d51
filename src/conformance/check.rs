//! Running one case and comparing what happened with what was recorded.

use super::case::{Case, ScriptedTask};
use super::compare::{cause_eq, json_eq, short, Outcome};
use serde_json::Value;
use stepline_core::interp::{ExecutionInfo, Status, TaskRequest};
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::{self, RunOptions, TaskOutcome};
use stepline_core::validate::Diagnostic;

pub fn run_case(case: &Case) -> Outcome {
    match std::panic::catch_unwind(|| run_inner(case)) {
        Ok(o) => o,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Outcome {
                failure: Some(format!("PANIC: {msg}")),
                events_equal: case.events.as_ref().map(|_| false),
                events_got: None,
            }
        }
    }
}

fn machine_type(case: &Case) -> MachineType {
    match case.state_machine_type.as_deref() {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    }
}

fn run_inner(case: &Case) -> Outcome {
    if case.expected.get("valid").is_some() {
        return Outcome { failure: check_validation(case), events_equal: None, events_got: None };
    }
    if super::engine_case::applies(case) {
        return super::engine_case::run(case);
    }
    let machine = match compile_value(&case.definition, machine_type(case)) {
        Ok(m) => m,
        Err(diags) => {
            let list: Vec<String> = diags.iter().take(3).map(Diagnostic::to_string).collect();
            return Outcome {
                failure: Some(format!("definition rejected: {}", list.join("; "))),
                events_equal: case.events.as_ref().map(|_| false),
                events_got: None,
            };
        }
    };
    let info = execution_info(case);
    let mut script = Script { tasks: case.tasks.clone(), used: vec![false; case.tasks.len()], unscripted: None };
    let opts = RunOptions { max_events: 200_000, ..RunOptions::default() };
    let exec = match runner::run(&machine, info, case.input.clone(), &mut script, &opts) {
        Ok(e) => e,
        Err(u) => {
            let why = script.unscripted.clone().unwrap_or_else(|| u.error.to_string());
            return Outcome {
                failure: Some(format!("did not finish: {why}")),
                events_equal: case.events.as_ref().map(|_| false),
                events_got: None,
            };
        }
    };
    let got: Vec<String> = exec.history.iter().map(|e| e.kind.type_name()).collect();
    let events_equal = case.events.as_ref().map(|want| &got == want);
    let events_got = (events_equal == Some(false)).then_some(got);
    let mut diffs = Vec::new();
    let want_status = case.expected.get("status").and_then(Value::as_str).unwrap_or("");
    if exec.status.as_str() != want_status {
        diffs.push(format!("status {} != {want_status}", exec.status.as_str()));
    }
    if let Some(u) = &script.unscripted {
        diffs.push(u.clone());
    }
    if exec.status == Status::Succeeded {
        if let Some(want) = case.expected.get("output") {
            let got = exec.output.as_deref().cloned().unwrap_or(Value::Null);
            if !json_eq(&got, want) {
                diffs.push(format!("output {} != {}", short(&got), short(want)));
            }
        }
    } else if let Some(f) = &exec.failure {
        if let Some(want) = case.expected.get("error").and_then(Value::as_str) {
            if f.error != want {
                diffs.push(format!("error '{}' != '{want}'", f.error));
            }
        }
        if let Some(want) = case.expected.get("cause").and_then(Value::as_str) {
            if !cause_eq(&f.cause, want) {
                diffs.push(format!("cause '{}' != '{want}'", f.cause));
            }
        }
    }
    Outcome { failure: (!diffs.is_empty()).then(|| diffs.join("; ")), events_equal, events_got }
}

fn check_validation(case: &Case) -> Option<String> {
    let want_valid = case.expected.get("valid").and_then(Value::as_bool).unwrap_or(true);
    let diags = compile_value(&case.definition, machine_type(case)).err().unwrap_or_default();
    if want_valid {
        return (!diags.is_empty()).then(|| {
            format!("expected valid, got: {}", diags.iter().map(Diagnostic::to_string).collect::<Vec<_>>().join("; "))
        });
    }
    if diags.is_empty() {
        return Some("expected invalid, but the definition was accepted".into());
    }
    let expected = case.expected.get("diagnostics").and_then(Value::as_array).cloned().unwrap_or_default();
    for want in &expected {
        let code = want.get("code").and_then(Value::as_str).unwrap_or("");
        let message = want.get("message").and_then(Value::as_str).unwrap_or("");
        let found = if code == "InvalidDefinition" {
            // CreateStateMachine's message embeds "CODE: message at location".
            diags.iter().any(|d| message.contains(&format!("{}: {}", d.code, d.message)))
        } else {
            let location = want.get("location").and_then(Value::as_str).unwrap_or("");
            diags.iter().any(|d| d.code == code && d.location == location && d.message == message)
        };
        if !found {
            return Some(format!(
                "missing diagnostic {code}: {message}; got: {}",
                diags.iter().map(Diagnostic::to_string).collect::<Vec<_>>().join("; ")
            ));
        }
    }
    None
}

fn execution_info(case: &Case) -> ExecutionInfo {
    let mut info = runner::local_info("StateMachine", "Execution");
    if let Some(ctx) = &case.context {
        let get = |a: &str, b: &str| ctx.get(a).and_then(|o| o.get(b)).and_then(Value::as_str).map(str::to_string);
        if let Some(v) = get("Execution", "Id") {
            info.arn = v;
        }
        if let Some(v) = get("Execution", "Name") {
            info.name = v;
        }
        if let Some(v) = get("Execution", "RoleArn") {
            info.role_arn = v;
        }
        if let Some(v) = get("StateMachine", "Id") {
            info.state_machine_arn = v;
        }
        if let Some(v) = get("StateMachine", "Name") {
            info.state_machine_name = v;
        }
    }
    info
}

/// Answers tasks from the recorded calls: by state and input first, then by state in order.
struct Script {
    tasks: Vec<ScriptedTask>,
    used: Vec<bool>,
    unscripted: Option<String>,
}

impl runner::TaskHandler for Script {
    fn call(&mut self, req: &TaskRequest) -> TaskOutcome {
        let pick = (0..self.tasks.len())
            .find(|&i| {
                !self.used[i] && self.tasks[i].state == req.state_name && json_eq(&self.tasks[i].input, &req.input)
            })
            .or_else(|| (0..self.tasks.len()).find(|&i| !self.used[i] && self.tasks[i].state == req.state_name));
        let Some(i) = pick else {
            self.unscripted = Some(format!(
                "no recorded result for task state '{}' with input {}",
                req.state_name,
                short(&req.input)
            ));
            return TaskOutcome::NoAnswer;
        };
        self.used[i] = true;
        let t = &self.tasks[i];
        match &t.error {
            Some(error) => TaskOutcome::Failure { error: error.clone(), cause: t.cause.clone().unwrap_or_default() },
            None => TaskOutcome::Success(t.output.clone().unwrap_or(Value::Null)),
        }
    }
}
