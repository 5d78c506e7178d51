//! Stepline's load benchmarks, run by `stepline bench`: a definition many times in
//! memory, durable executions through the engine, tasks over the embedded queues, NATS
//! or AMQP (and those buses bare, as the ceiling), a Distributed Map's Map Run over a
//! file of items, and the dashboard over a full store.
//! Apart from the binary so that the bus clients the benchmarks' workers need stay out
//! of it. Each mode has its own file; `args` and `report` are the bottom they share.

mod amqp;
mod args;
mod dashboard;
mod durable;
mod http;
mod map_run;
mod memory;
mod nats;
mod report;
mod retention;
mod tasks;

pub use args::{Args, Readers};

use anyhow::Result;
use std::process::ExitCode;
use tasks::Bus;

/// Runs the mode the flags choose: `--dashboard`, `--nats`/`--amqp` (with `--baseline`,
/// the bus alone), `--standard --tasks`, `--standard`, or in memory.
pub fn main(a: Args, read: Readers) -> Result<ExitCode> {
    if a.dashboard {
        return dashboard::run(a, read);
    }
    if a.http {
        return http::run(a);
    }
    if a.prune_from.is_some() {
        return retention::run(a, read);
    }
    if a.map_items.is_some() {
        return map_run::run(a, read);
    }
    if let Some(url) = a.nats.clone() {
        if a.baseline {
            return nats::baseline(a, &url);
        }
        return tasks::run(a, read, Bus::Nats(&url));
    }
    if let Some(uri) = a.amqp.clone() {
        if a.baseline {
            return amqp::baseline(a, &uri);
        }
        return tasks::run(a, read, Bus::Amqp(&uri));
    }
    if a.standard && a.tasks {
        return tasks::run(a, read, Bus::InProcess);
    }
    if a.standard {
        return durable::run(a, read);
    }
    memory::run(a, read)
}
