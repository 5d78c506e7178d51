//! The NATS transport: triggers (JetStream consumers that start executions), task dispatch
//! (a work-queue stream per the worker protocol), results and heartbeats (a stream the
//! engine consumes), the control API over request/reply, and status events.
//!
//! Subjects and streams follow `../shared/DESIGN.md` with the prefix `stepline` (set
//! `prefix` to run several engines, or tests, on one server). One engine holds a prefix
//! (`claim.rs`): a second one on it refuses to start.

mod ack;
mod api;
mod claim;
mod dispatch;
mod error;
mod events;
mod results;
mod settings;
mod streams;
mod triggers;

pub use claim::{PrefixClaim, CLAIM_TTL};
pub use dispatch::{NatsDispatcher, NATS_PUBLISH};

pub use crate::bus::names::consumer_name;
pub use crate::bus::{Names, Stats};
pub use error::{BoxError, NatsError};
pub use settings::{NatsSettings, TriggerSettings};
/// The status listener that publishes status events on NATS.
pub type NatsEvents = crate::bus::StatusEvents;

use crate::bus::StatusEvent;
use async_nats::jetstream::{self, stream};
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;
use streams::ensure_stream;

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
    events_rx: tokio::sync::mpsc::UnboundedReceiver<StatusEvent>,
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
            opts =
                opts.credentials_file(f).await.map_err(|source| NatsError::Credentials { path: f.clone(), source })?;
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
            .map_err(|source: std::io::Error| NatsError::BadUrl { urls: urls.clone(), source })?;
        let client = opts.connect(addrs).await.map_err(|source| NatsError::Connect { urls, source })?;
        let js = jetstream::new(client.clone());
        let names = Names { prefix: settings.bus.prefix.clone() };
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
            let stream = js.get_stream(&tasks).await.map_err(|e| NatsError::stream(&tasks)(e.into()))?;
            let purged = stream.purge().await.map_err(|e| NatsError::stream(&tasks)(e.into()))?;
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

impl crate::bus::Bus for NatsBridge {
    fn name(&self) -> &'static str {
        "NATS"
    }
    fn publish_activity(&self) -> &'static str {
        NATS_PUBLISH
    }
    fn bus_settings(&self) -> &crate::bus::BusSettings {
        &self.settings.bus
    }
    fn task_dispatcher(&self) -> Arc<dyn stepline_core::engine::Dispatcher> {
        self.dispatcher.clone()
    }
    fn status_listener(&self) -> Arc<dyn stepline_core::engine::StatusListener> {
        self.events.clone()
    }
}
