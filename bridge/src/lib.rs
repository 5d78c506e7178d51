//! Stepline bridge: how the outside world reaches the engine. The control API (AWS Step
//! Functions operation names and JSON shapes) over HTTP with the AWS JSON 1.0 protocol
//! and over NATS request/reply, with their clients (`client/`); the worker protocol (`protocol.rs`, the same JSON on every
//! bus); what every bus shares (`bus/`); the NATS (`nats/`) and AMQP (`amqp/`) transports:
//! framing, acks, connections and reconnects; and the claim that keeps one engine per bus prefix (`holder.rs`).

pub mod amqp;
pub mod api;
pub mod bus;
pub mod client;
pub mod embedded;
pub mod holder;
pub mod http;
pub mod integrations;
pub mod metrics;
pub mod nats;
pub mod not_configured;
pub mod protocol;
