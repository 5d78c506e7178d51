//! Choice semantics as recorded on AWS Step Functions (LocalStack's snapshot tests,
//! `tests/aws/services/stepfunctions/v2/choice_operators`, Apache-2.0, recorded on AWS),
//! written out as tables, plus the runtime errors and a no-panic property.
//!
//! Length: the recorded tables, one per operator family, are data rather than logic; they
//! stay in one file so each table sits beside the one helper that runs it.

use super::{compile_rule, ChoiceError, ChoiceRule};
use crate::path::Scope;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn rule(rule: Value) -> ChoiceRule {
    compile_rule(&rule, "/States/CheckValues/Choices/0", true).unwrap_or_else(|d| panic!("{rule} rejected: {d:?}"))
}

fn eval(rule: &ChoiceRule, input: &Value) -> Result<bool, ChoiceError> {
    eval_with(rule, input, &Value::Null, &Map::new())
}

fn eval_with(
    rule: &ChoiceRule,
    input: &Value,
    context: &Value,
    vars: &Map<String, Value>,
) -> Result<bool, ChoiceError> {
    rule.matches(&Scope { input, context, vars })
}

/// One recorded execution: `(Variable, Value, matched)`. The recorded state machine is
/// `{"Variable": "$.Variable", <op>: <Value>, "Next": "ConditionTrue"}` (a `…Path` operator
/// gets `"$.Value"` instead of the literal) with `Default: "ConditionFalse"`, run on the input
/// `{"Variable": <Variable>, "Value": <Value>}`; `matched` is whether AWS took `ConditionTrue`.
type Recorded = (Value, Value, bool);

fn check(op: &str, rows: &[Recorded]) {
    for (variable, value, matched) in rows {
        let operand = if op.ends_with("Path") { json!("$.Value") } else { value.clone() };
        let mut definition = json!({"Variable": "$.Variable", "Next": "ConditionTrue"});
        definition[op] = operand;
        let input = json!({"Variable": variable, "Value": value});
        let got = eval(&rule(definition), &input);
        assert_eq!(got, Ok(*matched), "{op} on {input}");
    }
}

// ---- Every recorded comparison, one table per operator ----

#[test]
fn boolean_equals() {
    check(
        "BooleanEquals",
        &[
            (json!(null), json!(true), false),
            (json!(1.1), json!(false), false),
            (json!(""), json!(true), false),
            (json!(" "), json!(true), false),
            (json!(" "), json!(false), false),
            (json!("HelloWorld"), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(true), false),
            (json!(null), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(false), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(true), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), false),
            (json!("2023-02-24"), json!(true), false),
            (json!("2023-02-24"), json!(false), false),
            (json!([]), json!(true), false),
            (json!([]), json!(false), false),
            (json!([""]), json!(true), false),
            (json!([""]), json!(false), false),
            (json!({}), json!(true), false),
            (json!(0), json!(true), false),
            (json!({}), json!(false), false),
            (json!({"A": 0}), json!(true), false),
            (json!({"A": 0}), json!(false), false),
            (json!(false), json!(true), false),
            (json!(false), json!(false), true),
            (json!(0), json!(false), false),
            (json!(0.0), json!(true), false),
            (json!(0.0), json!(false), false),
            (json!(1), json!(true), false),
            (json!(1.1), json!(true), false),
        ],
    );
}

#[test]
fn boolean_equals_path() {
    check(
        "BooleanEqualsPath",
        &[
            (json!(null), json!(true), false),
            (json!(1.1), json!(false), false),
            (json!(""), json!(false), false),
            (json!(" "), json!(true), false),
            (json!(" "), json!(false), false),
            (json!("HelloWorld"), json!(true), false),
            (json!("HelloWorld"), json!(false), false),
            (json!("2012-10-09T19:00:55"), json!(true), false),
            (json!("2012-10-09T19:00:55"), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(true), false),
            (json!(null), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(false), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(true), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), false),
            (json!("2023-02-24"), json!(false), false),
            (json!([]), json!(true), false),
            (json!([]), json!(false), false),
            (json!([""]), json!(true), false),
            (json!([""]), json!(false), false),
            (json!({}), json!(true), false),
            (json!(0), json!(true), false),
            (json!({"A": 0}), json!(true), false),
            (json!({"A": 0}), json!(false), false),
            (json!(true), json!(true), true),
            (json!(false), json!(true), false),
            (json!(false), json!(false), true),
            (json!(0.0), json!(false), false),
            (json!(1), json!(true), false),
            (json!(1), json!(false), false),
            (json!(1.1), json!(true), false),
        ],
    );
}

