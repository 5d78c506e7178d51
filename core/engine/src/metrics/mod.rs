//! What the engine counts for operators (the bridge serves it as Prometheus metrics):
//! executions started and ended, state transitions, tasks handed out, answered and timed
//! out with their latency, commits and their size. Counted on the threads that do the
//! work, read by whoever scrapes.

pub mod counters;
pub mod histogram;
