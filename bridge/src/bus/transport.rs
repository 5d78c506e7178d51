//! What the engine's routing needs of a bus, whichever it is: its shared settings (which
//! activities it takes), the dispatcher of its tasks and `*:publish` tasks, and the
//! listener that publishes its status events. The binary routes every configured bus
//! through this one trait.

use super::settings::BusSettings;
use std::sync::Arc;
use stepline_core::engine::{Dispatcher, StatusListener};

/// A connected bus, as the engine's routes see it.
pub trait Bus {
    /// The bus's name for messages (`NATS`, `AMQP`).
    fn name(&self) -> &'static str;
    /// The activity of this bus's `*:publish` tasks (`nats:publish`, `amqp:publish`).
    fn publish_activity(&self) -> &'static str;
    /// `prefix` and `activities`.
    fn bus_settings(&self) -> &BusSettings;
    /// Takes the tasks routed to this bus.
    fn task_dispatcher(&self) -> Arc<dyn Dispatcher>;
    /// Publishes every execution status change on this bus.
    fn status_listener(&self) -> Arc<dyn StatusListener>;
}