#[test]
fn is_boolean() {
    check(
        "IsBoolean",
        &[
            (json!(1.1), json!(false), true),
            (json!(""), json!(true), false),
            (json!(""), json!(false), true),
            (json!(" "), json!(true), false),
            (json!(" "), json!(false), true),
            (json!("HelloWorld"), json!(true), false),
            (json!("HelloWorld"), json!(false), true),
            (json!("2012-10-09T19:00:55"), json!(true), false),
            (json!("2012-10-09T19:00:55"), json!(false), true),
            (json!("2012-10-09T19:00:55Z"), json!(true), false),
            (json!(null), json!(false), true),
            (json!("2012-10-09T19:00:55Z"), json!(false), true),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), true),
            (json!("2023-02-24"), json!(true), false),
            (json!("2023-02-24"), json!(false), true),
            (json!([]), json!(true), false),
            (json!([]), json!(false), true),
            (json!([""]), json!(true), false),
            (json!([""]), json!(false), true),
            (json!({}), json!(true), false),
            (json!(0), json!(true), false),
            (json!({}), json!(false), true),
            (json!({"A": 0}), json!(true), false),
            (json!({"A": 0}), json!(false), true),
            (json!(true), json!(true), true),
            (json!(false), json!(true), true),
            (json!(false), json!(false), false),
            (json!(0), json!(false), true),
            (json!(0.0), json!(true), false),
            (json!(0.0), json!(false), true),
            (json!(1), json!(true), false),
            (json!(1.1), json!(true), false),
        ],
    );
}

#[test]
fn is_null() {
    check(
        "IsNull",
        &[
            (json!(null), json!(true), true),
            (json!(""), json!(true), false),
            (json!(""), json!(false), true),
            (json!("HelloWorld"), json!(true), false),
            (json!("HelloWorld"), json!(false), true),
            (json!("2012-10-09T19:00:55Z"), json!(true), false),
            (json!(null), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(false), true),
            (json!("2012-10-09T19:00:55+01:00"), json!(true), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), true),
            (json!("2023-02-24"), json!(true), false),
            (json!("2023-02-24"), json!(false), true),
            (json!([]), json!(true), false),
            (json!([]), json!(false), true),
            (json!([""]), json!(true), false),
            (json!([""]), json!(false), true),
            (json!(0), json!(true), false),
            (json!({}), json!(false), true),
            (json!({"A": 0}), json!(true), false),
            (json!({"A": 0}), json!(false), true),
            (json!(true), json!(true), false),
            (json!(false), json!(true), false),
            (json!(false), json!(false), true),
            (json!(0), json!(false), true),
            (json!(0.0), json!(true), false),
            (json!(0.0), json!(false), true),
            (json!(1), json!(true), false),
            (json!(1), json!(false), true),
            (json!(1.1), json!(true), false),
        ],
    );
}

#[test]
fn is_numeric() {
    check(
        "IsNumeric",
        &[
            (json!(null), json!(true), false),
            (json!(1.1), json!(false), false),
            (json!(""), json!(true), false),
            (json!(""), json!(false), true),
            (json!(" "), json!(true), false),
            (json!(" "), json!(false), true),
            (json!("HelloWorld"), json!(true), false),
            (json!("HelloWorld"), json!(false), true),
            (json!("2012-10-09T19:00:55"), json!(true), false),
            (json!("2012-10-09T19:00:55"), json!(false), true),
            (json!("2012-10-09T19:00:55Z"), json!(true), false),
            (json!("2012-10-09T19:00:55Z"), json!(false), true),
            (json!("2012-10-09T19:00:55+01:00"), json!(true), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), true),
            (json!("2023-02-24"), json!(true), false),
            (json!("2023-02-24"), json!(false), true),
            (json!([]), json!(true), false),
            (json!([]), json!(false), true),
            (json!([""]), json!(true), false),
            (json!([""]), json!(false), true),
            (json!({}), json!(true), false),
            (json!(0), json!(true), true),
            (json!({}), json!(false), true),
            (json!({"A": 0}), json!(true), false),
            (json!({"A": 0}), json!(false), true),
            (json!(true), json!(true), false),
            (json!(false), json!(true), false),
            (json!(false), json!(false), true),
            (json!(0), json!(false), false),
            (json!(0.0), json!(true), true),
            (json!(0.0), json!(false), false),
            (json!(1), json!(true), true),
            (json!(1), json!(false), false),
            (json!(1.1), json!(true), true),
        ],
    );
}

