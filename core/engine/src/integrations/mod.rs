//! Tasks the engine answers itself instead of handing them to a worker: child executions
//! (`states:startExecution` and its patterns) and `aws-sdk:sfn:*` calls back into the
//! engine. Recognised in `commands.rs`, made in the batch that scheduled them.

mod call;
mod children;
mod sdk;
mod shapes;

pub(crate) use call::{ChildLink, EngineCall, PendingCall};
pub(crate) use children::ParentCall;
pub(crate) use shapes::STARTED_BY_KEY;
