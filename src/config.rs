//! `stepline.toml`: the settings of `stepline serve`. Flags given on the command line win
//! over the file; the file wins over the defaults.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: Server,
    /// Command workers: `[[workers]] activity = "name"  command = "python3 w.py"`.
    #[serde(default)]
    pub workers: Vec<Worker>,
    /// NATS: connection, which activities, triggers (`docs/configuration.md`).
    pub nats: Option<stepline_bridge::nats::NatsSettings>,
    /// AMQP (RabbitMQ): connection, which activities, triggers (`docs/configuration.md`).
    pub amqp: Option<stepline_bridge::amqp::AmqpSettings>,
    /// Where Distributed Maps read items and write results: buckets as directories.
    pub buckets: Option<Buckets>,
    /// An S3-compatible object store for Distributed Maps instead of directories.
    pub object_store: Option<ObjectStore>,
    /// Connections of HTTP Tasks (`Authentication.ConnectionArn`), as EventBridge's.
    #[serde(default)]
    pub connections: Vec<stepline_bridge::integrations::settings::ConnectionSettings>,
    /// Lambda functions invoked through a Lambda-compatible endpoint instead of workers.
    pub lambda: Option<stepline_bridge::integrations::settings::LambdaSettings>,
    /// `sqs:sendMessage`, `sns:publish` and `events:putEvents` mapped onto the buses.
    pub messaging: Option<stepline_bridge::integrations::settings::MessagingSettings>,
    /// Where execution logs (`loggingConfiguration`) go besides `<data>/logs`.
    #[serde(default)]
    pub execution_logs: crate::execution_logs::ExecutionLogs,
}

/// `[buckets]`: bucket `B` is the directory `<dir>/B`.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Buckets {
    /// Default `<data>/buckets`; relative to the config file.
    pub dir: Option<PathBuf>,
}

/// `[object_store]`: an S3-compatible store; what is left out is read as the AWS SDKs
/// read it (`AWS_ENDPOINT_URL_S3`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, ...).
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ObjectStore {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    /// The environment variable holding the secret key (default `AWS_SECRET_ACCESS_KEY`):
    /// secrets are never written in the file.
    pub secret_access_key_env: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Address of the HTTP control API (default 127.0.0.1:8083).
    pub listen: Option<SocketAddr>,
    /// Directory of the store (default ./data), relative to the config file.
    pub data: Option<PathBuf>,
    /// Largest execution input, state output or task result in bytes (default 262144, as
    /// AWS); larger ones fail with `States.DataLimitExceeded`.
    pub max_payload_bytes: Option<usize>,
    /// How many EXPRESS execution summaries are kept in memory (default 10000).
    pub express_summaries: Option<usize>,
    /// Most history events of one execution (default 25000, as AWS).
    pub max_history_events: Option<u64>,
    /// Longest a STANDARD execution runs before it times out, in seconds (default a year).
    pub max_standard_seconds: Option<u64>,
    /// Longest an EXPRESS execution runs before it times out, in seconds (default 300).
    pub max_express_seconds: Option<u64>,
    /// Ended executions are pruned this many days after they started (default 90, as AWS
    /// keeps them; 0 keeps them for ever).
    pub retention_days: Option<u64>,
    /// At most this many ended executions are kept, the newest (default: no limit).
    pub retention_max_executions: Option<u64>,
    /// The region in every ARN (default `AWS_REGION`, `AWS_DEFAULT_REGION`, us-east-1).
    pub region: Option<String>,
    /// The account in every ARN (default `AWS_ACCOUNT_ID`, 000000000000).
    pub account: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    pub activity: String,
    pub command: String,
}

