//! Where the metrics come from besides the engine: the HTTP API's counts and each bus.

use super::http_counts::HttpCounts;
use crate::bus::Stats;
use std::sync::Arc;

/// A bus as the metrics see it: its counters, whether it is connected, how many times it
/// connected again.
pub struct BusGauge {
    /// `nats` or `amqp`.
    pub bus: &'static str,
    pub stats: Arc<Stats>,
    pub connected: Box<dyn Fn() -> bool + Send + Sync>,
    pub reconnects: Box<dyn Fn() -> u64 + Send + Sync>,
}

#[derive(Default)]
pub struct MetricsSources {
    pub http: Arc<HttpCounts>,
    pub buses: Vec<BusGauge>,
}

impl MetricsSources {
    pub fn with_bus(mut self, bus: BusGauge) -> Self {
        self.buses.push(bus);
        self
    }
}

/// The NATS bus: its client knows whether it is connected and how often it connected.
pub fn nats_gauge(b: &crate::nats::NatsBridge) -> BusGauge {
    use std::sync::atomic::Ordering;
    let (state, stats) = (b.client.clone(), b.client.clone());
    BusGauge {
        bus: "nats",
        stats: b.stats.clone(),
        connected: Box::new(move || state.connection_state() == async_nats::connection::State::Connected),
        reconnects: Box::new(move || stats.statistics().connects.load(Ordering::Relaxed).saturating_sub(1)),
    }
}

/// The AMQP bus: its session loop notes both.
pub fn amqp_gauge(b: &crate::amqp::AmqpBridge) -> BusGauge {
    use std::sync::atomic::Ordering;
    let (connected, reconnects) = (b.stats.clone(), b.stats.clone());
    BusGauge {
        bus: "amqp",
        stats: b.stats.clone(),
        connected: Box::new(move || connected.connected.load(Ordering::Relaxed) == 1),
        reconnects: Box::new(move || reconnects.reconnects.load(Ordering::Relaxed)),
    }
}