#[test]
fn is_present() {
    check(
        "IsPresent",
        &[
            (json!(null), json!(true), true),
            (json!(1.1), json!(false), false),
            (json!(""), json!(true), true),
            (json!(""), json!(false), false),
            (json!(" "), json!(false), false),
            (json!("HelloWorld"), json!(true), true),
            (json!("HelloWorld"), json!(false), false),
            (json!("2012-10-09T19:00:55"), json!(true), true),
            (json!("2012-10-09T19:00:55"), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(true), true),
            (json!("2012-10-09T19:00:55Z"), json!(false), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(true), true),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), false),
            (json!("2023-02-24"), json!(true), true),
            (json!("2023-02-24"), json!(false), false),
            (json!([]), json!(false), false),
            (json!([""]), json!(true), true),
            (json!([""]), json!(false), false),
            (json!({}), json!(true), true),
            (json!(0), json!(true), true),
            (json!({}), json!(false), false),
            (json!({"A": 0}), json!(true), true),
            (json!({"A": 0}), json!(false), false),
            (json!(true), json!(true), true),
            (json!(false), json!(false), false),
            (json!(0), json!(false), false),
            (json!(0.0), json!(true), true),
            (json!(0.0), json!(false), false),
            (json!(1), json!(true), true),
            (json!(1), json!(false), false),
            (json!(1.1), json!(true), true),
        ],
    );
}

#[test]
fn is_string() {
    check(
        "IsString",
        &[
            (json!(null), json!(true), false),
            (json!(1.1), json!(false), true),
            (json!(""), json!(true), true),
            (json!(" "), json!(true), true),
            (json!(" "), json!(false), false),
            (json!("HelloWorld"), json!(true), true),
            (json!("HelloWorld"), json!(false), false),
            (json!("2012-10-09T19:00:55"), json!(true), true),
            (json!("2012-10-09T19:00:55"), json!(false), false),
            (json!("2012-10-09T19:00:55Z"), json!(true), true),
            (json!("2012-10-09T19:00:55Z"), json!(false), false),
            (json!("2012-10-09T19:00:55+01:00"), json!(true), true),
            (json!("2012-10-09T19:00:55+01:00"), json!(false), false),
            (json!("2023-02-24"), json!(true), true),
            (json!([]), json!(true), false),
            (json!([""]), json!(true), false),
            (json!([""]), json!(false), true),
            (json!({}), json!(true), false),
            (json!({}), json!(false), true),
            (json!({"A": 0}), json!(true), false),
            (json!({"A": 0}), json!(false), true),
            (json!(true), json!(true), false),
            (json!(false), json!(true), false),
            (json!(false), json!(false), true),
            (json!(0.0), json!(true), false),
            (json!(0.0), json!(false), true),
            (json!(1), json!(true), false),
            (json!(1.1), json!(true), false),
        ],
    );
}

#[test]
fn numeric_equals() {
    check(
        "NumericEquals",
        &[
            (json!(0.0), json!(1.0), false),
            (json!(1), json!(0), false),
            (json!(1), json!(0.0), false),
            (json!(1), json!(1), true),
            (json!(1), json!(1.0), true),
            (json!(1.1), json!(0), false),
            (json!(1.1), json!(1), false),
            (json!(null), json!(0.0), false),
            (json!(1.1), json!(1.0), false),
            (json!(""), json!(0), false),
            (json!(""), json!(0.0), false),
            (json!(""), json!(1), false),
            (json!(" "), json!(0), false),
            (json!(" "), json!(0.0), false),
            (json!(" "), json!(1), false),
            (json!(" "), json!(1.0), false),
            (json!([]), json!(0), false),
            (json!(null), json!(1), false),
            (json!([]), json!(0.0), false),
            (json!([]), json!(1), false),
            (json!([]), json!(1.0), false),
            (json!([""]), json!(0), false),
            (json!([""]), json!(0.0), false),
            (json!([""]), json!(1.0), false),
            (json!({}), json!(0), false),
            (json!({}), json!(0.0), false),
            (json!({}), json!(1), false),
            (json!(null), json!(1.0), false),
            (json!({}), json!(1.0), false),
            (json!({"A": 0}), json!(0), false),
            (json!({"A": 0}), json!(0.0), false),
            (json!({"A": 0}), json!(1), false),
            (json!({"A": 0}), json!(1.0), false),
            (json!(false), json!(0), false),
            (json!(false), json!(0.0), false),
            (json!(false), json!(1), false),
            (json!(0), json!(0), true),
            (json!(true), json!(0.0), false),
            (json!(true), json!(1), false),
            (json!(true), json!(1.0), false),
            (json!(2.22), json!(2.22), true),
            (json!(0), json!(0.0), true),
            (json!(0), json!(1), false),
            (json!(0), json!(1.0), false),
            (json!(0.0), json!(0), true),
        ],
    );
}

