//! The NATS transport: triggers (JetStream consumers that start executions), task dispatch
//! (a work-queue stream per the worker protocol), results and heartbeats (a stream the
//! engine consumes), the control API over request/reply, and status events.
//!
//! Subjects and streams follow `../shared/DESIGN.md` with the prefix `stepline` (set
//! `prefix` to run several engines, or tests, on one server). One engine holds a prefix
//! (`claim.rs`): a second one on it refuses to start.

mod api;
mod claim;
mod dispatch;
mod events;
mod results;
mod triggers;

pub use claim::{PrefixClaim, CLAIM_TTL};
pub use dispatch::{NatsDispatcher, NATS_PUBLISH};
pub use events::NatsEvents;

use async_nats::jetstream::{self, stream};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;

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
    /// First token of every subject and stream name (default `stepline`).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Activities whose tasks go over NATS; `["*"]` (the default) for all.
    #[serde(default = "all_activities")]
    pub activities: Vec<String>,
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

fn default_prefix() -> String {
    "stepline".into()
}
fn all_activities() -> Vec<String> {
    vec!["*".into()]
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
            prefix: default_prefix(),
            activities: all_activities(),
            api: true,
            triggers: Vec::new(),
        }
    }

    /// Whether tasks of every activity go over NATS.
    pub fn all_activities(&self) -> bool {
        self.activities.iter().any(|a| a == "*")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    #[error("cannot connect to NATS at {urls}: {source}")]
    Connect { urls: String, source: async_nats::ConnectError },
    #[error("bad NATS server URL in {0}: {1}")]
    BadUrl(String, String),
    #[error("cannot read the credentials file {0}: {1}")]
    Credentials(PathBuf, std::io::Error),
    #[error("JetStream stream {0}: {1}")]
    Stream(String, String),
    #[error("JetStream consumer {0}: {1}")]
    Consumer(String, String),
    #[error("NATS subscription {0}: {1}")]
    Subscribe(String, String),
    /// Another engine holds the prefix: two engines on one prefix would take each
    /// other's results and API requests.
    #[error(
        "the NATS prefix '{prefix}' is held by {holder}; start this one with another prefix ([nats] prefix = \"...\" in stepline.toml), or stop that one (if it is gone, its claim lapses {} s after its last refresh)",
        CLAIM_TTL.as_secs()
    )]
    PrefixHeld { prefix: String, holder: String },
    #[error("the NATS prefix '{prefix}' was taken by {holder} while this engine was cut off from the server; stopping so that the two do not share it")]
    PrefixLost { prefix: String, holder: String },
    #[error("cannot claim the NATS prefix '{prefix}': {reason}")]
    Claim { prefix: String, reason: String },
}

/// Subject and stream names under one prefix.
#[derive(Debug, Clone)]
pub struct Names {
    pub prefix: String,
}

impl Names {
    pub fn task_subject(&self, activity: &str) -> String {
        format!("{}.tasks.{activity}", self.prefix)
    }
    pub fn results_subject(&self) -> String {
        format!("{}.results", self.prefix)
    }
    pub fn api_subject(&self, operation: &str) -> String {
        format!("{}.api.{operation}", self.prefix)
    }
    pub fn event_subject(&self, machine: &str, status: &str) -> String {
        format!("{}.events.{machine}.{status}", self.prefix)
    }
    fn stream(&self, what: &str) -> String {
        let p: String =
            self.prefix.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        format!("{p}_{what}")
    }
    pub fn tasks_stream(&self) -> String {
        self.stream("TASKS")
    }
    pub fn results_stream(&self) -> String {
        self.stream("RESULTS")
    }
    pub fn triggers_stream(&self) -> String {
        self.stream("TRIGGERS")
    }
    /// Stream of the claim of the engine that holds the prefix.
    pub fn claim_stream(&self) -> String {
        self.stream("ENGINE")
    }
    /// Subject of that claim: who holds the prefix, since when.
    pub fn claim_subject(&self) -> String {
        format!("{}.engine.holder", self.prefix)
    }

    /// Deletes the streams of this prefix, its claim's too (and every message in them):
    /// for benchmarks and tests that share a server.
    pub async fn delete_streams(&self, js: &jetstream::Context) {
        for s in [self.tasks_stream(), self.results_stream(), self.triggers_stream(), self.claim_stream()] {
            let _ = js.delete_stream(s).await;
        }
    }
}

