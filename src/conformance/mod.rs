//! `stepline conformance DIR`: runs recorded cases (definition, input, scripted task
//! results, expected result and history) and reports what differs.

mod case;
mod check;
mod compare;
mod engine_case;
mod report;

use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Directory of case files (`<category>/<case>.json`).
    dir: PathBuf,
    /// Only run the cases of this category (repeatable).
    #[arg(long)]
    category: Vec<String>,
    /// Exit non-zero when the share of passing cases is below this.
    #[arg(long, default_value_t = 1.0)]
    min_pass_rate: f64,
    /// Print one JSON object per case and a summary object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn main(a: Args) -> Result<ExitCode> {
    let mut cases = case::load_dir(&a.dir)?;
    if !a.category.is_empty() {
        cases.retain(|c| a.category.contains(&c.category));
    }
    if cases.is_empty() {
        bail!("no case files found under {}", a.dir.display());
    }
    // A panic is reported as that case's failure; keep its backtrace off the report.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let results: Vec<compare::Outcome> = cases.iter().map(check::run_case).collect();
    std::panic::set_hook(default_hook);
    let summary = report::print(&cases, &results, a.json)?;
    Ok(if summary.pass_rate() + 1e-12 >= a.min_pass_rate { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
