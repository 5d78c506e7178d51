//! Stepline bridge: transports (embedded, NATS, AMQP), triggers, the worker protocol and
//! the control API. Only the crate boundary exists so far; the transports come next.