impl Config {
    /// Reads a config file; errors name the file, the line and what is wrong.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut c: Config = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Stepline configuration", path.display()))?;
        if let (Some(d), Some(dir)) = (&c.server.data, path.parent()) {
            if d.is_relative() {
                c.server.data = Some(dir.join(d));
            }
        }
        if let (Some(d), Some(base)) = (&mut c.execution_logs.dir, path.parent()) {
            if d.is_relative() {
                *d = base.join(&*d);
            }
        }
        if let (Some(Buckets { dir: Some(d) }), Some(base)) = (&mut c.buckets, path.parent()) {
            if d.is_relative() {
                *d = base.join(&*d);
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("stepline-config-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("stepline.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_server_and_workers() {
        let p = write("ok", "[server]\nlisten = \"127.0.0.1:9999\"\ndata = \"store\"\nmax_payload_bytes = 1024\n\n[[workers]]\nactivity = \"price\"\ncommand = \"python3 p.py\"\n");
        let c = Config::load(&p).unwrap();
        assert_eq!(c.server.listen, Some("127.0.0.1:9999".parse().unwrap()));
        assert_eq!(c.server.data, Some(p.parent().unwrap().join("store")));
        assert_eq!(c.server.max_payload_bytes, Some(1024));
        assert_eq!(c.workers, vec![Worker { activity: "price".into(), command: "python3 p.py".into() }]);
    }

    #[test]
    fn reads_nats_with_defaults_and_triggers() {
        let p = write(
            "nats",
            "[nats]\nurls = [\"nats://10.0.0.1:4222\"]\ntoken = \"s3cret\"\n\n[[nats.triggers]]\nsubject = \"orders.created\"\nstate_machine = \"order-flow\"\n",
        );
        let n = Config::load(&p).unwrap().nats.unwrap();
        assert_eq!((n.bus.prefix.as_str(), n.bus.all_activities(), n.api), ("stepline", true, true));
        assert_eq!(n.token.as_deref(), Some("s3cret"));
        assert_eq!(n.triggers[0].subject, "orders.created");
        let p = write("nats-typo", "[nats]\nurls = []\nsubjects = 1\n");
        assert!(format!("{:#}", Config::load(&p).unwrap_err()).contains("unknown field `subjects`"));
    }

    #[test]
    fn reads_amqp_with_defaults_and_triggers() {
        let p = write(
            "amqp",
            "[amqp]\nuris = [\"amqp://10.0.0.1:5672/%2f\"]\nvhost = \"orders\"\nactivities = [\"charge\"]\n\n[[amqp.triggers]]\nqueue = \"orders.created\"\nstate_machine = \"order-flow\"\n",
        );
        let a = Config::load(&p).unwrap().amqp.unwrap();
        assert_eq!((a.bus.prefix.as_str(), a.bus.all_activities(), a.prefetch), ("stepline", false, 500));
        assert_eq!(a.vhost.as_deref(), Some("orders"));
        assert_eq!(a.triggers[0].queue, "orders.created");
        let p = write("amqp-typo", "[amqp]\nuris = []\nqueue = 1\n");
        assert!(format!("{:#}", Config::load(&p).unwrap_err()).contains("unknown field `queue`"));
    }

    #[test]
    fn reads_connections_lambda_and_messaging() {
        let p = write(
            "integrations",
            "[[connections]]\nname = \"api\"\nauth = \"api_key\"\napi_key_name = \"x-api-key\"\napi_key_value_env = \"K\"\ninvocation_parameters = { headers = { \"x-tenant\" = \"acme\" } }\n\n[lambda]\nendpoint = \"http://127.0.0.1:3001\"\nfunctions = [\"resize\"]\n",
        );
        let c = Config::load(&p).unwrap();
        assert_eq!((c.connections[0].name.as_str(), c.connections[0].auth.as_str()), ("api", "api_key"));
        assert_eq!(c.connections[0].invocation_parameters.headers["x-tenant"], "acme");
        assert_eq!(c.lambda.unwrap().functions, Some(vec!["resize".to_string()]));
        let fixture =
            Config::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/integrations/stepline.toml")))
                .unwrap();
        let m = fixture.messaging.unwrap();
        assert_eq!(
            (m.sqs[0].amqp_queue.as_deref(), m.sns[0].nats_subject.as_deref()),
            (Some("orders"), Some("orders.notifications"))
        );
        let p = write("conn-typo", "[[connections]]\nname = \"a\"\nauth = \"none\"\napi_key = \"inline secret\"\n");
        assert!(format!("{:#}", Config::load(&p).unwrap_err()).contains("unknown field `api_key`"));
    }

    #[test]
    fn a_mistake_is_named_with_its_place() {
        let p = write("bad", "[server]\nlisten = \"not an address\"\n");
        let e = format!("{:#}", Config::load(&p).unwrap_err());
        assert!(e.contains("not a valid Stepline configuration") && e.contains("line 2"), "{e}");
        let p = write("unknown", "[server]\nport = 1\n");
        let e = format!("{:#}", Config::load(&p).unwrap_err());
        assert!(e.contains("unknown field `port`"), "{e}");
    }
}
