//! `stepline validate`: every problem in a definition, each with its location.

use crate::definition;
use anyhow::Result;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use stepline_core::model::{compile_value, MachineType};

#[derive(clap::Args)]
pub struct Args {
    /// The definition (JSON or YAML).
    file: PathBuf,
    /// Print AWS's ValidateStateMachineDefinition result as JSON.
    #[arg(long)]
    json: bool,
    /// Validate for an EXPRESS state machine (no activities, no callbacks).
    #[arg(long)]
    express: bool,
}

pub fn main(a: Args) -> Result<ExitCode> {
    let def = definition::load(&a.file)?;
    let kind = if a.express { MachineType::Express } else { MachineType::Standard };
    let diags = match compile_value(&def, kind) {
        Ok(_) => Vec::new(),
        Err(d) => d,
    };
    if a.json {
        let out = json!({
            "result": if diags.is_empty() { "OK" } else { "FAIL" },
            "diagnostics": diags,
            "truncated": false,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if diags.is_empty() {
        println!("{}: valid", a.file.display());
    } else {
        for d in &diags {
            println!("{}: {d}", a.file.display());
        }
        println!("{}", crate::text::count(diags.len(), "problem", "problems"));
    }
    Ok(if diags.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
