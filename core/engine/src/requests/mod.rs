//! The engine thread's handlers, one file per family of requests. Each applies its
//! request to the engine's state inside the batch in progress and collects what must
//! happen after the commit in the batch's effects.

mod definitions;
pub(crate) mod executions;
mod tasks;
