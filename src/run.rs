//! `stepline run`: one execution in process, tasks answered by worker commands.

use crate::worker_args::WorkerArgs;
use crate::{definition, workers};
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use stepline_core::interp::Status;
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::{self, Clock, RunOptions};

#[derive(clap::Args)]
pub struct Args {
    /// The definition (JSON or YAML).
    file: PathBuf,
    /// The execution input: JSON text, or @FILE (@- for stdin).
    #[arg(long, default_value = "{}")]
    input: String,
    #[command(flatten)]
    worker: WorkerArgs,
    /// Print the execution's event history (AWS's GetExecutionHistory shape) to stderr.
    #[arg(long)]
    history: bool,
    /// The execution's name.
    #[arg(long, default_value = "local")]
    name: String,
    /// Run Wait states and retries on virtual time (instantly) instead of the wall clock.
    #[arg(long)]
    virtual_time: bool,
}

pub fn main(a: Args) -> Result<ExitCode> {
    let def = definition::load(&a.file)?;
    let machine = match compile_value(&def, MachineType::Standard) {
        Ok(m) => m,
        Err(diags) => {
            for d in &diags {
                eprintln!("{}: {d}", a.file.display());
            }
            bail!(
                "{} is not a valid state machine ({})",
                a.file.display(),
                crate::text::count(diags.len(), "problem", "problems")
            );
        }
    };
    let input = definition::input(&a.input)?;
    let mut pool = workers::CommandWorkers::parse(&a.worker.commands)?;
    let info = runner::local_info(&definition::machine_name(&a.file), &a.name);
    let clock = if a.virtual_time { Clock::Virtual { start: now_ms() } } else { Clock::Real };
    let opts = RunOptions { clock, seed: seed(), ..RunOptions::default() };
    let (exec, stuck) = match runner::run(&machine, info, input, &mut pool, &opts) {
        Ok(e) => (e, None),
        Err(u) => (u.execution, Some(u.error)),
    };
    if a.history {
        let events: Vec<_> = exec.history.iter().map(|e| e.to_aws_json()).collect();
        eprintln!("{}", serde_json::to_string_pretty(&serde_json::json!({ "events": events }))?);
    }
    if let Some(err) = stuck {
        eprintln!("status: RUNNING\nerror: {err}");
        return Ok(ExitCode::FAILURE);
    }
    match exec.status {
        Status::Succeeded => {
            println!("{}", serde_json::to_string_pretty(exec.output.as_deref().unwrap_or(&serde_json::Value::Null))?);
            Ok(ExitCode::SUCCESS)
        }
        status => {
            let f = exec.failure.clone().unwrap_or_else(|| stepline_core::interp::Failure::new("", ""));
            eprintln!("status: {}\nerror: {}\ncause: {}", status.as_str(), f.error, f.cause);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn now_ms() -> i64 {
    stepline_core::clock::Clock::now(&stepline_core::clock::SystemClock)
}

/// Task tokens and `States.UUID` need unpredictable values outside of tests.
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(now_ms());
    h.write_u32(std::process::id());
    h.finish()
}