#[test]
fn numeric_equals_path() {
    check(
        "NumericEqualsPath",
        &[
            (json!(null), json!(0), false),
            (json!(0.0), json!(0.0), true),
            (json!(0.0), json!(1), false),
            (json!(0.0), json!(1.0), false),
            (json!(1), json!(0), false),
            (json!(1), json!(1), true),
            (json!(1), json!(1.0), true),
            (json!(1.1), json!(0), false),
            (json!(1.1), json!(1), false),
            (json!(null), json!(0.0), false),
            (json!(""), json!(0), false),
            (json!(""), json!(0.0), false),
            (json!(""), json!(1), false),
            (json!(""), json!(1.0), false),
            (json!(" "), json!(0), false),
            (json!(" "), json!(0.0), false),
            (json!(" "), json!(1), false),
            (json!(" "), json!(1.0), false),
            (json!(null), json!(1), false),
            (json!([]), json!(0.0), false),
            (json!([]), json!(1), false),
            (json!([]), json!(1.0), false),
            (json!([""]), json!(0), false),
            (json!([""]), json!(1), false),
            (json!([""]), json!(1.0), false),
            (json!({}), json!(0.0), false),
            (json!({}), json!(1), false),
            (json!(null), json!(1.0), false),
            (json!({}), json!(1.0), false),
            (json!({"A": 0}), json!(0), false),
            (json!({"A": 0}), json!(0.0), false),
            (json!({"A": 0}), json!(1), false),
            (json!({"A": 0}), json!(1.0), false),
            (json!(false), json!(0), false),
            (json!(false), json!(1), false),
            (json!(false), json!(1.0), false),
            (json!(true), json!(0), false),
            (json!(0), json!(0), true),
            (json!(true), json!(0.0), false),
            (json!(true), json!(1), false),
            (json!(true), json!(1.0), false),
            (json!(0), json!(0.0), true),
            (json!(0), json!(1.0), false),
            (json!(0.0), json!(0), true),
        ],
    );
}

#[test]
fn numeric_greater_than() {
    check(
        "NumericGreaterThan",
        &[
            (json!(0), json!(0), false),
            (json!(0.0), json!(0), false),
            (json!(0), json!(1), false),
            (json!(1), json!(1), false),
            (json!(1), json!(0), true),
        ],
    );
}

#[test]
fn numeric_greater_than_equals() {
    check(
        "NumericGreaterThanEquals",
        &[
            (json!(0), json!(0), true),
            (json!(0.0), json!(0), true),
            (json!(0), json!(1), false),
            (json!(1), json!(1), true),
        ],
    );
}

#[test]
fn numeric_greater_than_equals_path() {
    check(
        "NumericGreaterThanEqualsPath",
        &[
            (json!(0.0), json!(0), true),
            (json!(0), json!(1), false),
            (json!(1), json!(1), true),
            (json!(1), json!(0), true),
        ],
    );
}

#[test]
fn numeric_greater_than_path() {
    check(
        "NumericGreaterThanPath",
        &[(json!(0), json!(0), false), (json!(0), json!(1), false), (json!(1), json!(0), true)],
    );
}

#[test]
fn numeric_less_than() {
    check(
        "NumericLessThan",
        &[
            (json!(0), json!(0), false),
            (json!(0.0), json!(0), false),
            (json!(0), json!(1), true),
            (json!(1), json!(1), false),
            (json!(1), json!(0), false),
        ],
    );
}

#[test]
fn numeric_less_than_equals() {
    check(
        "NumericLessThanEquals",
        &[
            (json!(0), json!(0), true),
            (json!(0.0), json!(0), true),
            (json!(0), json!(1), true),
            (json!(1), json!(1), true),
        ],
    );
}

#[test]
fn numeric_less_than_equals_path() {
    check(
        "NumericLessThanEqualsPath",
        &[(json!(0), json!(0), true), (json!(0.0), json!(0), true), (json!(0), json!(1), true)],
    );
}

