//! `stepline create | update | machines | start | list | describe | history | stop |
//! redrive | replay`: clients of the control API of a running `stepline serve`. State
//! machines are named by ARN or by name; executions by ARN or by name (with `--machine`
//! when executions of two state machines share it).

mod history;

use crate::definition;
use anyhow::{bail, Result};
use history::secs;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use stepline_bridge::client::http;

/// How to reach the server and how to print its answers.
#[derive(clap::Args)]
pub struct Conn {
    /// The control API of `stepline serve`.
    #[arg(long, default_value = "http://127.0.0.1:8083", env = "STEPLINE_ENDPOINT")]
    pub endpoint: String,
    /// Print the API's JSON answer instead of a table.
    #[arg(long)]
    json: bool,
}

/// An execution, by ARN or by name.
#[derive(clap::Args)]
pub struct Target {
    /// The execution: its ARN, or its name.
    execution: String,
    /// The state machine (ARN or name) whose execution EXECUTION names, when executions of
    /// several state machines have that name.
    #[arg(long)]
    machine: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum Op {
    /// Create a state machine from a definition (JSON or YAML).
    Create {
        /// The state machine's name.
        name: String,
        /// The definition (JSON or YAML).
        file: PathBuf,
        /// STANDARD (durable, with history) or EXPRESS (in memory, summaries only).
        #[arg(long = "type", default_value = "STANDARD", value_parser = ["STANDARD", "EXPRESS"])]
        kind: String,
        /// The IAM role it is said to run as (kept and shown, as AWS does; not used).
        #[arg(long, default_value = "arn:aws:iam::000000000000:role/stepline")]
        role_arn: String,
        #[command(flatten)]
        conn: Conn,
    },
    /// Give a state machine a new definition (JSON or YAML); running executions keep theirs.
    Update {
        /// The state machine: its ARN, or its name.
        machine: String,
        /// The new definition (JSON or YAML).
        file: PathBuf,
        #[command(flatten)]
        conn: Conn,
    },
    /// List the state machines.
    Machines {
        #[command(flatten)]
        conn: Conn,
    },
    /// Start an execution of a state machine.
    Start {
        /// The state machine: its ARN, or its name.
        machine: String,
        /// The execution input: JSON text, or @FILE (@- for stdin).
        #[arg(long, default_value = "{}")]
        input: String,
        /// The execution's name, unique for the state machine [default: a new one].
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        conn: Conn,
    },
    /// List executions, newest first.
    List {
        /// Only this state machine (ARN or name).
        #[arg(long)]
        machine: Option<String>,
        /// Only this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED).
        #[arg(long)]
        status: Option<String>,
        /// Show at most this many.
        #[arg(long, default_value_t = 20)]
        max: u64,
        #[command(flatten)]
        conn: Conn,
    },
    /// Show one execution.
    Describe {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        conn: Conn,
    },
    /// Show an execution's event history: each event's state, error and cause.
    History {
        #[command(flatten)]
        target: Target,
        /// Newest event first.
        #[arg(long)]
        reverse: bool,
        #[command(flatten)]
        conn: Conn,
    },
    /// Stop a running execution.
    Stop {
        #[command(flatten)]
        target: Target,
        /// The error the execution is aborted with.
        #[arg(long)]
        error: Option<String>,
        /// Why it was stopped.
        #[arg(long)]
        cause: Option<String>,
        #[command(flatten)]
        conn: Conn,
    },
    /// Resume a failed, timed-out or aborted execution where it stopped.
    Redrive {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        conn: Conn,
    },
    /// Start a new execution with the same input (same definition version unless --latest).
    Replay {
        #[command(flatten)]
        target: Target,
        /// Run the state machine's latest definition instead of the one the execution ran.
        #[arg(long)]
        latest: bool,
        #[command(flatten)]
        conn: Conn,
    },
}

impl Op {
    fn conn(&self) -> &Conn {
        match self {
            Op::Create { conn, .. }
            | Op::Update { conn, .. }
            | Op::Machines { conn }
            | Op::Start { conn, .. }
            | Op::List { conn, .. }
            | Op::Describe { conn, .. }
            | Op::History { conn, .. }
            | Op::Stop { conn, .. }
            | Op::Redrive { conn, .. }
            | Op::Replay { conn, .. } => conn,
        }
    }
}

/// A state machine's ARN: an ARN is checked to exist, a name is looked up.
fn machine_arn(c: &http::Client, m: &str) -> Result<String> {
    if m.starts_with("arn:") {
        c.call("DescribeStateMachine", &json!({"stateMachineArn": m}))?;
        return Ok(m.to_string());
    }
    let all = c.call("ListStateMachines", &json!({}))?;
    let found = all["stateMachines"].as_array().into_iter().flatten().find(|s| s["name"] == m);
    match found.and_then(|s| s["stateMachineArn"].as_str()) {
        Some(arn) => Ok(arn.to_string()),
        None => bail!("no state machine named '{m}' (`stepline machines` lists them)"),
    }
}

/// The ARN an execution named `name` of the state machine `machine_arn` has.
fn execution_of(machine_arn: &str, name: &str) -> String {
    format!("{}:{name}", machine_arn.replacen(":stateMachine:", ":execution:", 1))
}

/// An execution's ARN: an ARN as given; a name within `--machine`, or else within the one
/// state machine that has an execution of that name.
fn execution_arn(c: &http::Client, t: &Target) -> Result<String> {
    if t.execution.starts_with("arn:") {
        return Ok(t.execution.clone());
    }
    if let Some(m) = &t.machine {
        return Ok(execution_of(&machine_arn(c, m)?, &t.execution));
    }
    let all = c.call("ListStateMachines", &json!({}))?;
    let mut found = Vec::new();
    for m in all["stateMachines"].as_array().into_iter().flatten() {
        let Some(arn) = m["stateMachineArn"].as_str() else { continue };
        let candidate = execution_of(arn, &t.execution);
        match c.call("DescribeExecution", &json!({"executionArn": candidate})) {
            Ok(_) => found.push((m["name"].as_str().unwrap_or(arn).to_string(), candidate)),
            Err(e) if e.is_api("ExecutionDoesNotExist") => {}
            // Any other answer (a storage failure) is the server's to report, not "not found".
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot look up the execution {candidate}"))),
        }
    }
    match found.len() {
        0 => bail!("no execution named '{}' (give its ARN, or its state machine with --machine)", t.execution),
        1 => Ok(found.remove(0).1),
        _ => {
            let names: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
            bail!(
                "executions of several state machines are named '{}' ({}): choose one with --machine",
                t.execution,
                names.join(", ")
            )
        }
    }
}

/// A definition file as the API takes it: JSON text (YAML is converted).
fn definition_text(file: &std::path::Path) -> Result<String> {
    Ok(serde_json::to_string(&definition::load(file)?)?)
}

pub fn main(op: Op) -> Result<ExitCode> {
    let conn = op.conn();
    let c = http::Client::new(&conn.endpoint)?;
    let (operation, body) = match &op {
        Op::Create { name, file, kind, role_arn, .. } => (
            "CreateStateMachine",
            json!({"name": name, "definition": definition_text(file)?, "type": kind, "roleArn": role_arn}),
        ),
        Op::Update { machine, file, .. } => (
            "UpdateStateMachine",
            json!({"stateMachineArn": machine_arn(&c, machine)?, "definition": definition_text(file)?}),
        ),
        Op::Machines { .. } => ("ListStateMachines", json!({})),
        Op::Start { machine, input, name, .. } => {
            let input = definition::input(input)?;
            let mut b = json!({"stateMachineArn": machine_arn(&c, machine)?, "input": input.to_string()});
            if let Some(n) = name {
                b["name"] = json!(n);
            }
            ("StartExecution", b)
        }
        Op::List { machine, status, max, .. } => {
            let mut b = json!({"maxResults": max});
            if let Some(m) = machine {
                b["stateMachineArn"] = json!(machine_arn(&c, m)?);
            }
            if let Some(s) = status {
                b["statusFilter"] = json!(s.to_uppercase());
            }
            ("ListExecutions", b)
        }
        Op::Describe { target, .. } => ("DescribeExecution", json!({"executionArn": execution_arn(&c, target)?})),
        Op::History { target, reverse, .. } => (
            "GetExecutionHistory",
            json!({"executionArn": execution_arn(&c, target)?, "reverseOrder": reverse, "maxResults": 1000}),
        ),
        Op::Stop { target, error, cause, .. } => {
            ("StopExecution", json!({"executionArn": execution_arn(&c, target)?, "error": error, "cause": cause}))
        }
        Op::Redrive { target, .. } => ("RedriveExecution", json!({"executionArn": execution_arn(&c, target)?})),
        Op::Replay { target, latest, .. } => {
            ("ReplayExecution", json!({"executionArn": execution_arn(&c, target)?, "latestVersion": latest}))
        }
    };
    let mut answer = c.call(operation, &body)?;
    if let Op::History { .. } = op {
        // Every page, not only the first thousand events.
        while let Some(token) = answer.get("nextToken").and_then(Value::as_str).map(str::to_string) {
            let mut next_body = body.clone();
            next_body["nextToken"] = json!(token);
            let next = c.call(operation, &next_body)?;
            let mut events = answer["events"].as_array().cloned().unwrap_or_default();
            events.extend(next["events"].as_array().cloned().unwrap_or_default());
            answer = json!({"events": events});
            if let Some(t) = next.get("nextToken") {
                answer["nextToken"] = t.clone();
            }
        }
    }
    if conn.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    match op {
        Op::Create { .. } => println!("{}", answer["stateMachineArn"].as_str().unwrap_or("")),
        Op::Update { .. } => {
            let arn = body["stateMachineArn"].as_str().unwrap_or("");
            println!("{arn} (revision {})", answer["revisionId"].as_str().unwrap_or("?"));
        }
        Op::Machines { .. } => {
            let rows: Vec<[String; 4]> = answer["stateMachines"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| {
                    [
                        m["name"].as_str().unwrap_or("").to_string(),
                        m["type"].as_str().unwrap_or("").to_string(),
                        secs(&m["creationDate"]),
                        m["stateMachineArn"].as_str().unwrap_or("").to_string(),
                    ]
                })
                .collect();
            history::print_table(&["NAME", "TYPE", "CREATED", "ARN"], &rows);
        }
        Op::Start { .. } | Op::Replay { .. } => println!("{}", answer["executionArn"].as_str().unwrap_or("")),
        Op::List { .. } => {
            let rows: Vec<[String; 4]> = answer["executions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    [
                        e["name"].as_str().unwrap_or("").to_string(),
                        e["status"].as_str().unwrap_or("").to_string(),
                        secs(&e["startDate"]),
                        secs(&e["stopDate"]),
                    ]
                })
                .collect();
            history::print_table(&["NAME", "STATUS", "STARTED", "STOPPED"], &rows);
        }
        Op::Describe { .. } => {
            for k in ["executionArn", "stateMachineArn", "status", "input", "output", "error", "cause", "redriveCount"]
            {
                if let Some(v) = answer.get(k) {
                    println!("{k:<16} {}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
                }
            }
            if let Some(p) = answer["parentExecutionArn"].as_str() {
                println!("{:<16} {p}", "parent");
            }
            println!("{:<16} {}", "startDate", secs(&answer["startDate"]));
            if answer.get("stopDate").is_some() {
                println!("{:<16} {}", "stopDate", secs(&answer["stopDate"]));
            }
        }
        Op::History { .. } => history::print(answer["events"].as_array().map(Vec::as_slice).unwrap_or(&[])),
        Op::Stop { .. } => println!("stopped"),
        Op::Redrive { .. } => println!("redriven"),
    }
    Ok(ExitCode::SUCCESS)
}
