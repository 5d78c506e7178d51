//! The AMQP transport (RabbitMQ): triggers (queues whose messages start executions), task
//! dispatch (the direct exchange `stepline.tasks` into a durable queue per activity,
//! persistent messages, publisher confirms), results and heartbeats (the queue
//! `stepline.results`), `amqp:publish`, status events (the topic exchange
//! `stepline.events`) and a dead-letter exchange for messages that can never be used.
//!
//! What arrives goes through the same code as on NATS (`crate::ingest`,
//! `crate::protocol`); this module only moves bytes. One supervisor owns the connection:
//! when the broker goes away it reconnects with backoff and publishes again every task
//! the broker had not confirmed, so a restart loses nothing. One engine holds a vhost and
//! prefix (`claim.rs`); settled tasks are swept out of their queues (`sweep.rs`).

mod claim;
mod connect;
mod consume;
mod dispatch;
mod session;
mod sweep;

pub use claim::AmqpClaim;
pub use connect::connect;
pub use dispatch::{AmqpDispatcher, AmqpEvents, AMQP_PUBLISH};

use serde::Deserialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;

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
    /// First part of every exchange and queue name (default `stepline`).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Activities whose tasks go over AMQP; `["*"]` (the default) for all.
    #[serde(default = "all_activities")]
    pub activities: Vec<String>,
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
fn default_prefix() -> String {
    "stepline".into()
}
fn all_activities() -> Vec<String> {
    vec!["*".into()]
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
            prefix: default_prefix(),
            activities: all_activities(),
            triggers: Vec::new(),
        }
    }

    /// Whether tasks of every activity go over AMQP.
    pub fn all_activities(&self) -> bool {
        self.activities.iter().any(|a| a == "*")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AmqpError {
    #[error("cannot connect to AMQP at {uris}: {reason}")]
    Connect { uris: String, reason: String },
    #[error("bad AMQP URI {0}: {1}")]
    BadUri(String, String),
    #[error("cannot read the CA certificate {0}: {1}")]
    Certificate(PathBuf, std::io::Error),
    #[error("AMQP {what}: {source}")]
    Broker { what: String, source: lapin::Error },
    #[error("the AMQP connection was lost: {0}")]
    Lost(String),
    /// Another engine holds the prefix on this vhost: two engines on one prefix would
    /// take each other's results.
    #[error(
        "the AMQP prefix '{prefix}' on vhost '{vhost}' is held by {holder}; start this one with another prefix ([amqp] prefix = \"...\" in stepline.toml) or another vhost, or stop that one"
    )]
    PrefixHeld { prefix: String, vhost: String, holder: String },
}

impl AmqpError {
    fn broker(what: impl Into<String>) -> impl FnOnce(lapin::Error) -> AmqpError {
        let what = what.into();
        move |source| AmqpError::Broker { what, source }
    }
}

/// Exchange and queue names under one prefix (`../shared/DESIGN.md`).
#[derive(Debug, Clone)]
pub struct Names {
    pub prefix: String,
}

impl Names {
    /// Direct exchange that routes a task to its activity's queue.
    pub fn tasks_exchange(&self) -> String {
        format!("{}.tasks", self.prefix)
    }
    /// Durable queue of one activity's tasks, bound with the activity as routing key.
    pub fn task_queue(&self, activity: &str) -> String {
        format!("{}.tasks.{activity}", self.prefix)
    }
    /// Durable queue of results and heartbeats, reached through the default exchange.
    pub fn results_queue(&self) -> String {
        format!("{}.results", self.prefix)
    }
    /// Topic exchange of status events (`<stateMachineName>.<STATUS>`).
    pub fn events_exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }
    /// Fanout exchange (and the durable queue bound to it) of rejected messages.
    pub fn dead_letter(&self) -> String {
        format!("{}.dead-letter", self.prefix)
    }
    /// Exclusive queue of the engine's connection: whoever holds it holds the prefix.
    pub fn engine_queue(&self) -> String {
        format!("{}.engine", self.prefix)
    }
    /// Durable queue of one message: who holds the prefix.
    pub fn holder_queue(&self) -> String {
        format!("{}.engine.holder", self.prefix)
    }
}

/// What the bridge has done, for logs and tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub tasks_published: AtomicU64,
    pub results_applied: AtomicU64,
    /// Results for a token that is unknown, stale or already answered: dropped.
    pub results_dropped: AtomicU64,
    pub triggers_started: AtomicU64,
    /// Messages sent to the dead-letter exchange (bad triggers, malformed results).
    pub dead_lettered: AtomicU64,
    pub events_published: AtomicU64,
    /// Connections made again after the broker went away.
    pub reconnects: AtomicU64,
    /// Settled tasks taken out of their queue before a worker took them.
    pub tasks_withdrawn: AtomicU64,
}

