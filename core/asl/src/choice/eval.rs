//! Matching a compiled rule against the state's input, context object and variables.
//!
//! What AWS recorded: a comparison only holds between values of its own type (a number is
//! never a `StringEquals` match, `1` never `BooleanEquals: true`, a string that is not a
//! timestamp never a `Timestamp…` match); the answer is then `false`, not an error. Numbers
//! compare by value whatever their notation (`1 == 1.0`). Only a path that selects nothing is
//! an error, except under `IsPresent`, whose whole point is to ask.

use super::operator::{Family, TypeTest};
use super::rule::{ChoiceError, ChoiceRule, Literal, Operand, RuleKind, Test, ValueTest};
use crate::path::{JsonPath, Scope};
use crate::time::rfc3339::parse as parse_timestamp;
use chrono::{DateTime, FixedOffset};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

impl ChoiceRule {
    /// Evaluates the rule against `scope.input` (the state's effective input), with `$$` and
    /// `$name` resolved from the scope. `And`/`Or` stop at the first rule that decides, so a
    /// later rule's missing path is not an error when an earlier one already decided.
    pub fn matches(&self, scope: &Scope<'_>) -> Result<bool, ChoiceError> {
        match &self.kind {
            RuleKind::And(rules) => {
                for rule in rules {
                    if !rule.matches(scope)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            RuleKind::Or(rules) => {
                for rule in rules {
                    if rule.matches(scope)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            RuleKind::Not(rule) => Ok(!rule.matches(scope)?),
            RuleKind::Test { variable, test } => test_value(variable, test, scope),
        }
    }
}

fn test_value(variable: &JsonPath, test: &Test, scope: &Scope<'_>) -> Result<bool, ChoiceError> {
    let test = match test {
        Test::IsPresent(expected) => return Ok(variable.exists(scope) == *expected),
        Test::Value(test) => test,
    };
    let value = resolve(variable, "Variable", scope)?;
    Ok(match test {
        ValueTest::Is { test, expected } => is_type(*test, &value) == *expected,
        ValueTest::StringMatches(pattern) => value.as_str().is_some_and(|s| pattern.matches(s)),
        ValueTest::Compare { family, relation, operand } => {
            let selected;
            let rhs = match operand {
                Operand::Literal(literal) => Some(literal_scalar(literal)),
                Operand::Path { path, field } => {
                    selected = resolve(path, field, scope)?;
                    scalar(&selected, *family)
                }
            };
            match (scalar(&value, *family), rhs) {
                (Some(l), Some(r)) => compare(&l, &r).is_some_and(|o| relation.holds(o)),
                _ => false,
            }
        }
    })
}

/// The value a path selects, or the error AWS raises when it selects nothing.
fn resolve<'v>(path: &JsonPath, field: &'static str, scope: &Scope<'v>) -> Result<Cow<'v, Value>, ChoiceError> {
    path.select_ref(scope).map_err(|_| ChoiceError::InvalidPath { path: path.source().to_string(), field })
}

fn is_type(test: TypeTest, value: &Value) -> bool {
    match test {
        TypeTest::Null => value.is_null(),
        TypeTest::Numeric => value.is_number(),
        TypeTest::String => value.is_string(),
        TypeTest::Boolean => value.is_boolean(),
        TypeTest::Timestamp => value.as_str().and_then(parse_timestamp).is_some(),
    }
}

/// A value seen as a member of one comparison family.
enum Scalar<'a> {
    String(&'a str),
    Number(&'a Number),
    Boolean(bool),
    Timestamp(DateTime<FixedOffset>),
}

/// `value` as a member of `family`, or `None` when it is of another type (the comparison is
/// then false). Input strings are parsed as timestamps here: they are data, not definition.
fn scalar(value: &Value, family: Family) -> Option<Scalar<'_>> {
    match (family, value) {
        (Family::String, Value::String(s)) => Some(Scalar::String(s)),
        (Family::Numeric, Value::Number(n)) => Some(Scalar::Number(n)),
        (Family::Boolean, Value::Bool(b)) => Some(Scalar::Boolean(*b)),
        (Family::Timestamp, Value::String(s)) => parse_timestamp(s).map(Scalar::Timestamp),
        _ => None,
    }
}

fn literal_scalar(literal: &Literal) -> Scalar<'_> {
    match literal {
        Literal::String(s) => Scalar::String(s),
        Literal::Number(n) => Scalar::Number(n),
        Literal::Boolean(b) => Scalar::Boolean(*b),
        Literal::Timestamp(t) => Scalar::Timestamp(*t),
    }
}

fn compare(left: &Scalar<'_>, right: &Scalar<'_>) -> Option<Ordering> {
    match (left, right) {
        // AWS runs on the JVM, whose String.compareTo orders by UTF-16 code unit.
        (Scalar::String(a), Scalar::String(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        (Scalar::Number(a), Scalar::Number(b)) => compare_numbers(a, b),
        (Scalar::Boolean(a), Scalar::Boolean(b)) => Some(a.cmp(b)),
        (Scalar::Timestamp(a), Scalar::Timestamp(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Numbers by value: integers exactly, an integer against a float without rounding the
/// integer, floats as floats.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    match (integer(a), integer(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        (Some(x), None) => compare_integer_float(x, b.as_f64()?),
        (None, Some(y)) => compare_integer_float(y, a.as_f64()?).map(Ordering::reverse),
        (None, None) => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn integer(n: &Number) -> Option<i128> {
    n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from))
}

fn compare_integer_float(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // i128 spans [-2^127, 2^127), and both bounds are exact as f64.
    if f >= i128::MAX as f64 {
        return Some(Ordering::Less);
    }
    if f < i128::MIN as f64 {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    match i.cmp(&(whole as i128)) {
        Ordering::Equal => 0f64.partial_cmp(&(f - whole)),
        unequal => Some(unequal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(v: Value) -> Number {
        match v {
            Value::Number(n) => n,
            other => panic!("{other} is not a number"),
        }
    }

    fn cmp(a: Value, b: Value) -> Option<Ordering> {
        compare_numbers(&num(a), &num(b))
    }

    #[test]
    fn numbers_compare_by_value_across_notations() {
        assert_eq!(cmp(json!(1), json!(1.0)), Some(Ordering::Equal));
        assert_eq!(cmp(json!(0.0), json!(0)), Some(Ordering::Equal));
        assert_eq!(cmp(json!(-0.0), json!(0)), Some(Ordering::Equal));
        assert_eq!(cmp(json!(1.1), json!(1)), Some(Ordering::Greater));
        assert_eq!(cmp(json!(-1), json!(-0.5)), Some(Ordering::Less));
        assert_eq!(cmp(json!(-1), json!(-1.5)), Some(Ordering::Greater));
        assert_eq!(cmp(json!(u64::MAX), json!(-1)), Some(Ordering::Greater));
        assert_eq!(cmp(json!(i64::MIN), json!(u64::MAX)), Some(Ordering::Less));
        // 2^53 + 1 is not representable as f64: comparing as floats would call these equal.
        assert_eq!(cmp(json!(9_007_199_254_740_993u64), json!(9_007_199_254_740_992.0)), Some(Ordering::Greater));
        assert_eq!(cmp(json!(1), json!(1e300)), Some(Ordering::Less));
        assert_eq!(cmp(json!(1), json!(-1e300)), Some(Ordering::Greater));
        assert_eq!(cmp(json!(2.5), json!(2.25)), Some(Ordering::Greater));
    }

    #[test]
    fn strings_order_by_utf16_code_units() {
        // U+FF61 sorts after U+1F600 by code point, before it by UTF-16 code unit (surrogates).
        let a = Scalar::String("\u{FF61}");
        let b = Scalar::String("\u{1F600}");
        assert_eq!(compare(&a, &b), Some(Ordering::Greater));
        assert_eq!(compare(&Scalar::String("A"), &Scalar::String("AB")), Some(Ordering::Less));
    }
}
