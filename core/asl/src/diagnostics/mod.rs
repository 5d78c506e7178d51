//! What the validator ([`crate::model::compile_value`]) reports: every problem at once, each a
//! [`Diagnostic`] with its location and AWS's code.

mod diagnostic;

pub use diagnostic::{codes, Diagnostic, Severity};
