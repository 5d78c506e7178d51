//! Prometheus metrics (`GET /metrics`, text exposition format 0.0.4): the engine's
//! counters, the store, the buses and the HTTP API, named `stepline_*` with HELP and TYPE
//! lines. `docs/operations.md` lists every metric and what it means.

pub mod exposition;
pub mod http_counts;
pub mod render;
pub mod sources;