#[test]
fn numeric_less_than_path() {
    check(
        "NumericLessThanPath",
        &[
            (json!(0), json!(0), false),
            (json!(0.0), json!(0), false),
            (json!(0), json!(1), true),
            (json!(1), json!(1), false),
            (json!(1), json!(0), false),
        ],
    );
}

#[test]
fn string_equals() {
    check(
        "StringEquals",
        &[
            (json!(null), json!("HelloWorld"), false),
            (json!({}), json!("HelloWorld"), false),
            (json!({"A": 0}), json!("HelloWorld"), false),
            (json!(true), json!("HelloWorld"), false),
            (json!(" "), json!("     "), false),
            (json!("\t\n"), json!("\t\r\n"), false),
            (json!("Hello"), json!("Hello"), true),
            (json!(0), json!("HelloWorld"), false),
            (json!(0.0), json!("HelloWorld"), false),
            (json!(1), json!("HelloWorld"), false),
            (json!(1.1), json!("HelloWorld"), false),
            (json!(" "), json!("HelloWorld"), false),
            (json!([]), json!("HelloWorld"), false),
            (json!([""]), json!("HelloWorld"), false),
        ],
    );
}

#[test]
fn string_equals_path() {
    check(
        "StringEqualsPath",
        &[
            (json!(" "), json!("     "), false),
            (json!("\t\n"), json!("\t\r\n"), false),
            (json!("Hello"), json!("Hello"), true),
        ],
    );
}

#[test]
fn string_greater_than() {
    check(
        "StringGreaterThan",
        &[(json!(""), json!(""), false), (json!("A"), json!("A "), false), (json!("A"), json!("A\t\n\r"), false)],
    );
}

#[test]
fn string_greater_than_equals() {
    check("StringGreaterThanEquals", &[(json!(""), json!(""), true), (json!("A"), json!("AB"), false)]);
}

#[test]
fn string_greater_than_equals_path() {
    check(
        "StringGreaterThanEqualsPath",
        &[(json!(""), json!(""), true), (json!("A"), json!("AB"), false), (json!("AB"), json!("A"), true)],
    );
}

#[test]
fn string_greater_than_path() {
    check("StringGreaterThanPath", &[(json!("A"), json!("A\t\n\r"), false), (json!("AB"), json!("ABC"), false)]);
}

#[test]
fn string_less_than() {
    check(
        "StringLessThan",
        &[(json!(""), json!(""), false), (json!("A"), json!("AB"), true), (json!("AB"), json!("A"), false)],
    );
}

#[test]
fn string_less_than_equals() {
    check("StringLessThanEquals", &[(json!(""), json!(""), true), (json!("AB"), json!("A"), false)]);
}

#[test]
fn string_less_than_equals_path() {
    check("StringLessThanEqualsPath", &[(json!(""), json!(""), true), (json!("A"), json!("AB"), true)]);
}

#[test]
fn string_less_than_path() {
    check(
        "StringLessThanPath",
        &[(json!(""), json!(""), false), (json!("A"), json!("AB"), true), (json!("AB"), json!("A"), false)],
    );
}

#[test]
fn timestamp_equals() {
    check(
        "TimestampEquals",
        &[
            (json!([""]), json!("2012-10-09T19:00:55Z"), false),
            (json!({}), json!("2012-10-09T19:00:55Z"), false),
            (json!({"A": 0}), json!("2012-10-09T19:00:55Z"), false),
            (json!(false), json!("2012-10-09T19:00:55Z"), false),
            (json!(true), json!("2012-10-09T19:00:55Z"), false),
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:55Z"), true),
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), false),
            (json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), false),
            (json!(0), json!("2012-10-09T19:00:55Z"), false),
            (json!(0.0), json!("2012-10-09T19:00:55Z"), false),
            (json!(1.1), json!("2012-10-09T19:00:55Z"), false),
            (json!(""), json!("2012-10-09T19:00:55Z"), false),
            (json!(" "), json!("2012-10-09T19:00:55Z"), false),
            (json!("2023-02-24 12:15:56.832957"), json!("2012-10-09T19:00:55Z"), false),
            (json!([]), json!("2012-10-09T19:00:55Z"), false),
        ],
    );
}

#[test]
fn timestamp_equals_path() {
    check(
        "TimestampEqualsPath",
        &[
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:55Z"), true),
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), false),
            (json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), false),
        ],
    );
}

