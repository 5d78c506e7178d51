//! `stepline tui`: the operator's dashboard against a running `stepline serve`, through
//! its HTTP control API, or through the API over NATS with `--nats`.

use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use stepline_bridge::client::http::Client;
use stepline_bridge::client::nats::NatsApi;

#[derive(clap::Args)]
pub struct Args {
    /// The control API of `stepline serve` over HTTP.
    #[arg(long, default_value = "http://127.0.0.1:8083", env = "STEPLINE_ENDPOINT")]
    endpoint: String,
    /// Seconds between refreshes of what is shown.
    #[arg(long, default_value_t = 1.0)]
    refresh: f64,
    /// Reach the control API over NATS at this URL (`<prefix>.api.<Operation>`) instead
    /// of HTTP.
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// Subject prefix of the API over NATS.
    #[arg(long, default_value = "stepline")]
    nats_prefix: String,
    /// Where every action taken is recorded (JSON lines: time, operator, operation,
    /// target, outcome) [default: $XDG_STATE_HOME/stepline/audit.log, else
    /// ~/.local/state/stepline/audit.log].
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
}

/// The dashboard's view of a control API client: an operation in, its answer or the
/// error's whole chain as text out.
struct Api<C>(C);

impl stepline_tui::ControlApi for Api<Client> {
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String> {
        self.0.call(operation, body).map_err(|e| format!("{:#}", anyhow::Error::new(e)))
    }
}

impl stepline_tui::ControlApi for Api<NatsApi> {
    fn call(&self, operation: &str, body: &Value) -> Result<Value, String> {
        self.0.call(operation, body).map_err(|e| format!("{:#}", anyhow::Error::new(e)))
    }
}

/// The audit log's default place: the user's state directory.
pub fn default_audit_log() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("stepline").join("audit.log"))
}

/// The audit log's directory is made; the log itself is written as actions happen.
pub fn prepare_audit_log(path: Option<PathBuf>) -> Result<Option<PathBuf>> {
    if let Some(dir) = path.as_ref().and_then(|p| p.parent()).filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {} for the audit log", dir.display()))?;
    }
    Ok(path)
}

pub fn main(a: Args) -> Result<ExitCode> {
    let options = stepline_tui::Options {
        refresh: Duration::from_secs_f64(a.refresh.max(0.1)),
        audit_log: prepare_audit_log(a.audit_log.or_else(default_audit_log))?,
        data_dir: None,
    };
    // Said before the screen is taken, where the operator can read it.
    match a.nats {
        Some(url) => {
            let api = Api(NatsApi::connect(&url, a.nats_prefix)?);
            stepline_tui::ControlApi::call(&api, "ListStateMachines", &json!({}))
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("no Stepline control API on NATS at {url}"))?;
            stepline_tui::run(&api, options)?;
        }
        None => {
            let endpoint = a.endpoint.as_str();
            let client = Client::new(endpoint)?;
            client
                .call("ListStateMachines", &json!({}))
                .with_context(|| format!("no Stepline control API at {endpoint}"))?;
            stepline_tui::run(&Api(client), options)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
