//! The compiled form of a state machine definition. A definition is compiled once
//! ([`compile`]) and then run many times: every path, template, intrinsic call and Choice
//! rule is parsed here, never during an execution.

mod compile;
pub mod jsonata;
mod machine;
mod resource;
mod template;

pub use crate::limits::{MAX_EXPRESS_SECONDS, MAX_HISTORY_EVENTS, MAX_STANDARD_SECONDS};
pub use compile::{compile, compile_value, MachineType};
pub use machine::*;
pub use resource::{
    lambda_function_name, lambda_response, parse_resource, route, AnswerShape, IntegrationPattern, ResourceKind, Route,
    TaskTarget,
};
pub use template::{select_field, Template, TemplateError};