#[test]
fn timestamp_greater_than() {
    check(
        "TimestampGreaterThan",
        &[
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:55Z"), false),
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), false),
        ],
    );
}

#[test]
fn timestamp_greater_than_equals() {
    check(
        "TimestampGreaterThanEquals",
        &[
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), false),
            (json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), true),
        ],
    );
}

#[test]
fn timestamp_greater_than_equals_path() {
    check("TimestampGreaterThanEqualsPath", &[(json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), false)]);
}

#[test]
fn timestamp_greater_than_path() {
    check("TimestampGreaterThanPath", &[(json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), false)]);
}

#[test]
fn timestamp_less_than() {
    check("TimestampLessThan", &[(json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), false)]);
}

#[test]
fn timestamp_less_than_equals() {
    check(
        "TimestampLessThanEquals",
        &[
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:55Z"), true),
            (json!("2012-10-09T19:00:55Z"), json!("2012-10-09T19:00:56Z"), true),
            (json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), false),
        ],
    );
}

#[test]
fn timestamp_less_than_equals_path() {
    check("TimestampLessThanEqualsPath", &[(json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), false)]);
}

#[test]
fn timestamp_less_than_path() {
    check("TimestampLessThanPath", &[(json!("2012-10-09T19:00:56Z"), json!("2012-10-09T19:00:55Z"), false)]);
}

// ---- Recorded rules from other scenarios ----

#[test]
fn singleton_and_composite() {
    // base_scenarios: `{"And": [{"Variable": "$.type", "StringEquals": "Public"}]}` matched.
    let r = rule(json!({"And": [{"Variable": "$.type", "StringEquals": "Public"}], "Next": "Public"}));
    assert_eq!(eval(&r, &json!({"type": "Public", "value": 22})), Ok(true));
    assert_eq!(eval(&r, &json!({"type": "Private", "value": 22})), Ok(false));
}

#[test]
fn variable_in_the_context_object() {
    // context_object: `$$.Execution.Input.input-value` NumericLessThanEquals 0 on input 0 matched.
    let r = rule(json!({"Variable": "$$.Execution.Input.input-value", "NumericLessThanEquals": 0, "Next": "A"}));
    let input = json!({"input-value": 0});
    let context = json!({"Execution": {"Input": input.clone()}});
    assert_eq!(eval_with(&r, &input, &context, &Map::new()), Ok(true));
}

#[test]
fn string_number_is_present_but_not_numeric() {
    // variables/assign_in_choice_state_incorrect: input {"input_value": "0"} matched neither
    // `IsPresent: false` nor `NumericEquals: 42` and took the Default.
    let input = json!({"input_value": "0"});
    assert_eq!(eval(&rule(json!({"Variable": "$.input_value", "IsPresent": false})), &input), Ok(false));
    assert_eq!(eval(&rule(json!({"Variable": "$.input_value", "NumericEquals": 42})), &input), Ok(false));
}

#[test]
fn boolean_rule_on_a_nested_field() {
    // inputoutput/unsorted_choice_parameters: keys in any order, `$.result.done` true.
    let r = rule(json!({"BooleanEquals": true, "Next": "FinishTrue", "Variable": "$.result.done"}));
    assert_eq!(eval(&r, &json!({"result": {"done": true}})), Ok(true));
}

// ---- Operators the corpus does not record ----

#[test]
fn is_timestamp() {
    let yes = rule(json!({"Variable": "$.t", "IsTimestamp": true}));
    let no = rule(json!({"Variable": "$.t", "IsTimestamp": false}));
    for (t, is) in [
        (json!("2016-03-14T01:59:00Z"), true),
        (json!("2012-10-09T19:00:55+01:00"), true),
        (json!("2016-03-05T21:29:29.243167252Z"), true),
        (json!("2012-10-09T19:00:55"), false),
        (json!("2023-02-24"), false),
        (json!("2023-02-24 12:15:56.832957"), false),
        (json!(1_349_809_255), false),
        (json!(null), false),
        (json!(["2016-03-14T01:59:00Z"]), false),
    ] {
        let input = json!({ "t": t });
        assert_eq!(eval(&yes, &input), Ok(is), "{input}");
        assert_eq!(eval(&no, &input), Ok(!is), "{input}");
    }
}

