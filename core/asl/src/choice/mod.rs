//! Choice rules of the JSONPath query language: compiled once from the definition by
//! [`compile_rule`] (every problem reported as a located [`Diagnostic`]), then matched against
//! each input by [`ChoiceRule::matches`] without parsing anything again.
//!
//! The semantics follow what AWS does, as recorded in the conformance corpus: a comparison
//! whose value has the wrong type is simply false, while a `Variable` (or `…Path` operand)
//! that names nothing fails the state with `States.Runtime`.
//!
//! [`Diagnostic`]: crate::diagnostics::Diagnostic

mod compile;
mod eval;
mod operator;
mod rule;
mod string_matches;

#[cfg(test)]
mod tests;

pub use compile::compile_rule;
pub use rule::{ChoiceError, ChoiceRule};
