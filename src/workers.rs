//! Workers given as commands (`--worker NAME=COMMAND`): the task input goes to the
//! command's stdin as JSON and its stdout is the result, so a state machine can be tried
//! with workers in any language before any bus exists.

use anyhow::{bail, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use stepline_core::error_names;
use stepline_core::interp::TaskRequest;
use stepline_core::model::{lambda_response, Route};
use stepline_core::runner::{TaskHandler, TaskOutcome};

pub struct CommandWorkers {
    pub commands: HashMap<String, String>,
}

impl CommandWorkers {
    pub fn parse(specs: &[String]) -> Result<Self> {
        let mut commands = HashMap::new();
        for s in specs {
            let Some((name, cmd)) = s.split_once('=') else {
                bail!("--worker '{s}' must be NAME=COMMAND");
            };
            if name.is_empty() || cmd.trim().is_empty() {
                bail!("--worker '{s}' must be NAME=COMMAND with both parts non-empty");
            }
            commands.insert(name.to_string(), cmd.to_string());
        }
        Ok(CommandWorkers { commands })
    }
}

impl TaskHandler for CommandWorkers {
    fn call(&mut self, req: &TaskRequest) -> TaskOutcome {
        let Route { activity: name, payload, wrap } = req.route();
        let Some(cmd) = self.commands.get(&name) else {
            return TaskOutcome::Failure {
                error: error_names::TASK_FAILED.into(),
                cause: format!("No worker for '{name}' (state '{}'): pass --worker {name}=COMMAND", req.state_name),
            };
        };
        match run_command(cmd, &payload) {
            Ok(out) if wrap => TaskOutcome::Success(lambda_response(out)),
            Ok(out) => TaskOutcome::Success(out),
            Err((error, cause)) => TaskOutcome::Failure { error, cause },
        }
    }
}

/// Runs a worker command; `Err((error, cause))` on failure.
pub fn run_command(cmd: &str, input: &Value) -> Result<Value, (String, String)> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| (error_names::TASK_FAILED.to_string(), format!("cannot start worker '{cmd}': {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A worker that exits without reading its input is its own business.
        let _ = stdin.write_all(input.to_string().as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| (error_names::TASK_FAILED.to_string(), format!("worker '{cmd}' failed: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // A failing worker may name its error as {"error": "...", "cause": "..."} on stdout.
        let named: Option<Value> = serde_json::from_str(stdout.trim()).ok();
        let error = named
            .as_ref()
            .and_then(|v| v.get("error"))
            .and_then(Value::as_str)
            .unwrap_or(error_names::TASK_FAILED)
            .to_string();
        let cause = named
            .as_ref()
            .and_then(|v| v.get("cause"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| String::from_utf8_lossy(&out.stderr).trim().to_string());
        return Err((error, cause));
    }
    let text = stdout.trim();
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| {
        (
            error_names::TASK_FAILED.to_string(),
            format!("worker '{cmd}' printed invalid JSON ({e}): {}", text.chars().take(200).collect::<String>()),
        )
    })
}
