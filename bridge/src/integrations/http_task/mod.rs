//! `arn:aws:states:::http:invoke`: the HTTP Task, with connections as EventBridge's.

pub mod caller;
pub mod connection;
pub mod form;
pub mod invocation;
pub mod outcome;
