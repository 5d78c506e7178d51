//! `stepline start | list | describe | history | stop | redrive | replay`: clients of the
//! control API of a running `stepline serve`.

pub mod http;

use crate::definition;
use anyhow::Result;
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Common {
    /// The control API of `stepline serve`.
    #[arg(long, default_value = "http://127.0.0.1:8083", env = "STEPLINE_ENDPOINT", global = true)]
    pub endpoint: String,
    /// Print the API's JSON answer instead of a table.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand)]
pub enum Op {
    /// Start an execution of a state machine (its ARN, or its name).
    Start {
        machine: String,
        #[arg(long, default_value = "{}")]
        input: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// List executions, newest first.
    List {
        /// Only this state machine (ARN or name).
        #[arg(long)]
        machine: Option<String>,
        /// Only this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED).
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 20)]
        max: u64,
    },
    /// Show one execution.
    Describe { execution: String },
    /// Show an execution's event history.
    History {
        execution: String,
        #[arg(long)]
        reverse: bool,
    },
    /// Stop a running execution.
    Stop {
        execution: String,
        #[arg(long)]
        error: Option<String>,
        #[arg(long)]
        cause: Option<String>,
    },
    /// Resume a failed, timed-out or aborted execution where it stopped.
    Redrive { execution: String },
    /// Start a new execution with the same input (same definition version unless --latest).
    Replay {
        execution: String,
        #[arg(long)]
        latest: bool,
    },
}

fn machine_arn(m: &str) -> String {
    if m.starts_with("arn:") {
        m.to_string()
    } else {
        format!("arn:aws:states:us-east-1:000000000000:stateMachine:{m}")
    }
}

fn secs(v: &Value) -> String {
    v.as_f64().map(|s| stepline_core::time::format_timestamp((s * 1000.0) as i64)).unwrap_or_else(|| "-".into())
}

pub fn main(common: Common, op: Op) -> Result<ExitCode> {
    let c = http::Client::new(&common.endpoint)?;
    let (operation, body) = match &op {
        Op::Start { machine, input, name } => {
            let input = definition::input(input)?;
            let mut b = json!({"stateMachineArn": machine_arn(machine), "input": input.to_string()});
            if let Some(n) = name {
                b["name"] = json!(n);
            }
            ("StartExecution", b)
        }
        Op::List { machine, status, max } => {
            let mut b = json!({"maxResults": max});
            if let Some(m) = machine {
                b["stateMachineArn"] = json!(machine_arn(m));
            }
            if let Some(s) = status {
                b["statusFilter"] = json!(s.to_uppercase());
            }
            ("ListExecutions", b)
        }
        Op::Describe { execution } => ("DescribeExecution", json!({"executionArn": execution})),
        Op::History { execution, reverse } => {
            ("GetExecutionHistory", json!({"executionArn": execution, "reverseOrder": reverse, "maxResults": 1000}))
        }
        Op::Stop { execution, error, cause } => {
            ("StopExecution", json!({"executionArn": execution, "error": error, "cause": cause}))
        }
        Op::Redrive { execution } => ("RedriveExecution", json!({"executionArn": execution})),
        Op::Replay { execution, latest } => {
            ("ReplayExecution", json!({"executionArn": execution, "latestVersion": latest}))
        }
    };
    let answer = c.call(operation, &body)?;
    if common.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    match op {
        Op::Start { .. } | Op::Replay { .. } => println!("{}", answer["executionArn"].as_str().unwrap_or("")),
        Op::List { .. } => {
            println!("{:<40} {:<10} {:<25} {:<25}", "NAME", "STATUS", "STARTED", "STOPPED");
            for e in answer["executions"].as_array().into_iter().flatten() {
                println!(
                    "{:<40} {:<10} {:<25} {:<25}",
                    e["name"].as_str().unwrap_or(""),
                    e["status"].as_str().unwrap_or(""),
                    secs(&e["startDate"]),
                    secs(&e["stopDate"])
                );
            }
        }
        Op::Describe { .. } => {
            for k in ["executionArn", "stateMachineArn", "status", "input", "output", "error", "cause", "redriveCount"]
            {
                if let Some(v) = answer.get(k) {
                    println!("{k:<16} {}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
                }
            }
            println!("{:<16} {}", "startDate", secs(&answer["startDate"]));
            if answer.get("stopDate").is_some() {
                println!("{:<16} {}", "stopDate", secs(&answer["stopDate"]));
            }
        }
        Op::History { .. } => {
            for e in answer["events"].as_array().into_iter().flatten() {
                println!("{:>4} {:<26} {}", e["id"], e["type"].as_str().unwrap_or(""), secs(&e["timestamp"]));
            }
        }
        Op::Stop { .. } => println!("stopped"),
        Op::Redrive { .. } => println!("redriven"),
    }
    Ok(ExitCode::SUCCESS)
}
