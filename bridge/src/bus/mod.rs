//! What every bus shares, so that NATS and AMQP are only framing, acks, connections and
//! reconnects: the settings they have in common, their counters, the names of
//! `../shared/DESIGN.md`, what becomes of a message that arrives, the pure half of the
//! `*:publish` tasks, status events, and the one way to call the engine from async code.

pub mod call;
pub mod disposition;
pub mod events;
pub mod exec_logs;
pub mod ingest;
pub mod integration;
pub mod names;
pub mod settings;
pub mod stats;
pub mod transport;

pub use disposition::Disposition;
pub use events::{StatusEvent, StatusEvents};
pub use names::Names;
pub use settings::BusSettings;
pub use stats::Stats;
pub use transport::Bus;
