//! `stepline test SPEC...`: runs test specs (YAML or JSON) with no server and no
//! workers: each case's tasks answered by mocks (or by `--worker` commands), on virtual
//! time. One line per case, a diff for what was not as expected, a summary, JUnit XML
//! (`--junit`), coverage (`--coverage`); the exit code is 1 when a case failed, 2 when a
//! spec could not be run.

mod junit;
mod spec_run;

use crate::text::count;
use crate::worker_args::WorkerArgs;
use crate::{definition, workers};
use anyhow::{bail, Context, Result};
use spec_run::SpecRun;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use stepline_core::model::{compile_value, MachineType};
use stepline_core::runner::{Clock, RunOptions, TaskHandler};
use stepline_core::testing::{run_case, Coverage, MockConfig, Mocks, Spec};

#[derive(clap::Args)]
pub struct Args {
    /// Test specs (YAML or JSON).
    #[arg(required = true)]
    specs: Vec<PathBuf>,
    /// Write the results as JUnit XML (for CI systems) to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Print which states, Choice branches and Catch clauses the cases exercised.
    #[arg(long)]
    coverage: bool,
    /// Run on a clock this many times as fast as the wall clock (1: real time) instead of
    /// virtual time, where Waits, retries and timeouts take no time at all.
    #[arg(long, value_name = "F")]
    time_scale: Option<f64>,
    #[command(flatten)]
    worker: WorkerArgs,
}