/// A consumer name from free text: consumer names may not hold `.`, `*`, `>` or spaces.
pub fn consumer_name(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// What the bridge has done, for logs and tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub tasks_published: AtomicU64,
    pub results_applied: AtomicU64,
    /// Results for a token that is unknown, stale or already answered: dropped.
    pub results_dropped: AtomicU64,
    pub results_malformed: AtomicU64,
    pub triggers_started: AtomicU64,
    /// Trigger messages terminated (not JSON, too large, refused by the engine).
    pub triggers_rejected: AtomicU64,
    pub events_published: AtomicU64,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A connection to NATS with the streams the engine needs.
pub struct NatsBridge {
    pub settings: NatsSettings,
    pub names: Names,
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub stats: Arc<Stats>,
    claim: Arc<PrefixClaim>,
    dispatcher: Arc<NatsDispatcher>,
    dispatch_rx: tokio::sync::mpsc::UnboundedReceiver<dispatch::Outgoing>,
    events: Arc<NatsEvents>,
    events_rx: tokio::sync::mpsc::UnboundedReceiver<serde_json::Value>,
    api: Option<async_nats::Subscriber>,
}

impl NatsBridge {
    /// [`NatsBridge::connect_as`] this process, with no data directory to tell.
    pub async fn connect(settings: NatsSettings) -> Result<NatsBridge, NatsError> {
        NatsBridge::connect_as(settings, crate::holder::Holder::this_process(None)).await
    }

    /// Connects, claims the prefix for `me` and creates the task and result streams. A
    /// server that cannot be reached, or refuses the credentials, is an error now (with
    /// its reason), not a silent retry; once connected, the client reconnects for as long
    /// as it takes. A prefix another engine holds is refused ([`NatsError::PrefixHeld`]).
    ///
    /// Tasks left in the tasks stream by an earlier run are dropped: the engine hands out
    /// every task it still wants again when it opens its store, and an old copy could no
    /// longer be withdrawn when its execution ends.
    pub async fn connect_as(settings: NatsSettings, me: crate::holder::Holder) -> Result<NatsBridge, NatsError> {
        let mut opts = async_nats::ConnectOptions::new()
            .name("stepline")
            .max_reconnects(None)
            .connection_timeout(Duration::from_secs(5));
        if let (Some(u), Some(p)) = (&settings.user, &settings.password) {
            opts = opts.user_and_password(u.clone(), p.clone());
        }
        if let Some(t) = &settings.token {
            opts = opts.token(t.clone());
        }
        if let Some(f) = &settings.creds_file {
            opts = opts.credentials_file(f).await.map_err(|e| NatsError::Credentials(f.clone(), e))?;
        }
        if let Some(ca) = &settings.tls_ca {
            opts = opts.add_root_certificates(ca.clone()).require_tls(true);
        }
        let urls = settings.urls.join(",");
        let addrs: Vec<async_nats::ServerAddr> = settings
            .urls
            .iter()
            .map(|u| u.parse())
            .collect::<Result<_, _>>()
            .map_err(|e: std::io::Error| NatsError::BadUrl(urls.clone(), e.to_string()))?;
        let client = opts.connect(addrs).await.map_err(|source| NatsError::Connect { urls, source })?;
        let js = jetstream::new(client.clone());
        let names = Names { prefix: settings.prefix.clone() };
        let claim = Arc::new(PrefixClaim::take(&js, &names, me).await?);
        // Whatever fails after the claim gives it up again.
        let ready = async {
            ensure_stream(
                &js,
                stream::Config {
                    name: names.tasks_stream(),
                    subjects: vec![format!("{}.tasks.>", names.prefix)],
                    retention: stream::RetentionPolicy::WorkQueue,
                    ..Default::default()
                },
            )
            .await?;
            ensure_stream(
                &js,
                stream::Config {
                    name: names.results_stream(),
                    subjects: vec![names.results_subject()],
                    retention: stream::RetentionPolicy::WorkQueue,
                    ..Default::default()
                },
            )
            .await?;
            let tasks = names.tasks_stream();
            let stream = js.get_stream(&tasks).await.map_err(|e| NatsError::Stream(tasks.clone(), e.to_string()))?;
            let purged = stream.purge().await.map_err(|e| NatsError::Stream(tasks.clone(), e.to_string()))?;
            if purged.purged > 0 {
                tracing::info!("dropped {} tasks an earlier run left in {tasks}", purged.purged);
            }
            let api = match settings.api {
                true => Some(api::subscribe(&client, &names).await?),
                false => None,
            };
            Ok(api)
        };
        let api = match ready.await {
            Ok(api) => api,
            Err(e) => {
                claim.release().await;
                return Err(e);
            }
        };
        let stats = Arc::new(Stats::default());
        let (dispatcher, dispatch_rx) = NatsDispatcher::new();
        let (events, events_rx) = NatsEvents::new();
        Ok(NatsBridge {
            settings,
            names,
            client,
            js,
            stats,
            claim,
            dispatcher: Arc::new(dispatcher),
            dispatch_rx,
            events: Arc::new(events),
            events_rx,
            api,
        })
    }

    /// This engine's hold on the prefix: release it on a clean shutdown.
    pub fn claim(&self) -> Arc<PrefixClaim> {
        self.claim.clone()
    }

    /// The dispatcher to route activities to (see [`stepline_core::engine::Routes`]).
    pub fn dispatcher(&self) -> Arc<NatsDispatcher> {
        self.dispatcher.clone()
    }

    /// The status listener that publishes status events.
    pub fn events(&self) -> Arc<NatsEvents> {
        self.events.clone()
    }

    /// Runs every loop (task publishing, results, triggers, control API, events) until
    /// one fails for good.
    pub async fn run(self, engine: Engine) -> Result<(), NatsError> {
        let NatsBridge { settings, names, client, js, stats, claim, dispatch_rx, events_rx, api, .. } = self;
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(async move { Err(claim.lost().await) });
        tasks.spawn(dispatch::publish_loop(
            js.clone(),
            client.clone(),
            engine.clone(),
            names.clone(),
            dispatch_rx,
            stats.clone(),
        ));
        tasks.spawn(results::consume_loop(js.clone(), names.clone(), engine.clone(), stats.clone()));
        tasks.spawn(events::publish_loop(client.clone(), names.clone(), events_rx, stats.clone()));
        if !settings.triggers.is_empty() {
            tasks.spawn(triggers::run(js.clone(), names.clone(), settings.triggers.clone(), engine.clone(), stats));
        }
        if let Some(sub) = api {
            tasks.spawn(api::serve(client, sub, engine));
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(e) => tracing::error!("a NATS loop stopped: {e}"),
            }
        }
        Ok(())
    }
}

/// Creates a stream, or updates it to this configuration when it exists.
async fn ensure_stream(js: &jetstream::Context, config: stream::Config) -> Result<(), NatsError> {
    let name = config.name.clone();
    js.create_or_update_stream(config).await.map(drop).map_err(|e| NatsError::Stream(name, e.to_string()))
}

/// Runs a blocking engine call off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}
