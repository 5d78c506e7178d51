//! Map Runs: a Distributed Map's items (read from the state input, a file or an object
//! store) run as child executions, STANDARD ones durable and listed, EXPRESS ones in
//! memory, up to `MaxConcurrency` at a time, with tolerated failures, and their results
//! returned or written out as AWS lays them out.
//!
//! `live.rs`, `items.rs` and `spill.rs` are the bottom files; `source.rs` opens readers
//! (`manifest.rs` reads an S3 Inventory's files one after the other), `start.rs`
//! creates or resumes a run, `advance.rs` starts children and counts them as they end,
//! `results.rs` gathers what the run answers and writes.

mod advance;
pub(crate) mod items;
pub(crate) mod live;
mod manifest;
mod results;
mod source;
mod spill;
mod start;
mod update;
