//! `stepline tui`: the operator's dashboard against a running `stepline serve`, through
//! its HTTP control API.

use crate::client::http::Client;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Seconds between refreshes of what is shown.
    #[arg(long, default_value_t = 1.0)]
    refresh: f64,
}

impl stepline_tui::ControlApi for Client {
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String> {
        Client::call(self, operation, body).map_err(|e| format!("{e:#}"))
    }
}

pub fn main(endpoint: &str, a: Args) -> Result<ExitCode> {
    let client = Client::new(endpoint)?;
    // Said before the screen is taken, where the operator can read it.
    client.call("ListStateMachines", &json!({})).with_context(|| format!("no Stepline control API at {endpoint}"))?;
    stepline_tui::run(&client, Duration::from_secs_f64(a.refresh.max(0.1)))?;
    Ok(ExitCode::SUCCESS)
}