pub fn main(a: Args) -> Result<ExitCode> {
    if let Some(f) = a.time_scale {
        if !(f > 0.0 && f.is_finite()) {
            bail!("--time-scale must be a positive number, not {f}");
        }
    }
    let mut pool = workers::CommandWorkers::parse(&a.worker.commands)?;
    let started = Instant::now();
    let mut runs = Vec::new();
    for file in &a.specs {
        let run = match run_spec(file, &a, &mut pool) {
            Ok(r) => r,
            Err(e) => SpecRun {
                name: definition::machine_name(file),
                file: file.clone(),
                cases: Vec::new(),
                coverage: None,
                error: Some(format!("{e:#}")),
            },
        };
        runs.push(run);
    }
    let (mut passed, mut failed, mut broken) = (0, 0, 0);
    for r in &runs {
        if let Some(e) = &r.error {
            broken += 1;
            println!("{} ({})\n  ERROR {e}", r.name, r.file.display());
            continue;
        }
        println!("{} ({})", r.name, r.file.display());
        for (c, ms) in &r.cases {
            let clock = if c.execution_ms >= 1000 {
                format!(", {} on its clock", human(c.execution_ms))
            } else {
                String::new()
            };
            if c.passed() {
                passed += 1;
                println!("  ok   {}  ({}, {ms:.1} ms{clock})", c.name, tasks(c.calls.len()));
            } else {
                failed += 1;
                println!("  FAIL {}  ({}, {ms:.1} ms{clock})", c.name, tasks(c.calls.len()));
                for f in &c.failures {
                    println!("       {}", f.replace('\n', "\n       "));
                }
            }
        }
        if let (true, Some(cov)) = (a.coverage, &r.coverage) {
            println!("  coverage:");
            for line in cov.table().lines() {
                println!("  {line}");
            }
        }
    }
    let cases = passed + failed;
    let broken_text = match broken {
        0 => String::new(),
        1 => ", 1 spec could not run".to_string(),
        n => format!(", {n} specs could not run"),
    };
    println!(
        "\n{passed} passed, {failed} failed{broken_text} ({} in {}, {:.0} ms)",
        count(cases, "case", "cases"),
        count(runs.len(), "spec", "specs"),
        started.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(path) = &a.junit {
        std::fs::write(path, junit::render(&runs))
            .with_context(|| format!("cannot write the JUnit report to {}", path.display()))?;
    }
    Ok(if broken > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn tasks(n: usize) -> String {
    count(n, "task", "tasks")
}

/// A duration on the execution's clock, as read.
fn human(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        3600..=86399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86400, (s % 86400) / 3600),
    }
}

/// Names of the Task states of a definition, nested ones too.
fn task_states(machine: &serde_json::Value, out: &mut Vec<String>) {
    for (name, s) in machine["States"].as_object().into_iter().flatten() {
        if s["Type"] == "Task" {
            out.push(name.clone());
        }
        for b in s["Branches"].as_array().into_iter().flatten() {
            task_states(b, out);
        }
        for key in ["ItemProcessor", "Iterator"] {
            task_states(&s[key], out);
        }
    }
}

/// Mistakes found before any case runs: mocks of states that are not Task states of the
/// definition (a typo would otherwise go unnoticed), test cases the mock config lacks.
fn check_spec(spec: &Spec, definition: &serde_json::Value, machine: &str, config: Option<&MockConfig>) -> Result<()> {
    let mut tasks = Vec::new();
    task_states(definition, &mut tasks);
    for (i, case) in spec.cases.iter().enumerate() {
        for state in case.mocks.keys() {
            if !tasks.contains(state) {
                tasks.sort();
                bail!(
                    "cases[{i}] ({}): mocks.{state}: the definition has no Task state '{state}' (its Task states: {})",
                    case.name,
                    tasks.join(", ")
                );
            }
        }
        if let Some(tc) = &case.test_case {
            let Some(config) = config else {
                bail!("cases[{i}] ({}): test_case '{tc}' needs a mock_config in the spec", case.name);
            };
            config.test_case(machine, tc).with_context(|| format!("cases[{i}] ({})", case.name))?;
        }
    }
    Ok(())
}

fn relative(spec: &Path, path: &str) -> PathBuf {
    spec.parent().unwrap_or(Path::new(".")).join(path)
}

fn run_spec(file: &Path, a: &Args, pool: &mut workers::CommandWorkers) -> Result<SpecRun> {
    let value = definition::load(file)?;
    let spec = Spec::parse(value).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let (definition, default_name) = match &spec.definition {
        serde_json::Value::String(path) => {
            let p = relative(file, path);
            (definition::load(&p)?, definition::machine_name(&p))
        }
        inline => (inline.clone(), definition::machine_name(file)),
    };
    let machine = compile_value(&definition, MachineType::Standard).map_err(|diags| {
        let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        anyhow::anyhow!("the definition is not valid:\n    {}", text.join("\n    "))
    })?;
    let machine_name = spec.state_machine.clone().unwrap_or(default_name);
    let config = match &spec.mock_config {
        Some(path) => {
            let p = relative(file, path);
            Some(MockConfig::parse(&definition::load(&p)?).with_context(|| format!("in {}", p.display()))?)
        }
        None => None,
    };
    check_spec(&spec, &definition, &machine_name, config.as_ref())?;
    let mut coverage = Coverage::new(&definition);
    let mut cases = Vec::new();
    for case in &spec.cases {
        let mut mocks = Mocks::default();
        if let Some(tc) = &case.test_case {
            let Some(config) = &config else {
                bail!("case '{}' names test_case '{tc}' but the spec has no mock_config", case.name);
            };
            mocks = config.test_case(&machine_name, tc)?;
        }
        mocks = mocks.merged(case.mocks()?);
        // The same start every run (2023-11-14T22:13:20Z), so `$$.Execution.StartTime` and
        // timestamp rules give the same results whatever the date.
        let defaults = RunOptions::default();
        let start = defaults.clock_start();
        let clock = match a.time_scale {
            Some(factor) => Clock::Scaled { start, factor },
            None => Clock::Virtual { start },
        };
        let options = RunOptions { clock, ..defaults };
        let fallback: Option<&mut dyn TaskHandler> = if pool.commands.is_empty() { None } else { Some(&mut *pool) };
        let t = Instant::now();
        let report = run_case(&machine, &machine_name, case, &mocks, fallback, &options);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        coverage.add(&report.events);
        cases.push((report, ms));
    }
    Ok(SpecRun {
        name: spec.name.unwrap_or(machine_name),
        file: file.to_path_buf(),
        cases,
        coverage: Some(coverage),
        error: None,
    })
}
