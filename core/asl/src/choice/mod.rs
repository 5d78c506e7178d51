//! Choice rules of the JSONPath query language: compiled once from the definition by
//! [`compile_rule`] (every problem reported as a located [`Diagnostic`]), then matched against
//! each input by [`ChoiceRule::matches`] without parsing anything again.
//!
//! The semantics follow what AWS does, as recorded in the conformance corpus: a comparison
//! whose value has the wrong type is simply false, while a `Variable` (or `…Path` operand)
//! that names nothing fails the state with `States.Runtime`.
//!
//! [`Diagnostic`]: crate::validate::Diagnostic

mod compile;
mod eval;
mod operator;
mod string_matches;
mod timestamp;

#[cfg(test)]
mod tests;

pub use compile::compile_rule;
pub use timestamp::parse_timestamp;

use crate::path::JsonPath;
use chrono::{DateTime, FixedOffset};
use operator::{Family, Relation, TypeTest};
use serde_json::Number;
use string_matches::Pattern;

/// One compiled JSONPath-language Choice rule: a top-level rule (its `Next` is kept by the
/// caller) or one nested in `And` / `Or` / `Not`.
#[derive(Debug, Clone)]
pub struct ChoiceRule {
    kind: RuleKind,
}

#[derive(Debug, Clone)]
enum RuleKind {
    And(Vec<ChoiceRule>),
    Or(Vec<ChoiceRule>),
    Not(Box<ChoiceRule>),
    /// A data-test expression: `Variable` plus exactly one comparison operator.
    Test {
        variable: JsonPath,
        test: Test,
    },
}

#[derive(Debug, Clone)]
enum Test {
    /// `IsPresent`: the only test that tolerates a `Variable` naming nothing.
    IsPresent(bool),
    /// Every other test, which needs the value the `Variable` names.
    Value(ValueTest),
}

#[derive(Debug, Clone)]
enum ValueTest {
    /// `IsNull`, `IsNumeric`, `IsString`, `IsBoolean`, `IsTimestamp`.
    Is {
        test: TypeTest,
        expected: bool,
    },
    /// `String*`, `Numeric*`, `Boolean*`, `Timestamp*` and their `…Path` forms.
    Compare {
        family: Family,
        relation: Relation,
        operand: Operand,
    },
    StringMatches(Pattern),
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
enum Operand {
    /// Checked (and, for timestamps, parsed) at compile time.
    Literal(Literal),
    /// A `…Path` operand, resolved against the same scope as `Variable`. `field` is the
    /// operator name, kept to say which field failed.
    Path { path: JsonPath, field: &'static str },
}

#[derive(Debug, Clone)]
enum Literal {
    String(String),
    Number(Number),
    Boolean(bool),
    Timestamp(DateTime<FixedOffset>),
}

/// Why a Choice rule could not be evaluated. The interpreter prefixes the message with
/// "An error occurred while executing the state '<State>' (entered at the event id #N). ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    /// The `Variable` path, or the path of a `…Path` operand, selects no value (missing
    /// property, undefined `$variable`). AWS fails the state instead of treating the rule as
    /// false; only `IsPresent` may look at a missing value.
    #[error("Invalid path '{path}': The choice state's condition path references an invalid value.")]
    InvalidPath {
        /// The path as written in the definition.
        path: String,
        /// The field that held it: `Variable` or the `…Path` operator name.
        field: &'static str,
    },
}

impl ChoiceError {
    /// The error name the state fails with (what `Retry`/`Catch` match on).
    pub fn error_name(&self) -> &'static str {
        match self {
            ChoiceError::InvalidPath { .. } => "States.Runtime",
        }
    }
}