impl Stats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A connection to the broker with the topology the engine needs.
pub struct AmqpBridge {
    pub settings: AmqpSettings,
    pub names: Names,
    pub stats: Arc<Stats>,
    first: Option<Arc<lapin::Connection>>,
    /// The virtual host connected to, for messages.
    vhost: String,
    claim: Arc<AmqpClaim>,
    dispatcher: Arc<AmqpDispatcher>,
    events: Arc<AmqpEvents>,
    queues: dispatch::Receivers,
}

impl AmqpBridge {
    /// [`AmqpBridge::connect_as`] this process, with no data directory to tell.
    pub async fn connect(settings: AmqpSettings) -> Result<AmqpBridge, AmqpError> {
        AmqpBridge::connect_as(settings, crate::holder::Holder::this_process(None)).await
    }

    /// Connects, claims the prefix on its vhost for `me` and declares the exchanges and
    /// queues. A broker that cannot be reached, or refuses the credentials, is an error
    /// now (with its reason); once running, the bridge reconnects for as long as it takes.
    /// A prefix another engine holds is refused ([`AmqpError::PrefixHeld`]).
    pub async fn connect_as(settings: AmqpSettings, me: crate::holder::Holder) -> Result<AmqpBridge, AmqpError> {
        let name = claim::connection_name(&me, &settings.prefix);
        let (conn, vhost) = connect::connect_named(&settings, &name).await?;
        let names = Names { prefix: settings.prefix.clone() };
        if let Err(e) = claim::take(&conn, &names, &vhost, &me, false).await {
            let _ = conn.close(200, "the prefix is held".into()).await;
            return Err(e);
        }
        let declared = async {
            let ch = conn.create_channel().await.map_err(AmqpError::broker("open a channel"))?;
            connect::declare_topology(&ch, &names).await?;
            let _ = ch.close(200, "declared".into()).await;
            Ok::<(), AmqpError>(())
        };
        if let Err(e) = declared.await {
            // Closing the connection gives the prefix up again.
            let _ = conn.close(200, "cannot declare".into()).await;
            return Err(e);
        }
        let (dispatcher, events, queues) = dispatch::channels();
        let conn = Arc::new(conn);
        let claim = Arc::new(AmqpClaim::new(me));
        claim.held_by(conn.clone());
        Ok(AmqpBridge {
            settings,
            names,
            stats: Arc::new(Stats::default()),
            first: Some(conn),
            vhost,
            claim,
            dispatcher: Arc::new(dispatcher),
            events: Arc::new(events),
            queues,
        })
    }

    /// This engine's hold on the prefix: release it on a clean shutdown.
    pub fn claim(&self) -> Arc<AmqpClaim> {
        self.claim.clone()
    }

    /// The dispatcher to route activities (and `amqp:publish`) to.
    pub fn dispatcher(&self) -> Arc<AmqpDispatcher> {
        self.dispatcher.clone()
    }

    /// The status listener that publishes status events.
    pub fn events(&self) -> Arc<AmqpEvents> {
        self.events.clone()
    }

    /// Runs until the engine drops its dispatcher or the claim is released, reconnecting
    /// whenever the broker goes away (backoff from 0.5 s up to 10 s). Stops with
    /// [`AmqpError::PrefixHeld`] if another engine took the prefix while it was away.
    pub async fn run(self, engine: Engine) -> Result<(), AmqpError> {
        let AmqpBridge { settings, names, stats, mut first, vhost, claim, queues, .. } = self;
        let mut state = session::State::new(queues);
        let mut delay = Duration::from_millis(500);
        let name = claim::connection_name(claim.holder(), &settings.prefix);
        loop {
            if claim.released() {
                return Ok(());
            }
            let conn = match first.take() {
                Some(c) => c,
                None => match connect::connect_named(&settings, &name).await {
                    Ok((c, _)) => {
                        let c = Arc::new(c);
                        stats.reconnects.fetch_add(1, Ordering::Relaxed);
                        tracing::info!("AMQP: connected again");
                        c
                    }
                    Err(e) => {
                        tracing::warn!("{e}; retrying in {delay:?}");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(10));
                        continue;
                    }
                },
            };
            claim.held_by(conn.clone());
            if claim.released() {
                let _ = conn.close(200, "the engine stops".into()).await;
                return Ok(());
            }
            let began = std::time::Instant::now();
            let held = session::Held { vhost: &vhost, me: claim.holder() };
            let ended = session::run(&conn, &settings, &names, &engine, &stats, &mut state, held).await;
            let _ = conn.close(200, "reconnecting".into()).await;
            match ended {
                _ if claim.released() => return Ok(()),
                Ok(()) => return Ok(()),
                Err(e @ AmqpError::PrefixHeld { .. }) => {
                    tracing::error!("AMQP: {e}");
                    return Err(e);
                }
                Err(e) => tracing::warn!("AMQP: {e}; reconnecting"),
            }
            if began.elapsed() > Duration::from_secs(30) {
                delay = Duration::from_millis(500);
            }
            tokio::time::sleep(delay).await;
        }
    }
}
