//! Reading definitions and inputs given on the command line.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::Path;

/// Reads a definition file: JSON, or YAML when the file is not JSON.
pub fn load(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_text(&text).with_context(|| format!("{} is neither valid JSON nor valid YAML", path.display()))
}

pub fn parse_text(text: &str) -> Result<Value> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(json_err) => {
            let looks_json = text.trim_start().starts_with('{');
            match serde_yaml::from_str::<Value>(text) {
                Ok(v) if !looks_json => Ok(v),
                _ => bail!("JSON error: {json_err}"),
            }
        }
    }
}

/// `--input`: inline JSON, or `@file` to read it from a file (`@-` for stdin).
pub fn input(arg: &str) -> Result<Value> {
    let text = match arg.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin()).context("cannot read the input from stdin")?,
        Some(file) => std::fs::read_to_string(file).with_context(|| format!("cannot read input file {file}"))?,
        None => arg.to_string(),
    };
    serde_json::from_str(&text)
        .with_context(|| format!("the input is not valid JSON: {}", text.chars().take(80).collect::<String>()))
}

/// The state machine's name: the file name without its extension.
pub fn machine_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "stateMachine".into())
}
