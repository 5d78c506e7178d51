//! The built-in integrations' settings, as `stepline.toml` holds them: connections for
//! HTTP Tasks (`[[connections]]`), a Lambda endpoint (`[lambda]`) and AWS messaging mapped
//! onto the buses (`[messaging]`). Secrets are named (an environment variable or a file),
//! never written in the file.

use super::client::tls::TlsFiles;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// `[[connections]]`: what an EventBridge connection is on AWS, named here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSettings {
    /// Matched against the `connection/<name>` part of `Authentication.ConnectionArn`.
    pub name: String,
    /// `none`, `api_key`, `basic` or `oauth_client_credentials`.
    pub auth: String,
    /// `api_key`: the header sent, and where its value is.
    pub api_key_name: Option<String>,
    pub api_key_value_env: Option<String>,
    pub api_key_value_file: Option<PathBuf>,
    /// `basic`: the user, and where the password is.
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// `oauth_client_credentials`: the token endpoint, the client, where its secret is.
    pub authorization_endpoint: Option<String>,
    /// The token request's method (default `POST`).
    pub http_method: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_env: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    /// Extra parameters of the token request (`scope`, `audience`, ...).
    #[serde(default)]
    pub oauth_parameters: HttpParameters,
    /// Parameters added to every request through this connection.
    #[serde(default)]
    pub invocation_parameters: HttpParameters,
    /// TLS: CA certificates trusted besides the system's, a client certificate and key
    /// (PEM files).
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Requests in flight through this connection at most (default 64).
    pub max_concurrency: Option<usize>,
}

impl ConnectionSettings {
    pub fn tls(&self) -> TlsFiles {
        TlsFiles { ca_file: self.ca_file.clone(), cert_file: self.cert_file.clone(), key_file: self.key_file.clone() }
    }
}

/// Headers, query parameters and body parameters (`InvocationHttpParameters`,
/// `OAuthHttpParameters`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpParameters {
    #[serde(default)]
    pub headers: Map<String, Value>,
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub body: Map<String, Value>,
}

/// `[lambda]`: Lambda functions invoked through a Lambda-compatible invoke API
/// (`POST /2015-03-31/functions/NAME/invocations`) instead of handed to workers.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaSettings {
    /// The invoke API, e.g. `http://127.0.0.1:3001` (`sam local start-lambda`).
    pub endpoint: String,
    /// The functions sent there; every function when left out.
    pub functions: Option<Vec<String>>,
    /// Seconds an invocation may take when the Task sets no `TimeoutSeconds` (default 900,
    /// Lambda's own limit).
    pub timeout_seconds: Option<u64>,
    /// Invocations in flight at most (default 64).
    pub max_concurrency: Option<usize>,
    /// TLS files, as a connection's.
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

impl LambdaSettings {
    pub fn tls(&self) -> TlsFiles {
        TlsFiles { ca_file: self.ca_file.clone(), cert_file: self.cert_file.clone(), key_file: self.key_file.clone() }
    }
}

/// `[messaging]`: AWS messaging integrations mapped onto NATS subjects and AMQP exchanges.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingSettings {
    /// `sqs:sendMessage` by `QueueUrl`.
    #[serde(default)]
    pub sqs: Vec<Mapping>,
    /// `sns:publish` by `TopicArn`.
    #[serde(default)]
    pub sns: Vec<Mapping>,
    /// `events:putEvents` by `EventBusName` (`default` when an entry names none).
    #[serde(default)]
    pub events: Vec<Mapping>,
}

/// One AWS destination and the bus destination its messages go to: exactly one of
/// `nats_subject` and `amqp_exchange` (with `routing_key`, or `amqp_queue` for the default
/// exchange).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The queue URL, topic ARN or event bus name (or ARN) as the state machine names it.
    pub aws: String,
    pub nats_subject: Option<String>,
    pub amqp_exchange: Option<String>,
    pub amqp_queue: Option<String>,
    /// The routing key on `amqp_exchange` (default: none, for fanout and headers exchanges;
    /// for events, the entry's `DetailType` when left out).
    pub routing_key: Option<String>,
}
