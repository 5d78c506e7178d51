//! `[amqp]` in `stepline.toml`: the connection, prefetch and the trigger queues; the
//! prefix and activities are the part every bus shares.

use crate::bus::BusSettings;
use serde::Deserialize;
use std::path::PathBuf;

/// `[amqp]` in `stepline.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AmqpSettings {
    /// Broker URIs, tried in turn (`amqp://guest:guest@127.0.0.1:5672/%2f`).
    pub uris: Vec<String>,
    /// Override the URI's user and password.
    pub user: Option<String>,
    pub password: Option<String>,
    /// Override the URI's virtual host.
    pub vhost: Option<String>,
    /// CA certificate (PEM) that signed the broker's; implies TLS (`amqps`).
    pub tls_ca: Option<PathBuf>,
    /// Unacknowledged deliveries the engine holds per consumer (default 500).
    #[serde(default = "default_prefetch")]
    pub prefetch: u16,
    /// `prefix` (of every exchange and queue name) and `activities` (whose tasks go over
    /// AMQP).
    #[serde(flatten)]
    pub bus: BusSettings,
    #[serde(default)]
    pub triggers: Vec<AmqpTrigger>,
}

/// A queue whose messages start executions of a state machine.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AmqpTrigger {
    /// Declared durable when it does not exist; used as it is when it does.
    pub queue: String,
    /// The state machine's name or ARN.
    pub state_machine: String,
}

fn default_prefetch() -> u16 {
    500
}

impl AmqpSettings {
    /// `serve --amqp URI`: every activity over that broker.
    pub fn with_uri(uri: &str) -> AmqpSettings {
        AmqpSettings {
            uris: vec![uri.to_string()],
            user: None,
            password: None,
            vhost: None,
            tls_ca: None,
            prefetch: default_prefetch(),
            bus: BusSettings::default(),
            triggers: Vec::new(),
        }
    }
}
