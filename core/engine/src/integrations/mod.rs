//! Tasks the engine answers itself instead of handing them to a worker: child executions
//! (`states:startExecution` and its patterns) and `aws-sdk:sfn:*` calls back into the
//! engine. Recognised in `commands.rs`, made in the batch that scheduled them.
//!
//! `call.rs` and `shapes.rs` are the bottom files the rest of the engine imports from;
//! `children.rs` and `sdk.rs` add the engine thread's handlers.

pub(crate) mod call;
mod children;
mod sdk;
pub(crate) mod shapes;
