//! `[nats]` in `stepline.toml`: the connection, the control API switch and the
//! triggers; the prefix and activities are the part every bus shares.

use crate::bus::BusSettings;
use serde::Deserialize;
use std::path::PathBuf;

/// `[nats]` in `stepline.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NatsSettings {
    /// Server URLs, tried in turn (`nats://127.0.0.1:4222`).
    pub urls: Vec<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
    /// A `.creds` file (JWT and NKey seed).
    pub creds_file: Option<PathBuf>,
    /// CA certificate (PEM) that signed the server's; implies TLS.
    pub tls_ca: Option<PathBuf>,
    /// `prefix` (of every subject and stream name) and `activities` (whose tasks go over
    /// NATS).
    #[serde(flatten)]
    pub bus: BusSettings,
    /// Serve the control API on `<prefix>.api.<Operation>` (default true).
    #[serde(default = "yes")]
    pub api: bool,
    #[serde(default)]
    pub triggers: Vec<TriggerSettings>,
}

/// A subject whose messages start executions of a state machine.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TriggerSettings {
    pub subject: String,
    /// The state machine's name or ARN.
    pub state_machine: String,
}

fn yes() -> bool {
    true
}

impl NatsSettings {
    /// `serve --nats URL`: every activity and the control API over that server.
    pub fn with_url(url: &str) -> NatsSettings {
        NatsSettings {
            urls: vec![url.to_string()],
            user: None,
            password: None,
            token: None,
            creds_file: None,
            tls_ca: None,
            bus: BusSettings::default(),
            api: true,
            triggers: Vec::new(),
        }
    }
}