#[test]
fn string_matches() {
    let r = rule(json!({"Variable": "$.f", "StringMatches": "log-*.txt"}));
    assert_eq!(eval(&r, &json!({"f": "log-2024-01.txt"})), Ok(true));
    assert_eq!(eval(&r, &json!({"f": "log-2024-01.txt.gz"})), Ok(false));
    assert_eq!(eval(&r, &json!({"f": 5})), Ok(false));
    let escaped = rule(json!({"Variable": "$.f", "StringMatches": "a\\*b\\\\*"}));
    assert_eq!(eval(&escaped, &json!({"f": "a*b\\tail"})), Ok(true));
    assert_eq!(eval(&escaped, &json!({"f": "axb\\tail"})), Ok(false));
}

#[test]
fn timestamps_compare_as_instants() {
    let r = rule(json!({"Variable": "$.t", "TimestampEquals": "2012-10-09T18:00:55Z"}));
    assert_eq!(eval(&r, &json!({"t": "2012-10-09T19:00:55+01:00"})), Ok(true));
    let p = rule(json!({"Variable": "$.t", "TimestampLessThanPath": "$.u"}));
    assert_eq!(eval(&p, &json!({"t": "2012-10-09T19:00:55+01:00", "u": "2012-10-09T18:00:56Z"})), Ok(true));
    assert_eq!(eval(&p, &json!({"t": "2012-10-09T19:00:55+01:00", "u": "not a time"})), Ok(false));
}

#[test]
fn combinators() {
    let x_is_1 = json!({"Variable": "$.x", "NumericEquals": 1});
    let y_is_a = json!({"Variable": "$.y", "StringEquals": "a"});
    let and = rule(json!({"And": [x_is_1.clone(), y_is_a.clone()]}));
    let or = rule(json!({"Or": [x_is_1.clone(), y_is_a.clone()]}));
    let not = rule(json!({"Not": x_is_1}));
    for (x, y, both, either) in
        [(1, "a", true, true), (1, "b", false, true), (2, "a", false, true), (2, "b", false, false)]
    {
        let input = json!({"x": x, "y": y});
        assert_eq!(eval(&and, &input), Ok(both));
        assert_eq!(eval(&or, &input), Ok(either));
        assert_eq!(eval(&not, &input), Ok(x != 1));
    }
}

#[test]
fn variables_and_indefinite_paths() {
    let mut vars = Map::new();
    vars.insert("limit".into(), json!(10));
    let r = rule(json!({"Variable": "$.n", "NumericLessThanPath": "$limit"}));
    assert_eq!(eval_with(&r, &json!({"n": 3}), &Value::Null, &vars), Ok(true));
    // An indefinite path yields an array, which is never a number.
    let all = rule(json!({"Variable": "$.items[*].n", "NumericEquals": 1}));
    assert_eq!(eval(&all, &json!({"items": [{"n": 1}]})), Ok(false));
    let present = rule(json!({"Variable": "$.items[*].n", "IsPresent": true}));
    assert_eq!(eval(&present, &json!({"items": [{"n": 1}]})), Ok(true));
    assert_eq!(eval(&present, &json!({"items": []})), Ok(false));
}

// ---- Runtime errors ----

fn invalid_path(path: &str, field: &'static str) -> Result<bool, ChoiceError> {
    Err(ChoiceError::InvalidPath { path: path.into(), field })
}

#[test]
fn a_missing_variable_fails_the_state() {
    let err = eval(&rule(json!({"Variable": "$.missing", "StringEquals": "x"})), &json!({})).unwrap_err();
    assert_eq!(err.error_name(), "States.Runtime");
    assert_eq!(
        err.to_string(),
        "Invalid path '$.missing': The choice state's condition path references an invalid value."
    );
    for op in [
        json!({"IsNull": true}),
        json!({"IsString": false}),
        json!({"NumericEquals": 1}),
        json!({"BooleanEquals": true}),
    ] {
        let mut r = json!({"Variable": "$.a.b"});
        r.as_object_mut().unwrap().extend(op.as_object().unwrap().clone());
        assert_eq!(eval(&rule(r.clone()), &json!({"a": 1})), invalid_path("$.a.b", "Variable"), "{r}");
    }
}

#[test]
fn an_undefined_variable_fails_the_state() {
    let r = rule(json!({"Variable": "$nope", "IsNull": true}));
    assert_eq!(eval(&r, &json!({})), invalid_path("$nope", "Variable"));
}

