//! Stepline bridge: how the outside world reaches the engine. The control API (AWS Step
//! Functions operation names and JSON shapes) over HTTP with the AWS JSON 1.0 protocol
//! and over NATS request/reply; the worker protocol (`protocol.rs`, the same JSON on every
//! bus); the NATS (`nats/`) and AMQP (`amqp/`) transports: triggers, task dispatch, results,
//! status events; and the claim that keeps one engine per bus prefix (`holder.rs`).

pub mod amqp;
pub mod api;
pub mod holder;
pub mod http;
pub mod ingest;
pub mod nats;
pub mod not_configured;
pub mod protocol;
