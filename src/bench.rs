//! `stepline bench`: N executions one after another in memory, on virtual time, with
//! tasks answered by echoing their input, to measure the interpreter end to end.

use crate::definition;
use anyhow::{bail, Result};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use stepline_core::interp::{Status, TaskRequest};
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::{self, RunOptions, TaskOutcome};

#[derive(clap::Args)]
pub struct Args {
    /// The definition (JSON or YAML).
    file: PathBuf,
    /// The execution input: JSON text, or @FILE.
    #[arg(long, default_value = "{}")]
    input: String,
    /// How many executions to run.
    #[arg(long, default_value_t = 1000)]
    executions: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn main(a: Args) -> Result<ExitCode> {
    let def = definition::load(&a.file)?;
    let machine = match compile_value(&def, MachineType::Standard) {
        Ok(m) => m,
        Err(d) => bail!("{} is not a valid state machine: {}", a.file.display(), d[0]),
    };
    let input = definition::input(&a.input)?;
    let name = definition::machine_name(&a.file);
    let mut echo = |r: &TaskRequest| TaskOutcome::Success(r.input.clone());
    let opts = RunOptions::default();
    let (mut transitions, mut events, mut failed) = (0u64, 0u64, 0u64);
    // One identity for every run: executions in memory need no unique names, and building
    // ARNs is not what is being measured.
    let info = runner::local_info(&name, "bench");
    let start = Instant::now();
    for i in 0..a.executions {
        match runner::run(&machine, info.clone(), input.clone(), &mut echo, &opts) {
            Ok(exec) => {
                transitions += exec.state_transitions;
                events += exec.history.len() as u64;
                failed += (exec.status != Status::Succeeded) as u64;
            }
            Err(u) => bail!("execution {i} did not finish: {}", u.error),
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let eps = a.executions as f64 / secs;
    let tps = transitions as f64 / secs;
    if a.json {
        println!(
            "{}",
            json!({"definition": a.file, "executions": a.executions, "seconds": secs, "executions_per_s": eps,
                   "state_transitions": transitions, "state_transitions_per_s": tps, "history_events": events, "failed": failed})
        );
    } else {
        println!("{} executions in {secs:.3}s ({failed} not succeeded)", a.executions);
        println!("{eps:.0} executions/s, {tps:.0} state transitions/s, {:.0} history events/s", events as f64 / secs);
    }
    Ok(ExitCode::SUCCESS)
}