#[test]
fn a_missing_operand_path_fails_the_state() {
    let r = rule(json!({"Variable": "$.a", "NumericEqualsPath": "$.b"}));
    let err = eval(&r, &json!({"a": 1})).unwrap_err();
    assert_eq!(err, ChoiceError::InvalidPath { path: "$.b".into(), field: "NumericEqualsPath" });
    assert_eq!(err.to_string(), "Invalid path '$.b': The choice state's condition path references an invalid value.");
    // ... even when the Variable's value is of another type.
    assert_eq!(eval(&r, &json!({"a": "one"})), invalid_path("$.b", "NumericEqualsPath"));
}

#[test]
fn is_present_never_fails() {
    let yes = rule(json!({"Variable": "$.a.b.c", "IsPresent": true}));
    let no = rule(json!({"Variable": "$.a.b.c", "IsPresent": false}));
    assert_eq!(eval(&yes, &json!({})), Ok(false));
    assert_eq!(eval(&no, &json!({})), Ok(true));
    assert_eq!(eval(&yes, &json!({"a": {"b": {"c": null}}})), Ok(true));
    assert_eq!(eval(&rule(json!({"Variable": "$undefined", "IsPresent": false})), &json!({})), Ok(true));
}

#[test]
fn combinators_stop_at_the_deciding_rule() {
    let present = json!({"Variable": "$.x", "IsPresent": true});
    let uses_x = json!({"Variable": "$.x", "NumericEquals": 1});
    let guarded = rule(json!({"And": [present.clone(), uses_x.clone()]}));
    assert_eq!(eval(&guarded, &json!({})), Ok(false));
    assert_eq!(eval(&guarded, &json!({"x": 1})), Ok(true));
    let unguarded = rule(json!({"Or": [present, uses_x.clone()]}));
    assert_eq!(eval(&unguarded, &json!({})), invalid_path("$.x", "Variable"));
    assert_eq!(eval(&rule(json!({"Not": uses_x})), &json!({})), invalid_path("$.x", "Variable"));
}

// ---- No panics, whatever the definition and the input ----

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z$.*\\\\ ]{0,6}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        Just(json!("2016-03-14T01:59:00Z")),
        Just(json!("2012-10-09T19:00:55+01:00")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,2}", inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Paths and path-like text: valid ones into the generated inputs, and junk.
fn any_path() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("$")),
        "\\$(\\.[a-z]{1,2}|\\[[0-3]\\]){0,3}".prop_map(Value::String),
        "\\$\\$(\\.[a-z]{1,2}){0,2}".prop_map(Value::String),
        "\\$[a-z]{1,2}(\\.[a-z]{1,2}){0,2}".prop_map(Value::String),
        "\\$[.\\[\\]a-z0-9*?@()=<>' -]{0,10}".prop_map(Value::String),
        any_json(),
    ]
}

const KEYS: &[&str] = &[
    "Variable",
    "Next",
    "Comment",
    "Assign",
    "Output",
    "Condition",
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "StringMatchesPath",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampLessThanPath",
    "TimestampGreaterThanEquals",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

fn any_rule() -> impl Strategy<Value = Value> {
    let field = (prop::sample::select(KEYS), prop_oneof![any_path(), any_json()]);
    let leaf = prop::collection::vec(field, 0..4)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|rules| json!({ "And": rules })),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|rules| json!({ "Or": rules })),
            inner.clone().prop_map(|rule| json!({ "Not": rule })),
            any_json(),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn compiling_and_matching_never_panic(
        definition in any_rule(),
        top_level in any::<bool>(),
        input in any_json(),
        context in any_json(),
        vars in prop::collection::vec(("[a-z]{1,2}", any_json()), 0..3),
    ) {
        let vars: Map<String, Value> = vars.into_iter().collect();
        match compile_rule(&definition, "/States/C/Choices/0", top_level) {
            Ok(rule) => {
                let _ = eval_with(&rule, &input, &context, &vars);
            }
            Err(diagnostics) => prop_assert!(!diagnostics.is_empty()),
        }
    }

    #[test]
    fn comparisons_on_existing_paths_never_fail(
        op in prop::sample::select(&KEYS[6..]),
        literal in any_json(),
        input in any_json(),
    ) {
        // Built from the generated input so that the paths exist, exercising the comparisons.
        let mut definition = json!({"Variable": "$"});
        definition[op] = if op.ends_with("Path") { json!("$") } else { literal };
        if let Ok(rule) = compile_rule(&definition, "/x", false) {
            prop_assert!(eval(&rule, &input).is_ok());
        }
    }
}
