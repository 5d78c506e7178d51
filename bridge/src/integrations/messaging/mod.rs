//! AWS messaging (`sqs:sendMessage`, `sns:publish`, `events:putEvents`) mapped onto the
//! buses Stepline speaks, so a state machine written for AWS runs unchanged on NATS or
//! RabbitMQ.

pub mod ids;
pub mod mapping;
pub mod publisher;
pub mod shapes;
