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
mod error;
mod publisher;
mod session;
mod settings;
mod sweep;

pub use crate::bus::{Names, Stats};
pub use claim::AmqpClaim;
pub use connect::connect;
pub use dispatch::{AmqpDispatcher, AmqpEvents, AMQP_PUBLISH};
pub use error::{AmqpError, ConnectFailures};
pub use publisher::{AmqpPublisher, NotPublished};
pub use settings::{AmqpSettings, AmqpTrigger};

use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::Engine;

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
        let name = claim::connection_name(&me, &settings.bus.prefix);
        let (conn, vhost) = connect::connect_named(&settings, &name).await?;
        let names = Names { prefix: settings.bus.prefix.clone() };
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
        let name = claim::connection_name(claim.holder(), &settings.bus.prefix);
        loop {
            if claim.released() {
                return Ok(());
            }
            let conn = match first.take() {
                Some(c) => c,
                None => match connect::connect_named(&settings, &name).await {
                    Ok((c, _)) => {
                        let c = Arc::new(c);
                        Stats::count(&stats.reconnects);
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
            stats.connected.store(1, std::sync::atomic::Ordering::Relaxed);
            let ended = session::run(&conn, &settings, &names, &engine, &stats, &mut state, held).await;
            stats.connected.store(0, std::sync::atomic::Ordering::Relaxed);
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

impl crate::bus::Bus for AmqpBridge {
    fn name(&self) -> &'static str {
        "AMQP"
    }
    fn publish_activity(&self) -> &'static str {
        AMQP_PUBLISH
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
