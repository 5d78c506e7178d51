//! `stepline bench FILE`: N executions one after another in memory, on virtual time, with
//! tasks answered by echoing their input, to measure the interpreter end to end.

use crate::args::{Args, Readers};
use crate::report::count;
use anyhow::{bail, Result};
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;
use stepline_core::interp::{Status, TaskRequest};
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::{self, RunOptions, TaskOutcome};

pub fn run(a: Args, read: Readers) -> Result<ExitCode> {
    let def = (read.definition)(&a.file)?;
    let machine = match compile_value(&def, MachineType::Standard) {
        Ok(m) => m,
        Err(d) => bail!("{} is not a valid state machine: {}", a.file.display(), d[0]),
    };
    let input = (read.input)(&a.input)?;
    // The state machine's name: the file name without its extension, as `stepline run` names it.
    let name = a.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "stateMachine".into());
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
        println!("{} in {secs:.3}s ({failed} not succeeded)", count(a.executions as usize, "execution", "executions"));
        println!("{eps:.0} executions/s, {tps:.0} state transitions/s, {:.0} history events/s", events as f64 / secs);
    }
    Ok(ExitCode::SUCCESS)
}
