//! Reading definitions and inputs given on the command line.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::Path;

/// Reads a definition file: JSON, or YAML when the file is not JSON.
pub fn load(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_text(&text).with_context(|| format!("{} is not valid JSON or YAML", path.display()))
}

/// How deep JSON (and YAML) may nest: serde_json's and serde_yaml's recursion limit,
/// which keeps a hostile document from exhausting the stack.
pub const MAX_NESTING: usize = 128;

/// A JSON parse error in words, the nesting limit named when that is what was hit.
pub fn json_error(e: &serde_json::Error) -> String {
    if e.to_string().starts_with("recursion limit exceeded") {
        format!(
            "nested deeper than {MAX_NESTING} levels, the most Stepline reads (at line {} column {})",
            e.line(),
            e.column()
        )
    } else {
        e.to_string()
    }
}

pub fn parse_text(text: &str) -> Result<Value> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(json_err) => {
            // What looks like JSON gets the JSON parser's complaint, anything else YAML's.
            if matches!(text.trim_start().chars().next(), Some('{' | '[')) {
                bail!("JSON error: {}", json_error(&json_err));
            }
            match serde_yaml::from_str::<Value>(text) {
                Ok(v) => Ok(v),
                Err(e) if e.to_string().starts_with("recursion limit exceeded") => {
                    bail!("YAML error: nested deeper than {MAX_NESTING} levels, the most Stepline reads")
                }
                Err(e) => bail!("YAML error: {e}"),
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
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "the input is not valid JSON: {} ({})",
            json_error(&e),
            text.chars().take(80).collect::<String>()
        )
    })
}

/// The state machine's name: the file name without its extension.
pub fn machine_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "stateMachine".into())
}
