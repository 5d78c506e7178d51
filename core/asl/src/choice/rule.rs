//! What a compiled Choice rule is: its tests, operands and literals, and the error of
//! evaluating one; the compiler builds these and the evaluator reads them.

use super::operator::{Family, Relation, TypeTest};
use super::string_matches::Pattern;
use crate::error_names;
use crate::path::JsonPath;
use chrono::{DateTime, FixedOffset};
use serde_json::Number;

/// One compiled JSONPath-language Choice rule: a top-level rule (its `Next` is kept by the
/// caller) or one nested in `And` / `Or` / `Not`.
#[derive(Debug, Clone)]
pub struct ChoiceRule {
    pub(super) kind: RuleKind,
}

#[derive(Debug, Clone)]
pub(super) enum RuleKind {
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
pub(super) enum Test {
    /// `IsPresent`: the only test that tolerates a `Variable` naming nothing.
    IsPresent(bool),
    /// Every other test, which needs the value the `Variable` names.
    Value(ValueTest),
}

#[derive(Debug, Clone)]
pub(super) enum ValueTest {
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
pub(super) enum Operand {
    /// Checked (and, for timestamps, parsed) at compile time.
    Literal(Literal),
    /// A `…Path` operand, resolved against the same scope as `Variable`. `field` is the
    /// operator name, kept to say which field failed.
    Path { path: JsonPath, field: &'static str },
}

#[derive(Debug, Clone)]
pub(super) enum Literal {
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
            ChoiceError::InvalidPath { .. } => error_names::RUNTIME,
        }
    }
}
