//! From the rule object in the definition to a [`ChoiceRule`]: every key checked, every
//! path and literal parsed once, and every problem reported with its exact location.

use super::operator::{self, Family, Operator};
use super::rule::{ChoiceRule, Literal, Operand, RuleKind, Test, ValueTest};
use super::string_matches::Pattern;
use crate::diagnostics::Diagnostic;
use crate::path::{self, JsonPath};
use crate::time::rfc3339::parse as parse_timestamp;
use serde_json::{Map, Value};

/// Compiles one Choice rule. `location` is the JSON pointer of the rule
/// (`/States/MyChoice/Choices/0`); `top_level` rules may carry `Next`, `Assign` and
/// `Output` (handled by the caller and ignored here), nested ones may not.
///
/// Returns every problem found, not just the first, each located at the offending field
/// (`/States/MyChoice/Choices/0/And/1/NumericEquals`).
pub fn compile_rule(rule: &Value, location: &str, top_level: bool) -> Result<ChoiceRule, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    match compile(rule, location, top_level, &mut diagnostics) {
        Some(rule) if diagnostics.is_empty() => Ok(rule),
        _ => Err(diagnostics),
    }
}

/// A rule, or `None` after pushing at least one diagnostic.
fn compile(rule: &Value, loc: &str, top_level: bool, out: &mut Vec<Diagnostic>) -> Option<ChoiceRule> {
    let Some(obj) = rule.as_object() else {
        out.push(Diagnostic::schema(loc, "A choice rule must be a JSON object"));
        return None;
    };
    let before = out.len();
    let fields = sort_fields(obj, loc, top_level, out);

    let tests: Vec<Test> = (fields.tests.iter())
        .filter_map(|&(name, op, value)| compile_test(name, op, value, &child(loc, name), out))
        .collect();
    let combinators: Vec<RuleKind> = (fields.combinators.iter())
        .filter_map(|&(name, value)| compile_combinator(name, value, &child(loc, name), out))
        .collect();

    let operators: Vec<&str> = fields.tests.iter().map(|t| t.0).chain(fields.combinators.iter().map(|c| c.0)).collect();
    match operators.len() {
        0 => out.push(Diagnostic::schema(
            loc,
            "A choice rule must have exactly one comparison operator (with a Variable) or one of And, Or, Not",
        )),
        1 => {}
        _ => out.push(Diagnostic::schema(
            loc,
            format!(
                "A choice rule must have exactly one comparison operator or one of And, Or, Not, but has: {}",
                operators.join(", ")
            ),
        )),
    }

    let variable = match fields.variable {
        Some(value) => compile_path(value, "Variable", &child(loc, "Variable"), out),
        None => None,
    };
    if fields.variable.is_none() && !fields.tests.is_empty() {
        out.push(Diagnostic::schema(loc, "These fields are required: [Variable]"));
    }
    if fields.variable.is_some() && fields.tests.is_empty() && !fields.combinators.is_empty() {
        out.push(Diagnostic::schema(child(loc, "Variable"), "Field 'Variable' is not supported"));
    }

    if out.len() != before {
        return None;
    }
    // No diagnostics: exactly one operator, compiled, with a valid Variable if it needs one.
    let kind = match (tests.into_iter().next(), combinators.into_iter().next()) {
        (Some(test), None) => RuleKind::Test { variable: variable?, test },
        (None, Some(kind)) => kind,
        _ => return None,
    };
    Some(ChoiceRule { kind })
}

/// The keys of a rule object, sorted by role.
struct Fields<'a> {
    variable: Option<&'a Value>,
    tests: Vec<(&'static str, Operator, &'a Value)>,
    combinators: Vec<(&'static str, &'a Value)>,
}

fn sort_fields<'a>(obj: &'a Map<String, Value>, loc: &str, top_level: bool, out: &mut Vec<Diagnostic>) -> Fields<'a> {
    let mut fields = Fields { variable: None, tests: Vec::new(), combinators: Vec::new() };
    for (key, value) in obj {
        match key.as_str() {
            "Variable" => fields.variable = Some(value),
            "And" => fields.combinators.push(("And", value)),
            "Or" => fields.combinators.push(("Or", value)),
            "Not" => fields.combinators.push(("Not", value)),
            "Comment" => {
                if !value.is_string() {
                    out.push(Diagnostic::schema(child(loc, key), "The value for the field 'Comment' must be a string"));
                }
            }
            // The caller owns the transition and the state-level effects of a top-level rule.
            "Next" | "Assign" | "Output" if top_level => {}
            _ => match operator::lookup(key) {
                Some((name, op)) => fields.tests.push((name, op, value)),
                None => out.push(Diagnostic::schema(child(loc, key), format!("Field '{key}' is not supported"))),
            },
        }
    }
    fields
}

fn compile_test(name: &'static str, op: Operator, value: &Value, loc: &str, out: &mut Vec<Diagnostic>) -> Option<Test> {
    let mut fail = |expected: &str| {
        out.push(Diagnostic::schema(loc, format!("The value for the field '{name}' must be {expected}")));
        None
    };
    match op {
        Operator::IsPresent => match value {
            Value::Bool(b) => Some(Test::IsPresent(*b)),
            _ => fail("a boolean"),
        },
        Operator::Is(test) => match value {
            Value::Bool(b) => Some(Test::Value(ValueTest::Is { test, expected: *b })),
            _ => fail("a boolean"),
        },
        Operator::StringMatches => match value {
            Value::String(s) => Some(Test::Value(ValueTest::StringMatches(Pattern::new(s)))),
            _ => fail("a string"),
        },
        Operator::Compare { family, relation, path: true } => {
            let path = compile_path(value, name, loc, out)?;
            Some(Test::Value(ValueTest::Compare { family, relation, operand: Operand::Path { path, field: name } }))
        }
        Operator::Compare { family, relation, path: false } => {
            let literal = match (family, value) {
                (Family::String, Value::String(s)) => Literal::String(s.clone()),
                (Family::Numeric, Value::Number(n)) => Literal::Number(n.clone()),
                (Family::Boolean, Value::Bool(b)) => Literal::Boolean(*b),
                (Family::Timestamp, Value::String(s)) => match parse_timestamp(s) {
                    Some(t) => Literal::Timestamp(t),
                    None => return fail(family.expected()),
                },
                _ => return fail(family.expected()),
            };
            Some(Test::Value(ValueTest::Compare { family, relation, operand: Operand::Literal(literal) }))
        }
    }
}

fn compile_combinator(name: &str, value: &Value, loc: &str, out: &mut Vec<Diagnostic>) -> Option<RuleKind> {
    if name == "Not" {
        return compile(value, loc, false, out).map(|rule| RuleKind::Not(Box::new(rule)));
    }
    let rules = match value.as_array() {
        Some(rules) if !rules.is_empty() => rules,
        _ => {
            out.push(Diagnostic::schema(loc, format!("The value for the field '{name}' must be a non-empty array")));
            return None;
        }
    };
    // Compile every element, so that each one's problems are reported.
    let compiled: Vec<Option<ChoiceRule>> =
        rules.iter().enumerate().map(|(i, r)| compile(r, &format!("{loc}/{i}"), false, out)).collect();
    let compiled: Vec<ChoiceRule> = compiled.into_iter().collect::<Option<_>>()?;
    Some(if name == "And" { RuleKind::And(compiled) } else { RuleKind::Or(compiled) })
}

fn compile_path(value: &Value, field: &str, loc: &str, out: &mut Vec<Diagnostic>) -> Option<JsonPath> {
    match value.as_str().map(path::parse) {
        Some(Ok(p)) => Some(p),
        _ => {
            out.push(Diagnostic::schema(loc, format!("The value for the field '{field}' must be a valid JSONPath")));
            None
        }
    }
}

/// The JSON pointer of `key` inside `loc` (RFC 6901 escaping).
fn child(loc: &str, key: &str) -> String {
    format!("{loc}/{}", key.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{codes, Severity};
    use serde_json::json;

    const LOC: &str = "/States/MyChoice/Choices/0";

    /// The (location, message) of every diagnostic for `rule` compiled at [`LOC`].
    fn problems(rule: Value, top_level: bool) -> Vec<(String, String)> {
        let diags = compile_rule(&rule, LOC, top_level).expect_err("the rule should be rejected");
        for d in &diags {
            assert_eq!(d.severity, Severity::Error);
            assert_eq!(d.code, codes::SCHEMA);
        }
        diags.into_iter().map(|d| (d.location, d.message)).collect()
    }

    fn one(location: &str, message: &str) -> Vec<(String, String)> {
        vec![(location.to_string(), message.to_string())]
    }

    #[test]
    fn valid_rules_compile() {
        for rule in [
            json!({"Variable": "$.x", "NumericEquals": 1, "Next": "A", "Comment": "c", "Assign": {}, "Output": {}}),
            json!({"Variable": "$$.Execution.Input.x", "StringEqualsPath": "$myVar.y", "Next": "A"}),
            json!({"Not": {"Variable": "$.x", "IsPresent": true}, "Next": "A"}),
            json!({"And": [{"Variable": "$.x", "IsNull": false}, {"Or": [{"Variable": "$[0]", "StringMatches": "a*"}]}], "Next": "A"}),
            json!({"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z", "Next": "A"}),
        ] {
            assert!(compile_rule(&rule, LOC, true).is_ok(), "{rule} should compile");
        }
        assert!(compile_rule(&json!({"Variable": "$.x", "BooleanEquals": true, "Comment": "ok"}), LOC, false).is_ok());
    }

    #[test]
    fn a_rule_must_be_an_object() {
        assert_eq!(problems(json!("StringEquals"), true), one(LOC, "A choice rule must be a JSON object"));
    }

    #[test]
    fn unknown_operator_is_reported_at_its_key() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "NumericEqual": 1, "Next": "A"}), true),
            vec![
                (format!("{LOC}/NumericEqual"), "Field 'NumericEqual' is not supported".into()),
                (
                    LOC.into(),
                    "A choice rule must have exactly one comparison operator (with a Variable) or one of And, Or, Not"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn string_matches_has_no_path_form() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "StringMatchesPath": "$.y", "StringMatches": "a*"}), false),
            one(&format!("{LOC}/StringMatchesPath"), "Field 'StringMatchesPath' is not supported")
        );
    }

    #[test]
    fn missing_variable() {
        assert_eq!(
            problems(json!({"StringEquals": "a", "Next": "A"}), true),
            one(LOC, "These fields are required: [Variable]")
        );
    }

    #[test]
    fn no_operator_at_all() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "Next": "A"}), true),
            one(
                LOC,
                "A choice rule must have exactly one comparison operator (with a Variable) or one of And, Or, Not"
            )
        );
    }

    #[test]
    fn two_operators() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "NumericEquals": 1, "NumericLessThan": 2}), false),
            one(
                LOC,
                "A choice rule must have exactly one comparison operator or one of And, Or, Not, but has: NumericEquals, NumericLessThan"
            )
        );
        assert_eq!(
            problems(json!({"Variable": "$.x", "IsNull": true, "Not": {"Variable": "$.x", "IsNull": true}}), false),
            one(
                LOC,
                "A choice rule must have exactly one comparison operator or one of And, Or, Not, but has: IsNull, Not"
            )
        );
    }

    #[test]
    fn wrong_literal_types() {
        let cases = [
            ("NumericEquals", json!("1"), "a number"),
            ("NumericGreaterThanEquals", json!(true), "a number"),
            ("StringEquals", json!(1), "a string"),
            ("StringLessThan", json!(null), "a string"),
            ("StringMatches", json!(["a*"]), "a string"),
            ("BooleanEquals", json!("true"), "a boolean"),
            ("TimestampEquals", json!(1_349_809_255), "a valid RFC3339 timestamp string"),
            ("IsNull", json!("true"), "a boolean"),
            ("IsPresent", json!(1), "a boolean"),
            ("IsNumeric", json!(null), "a boolean"),
            ("IsString", json!({}), "a boolean"),
            ("IsBoolean", json!(0), "a boolean"),
            ("IsTimestamp", json!("yes"), "a boolean"),
        ];
        for (op, operand, expected) in cases {
            let mut rule = json!({"Variable": "$.x", "Next": "A"});
            rule[op] = operand;
            assert_eq!(
                problems(rule, true),
                one(&format!("{LOC}/{op}"), &format!("The value for the field '{op}' must be {expected}")),
                "{op}"
            );
        }
    }

    #[test]
    fn invalid_timestamp_literals() {
        for bad in ["2016-03-14 01:59:00Z", "2016-03-14T01:59:00", "2016-13-14T01:59:00Z", "yesterday"] {
            assert_eq!(
                problems(json!({"Variable": "$.t", "TimestampGreaterThan": bad}), false),
                one(
                    &format!("{LOC}/TimestampGreaterThan"),
                    "The value for the field 'TimestampGreaterThan' must be a valid RFC3339 timestamp string"
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_variable_path() {
        for bad in [json!("x"), json!("$.a b"), json!(""), json!(1), json!(null)] {
            assert_eq!(
                problems(json!({"Variable": bad, "IsNull": true}), false),
                one(&format!("{LOC}/Variable"), "The value for the field 'Variable' must be a valid JSONPath"),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_operand_path() {
        for op in ["StringEqualsPath", "NumericLessThanPath", "BooleanEqualsPath", "TimestampGreaterThanEqualsPath"] {
            for bad in [json!("Value"), json!("$["), json!(7)] {
                let mut rule = json!({"Variable": "$.x"});
                rule[op] = bad.clone();
                assert_eq!(
                    problems(rule, false),
                    one(&format!("{LOC}/{op}"), &format!("The value for the field '{op}' must be a valid JSONPath")),
                    "{op} {bad}"
                );
            }
        }
    }

    #[test]
    fn empty_or_non_array_and_or() {
        assert_eq!(
            problems(json!({"And": [], "Next": "A"}), true),
            one(&format!("{LOC}/And"), "The value for the field 'And' must be a non-empty array")
        );
        assert_eq!(
            problems(json!({"Or": {"Variable": "$.x", "IsNull": true}}), false),
            one(&format!("{LOC}/Or"), "The value for the field 'Or' must be a non-empty array")
        );
    }

    #[test]
    fn not_must_hold_a_rule() {
        assert_eq!(
            problems(json!({"Not": []}), false),
            one(&format!("{LOC}/Not"), "A choice rule must be a JSON object")
        );
    }

    #[test]
    fn nested_rules_may_not_have_next() {
        assert_eq!(
            problems(json!({"Not": {"Variable": "$.x", "IsNull": true, "Next": "A"}, "Next": "B"}), true),
            one(&format!("{LOC}/Not/Next"), "Field 'Next' is not supported")
        );
        assert_eq!(
            problems(json!({"Variable": "$.x", "IsNull": true, "Assign": {}}), false),
            one(&format!("{LOC}/Assign"), "Field 'Assign' is not supported")
        );
    }

    #[test]
    fn combinators_take_no_variable() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "Not": {"Variable": "$.x", "IsNull": true}}), false),
            one(&format!("{LOC}/Variable"), "Field 'Variable' is not supported")
        );
    }

    #[test]
    fn non_string_comment() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "IsNull": true, "Comment": 3}), false),
            one(&format!("{LOC}/Comment"), "The value for the field 'Comment' must be a string")
        );
    }

    #[test]
    fn every_problem_is_reported_at_its_nested_location() {
        let rule = json!({
            "And": [
                {"Variable": "$.a", "NumericEquals": 1},
                {"Variable": "$.b", "NumericEquals": "one"},
                {"Or": [
                    {"Variable": "not a path", "IsNull": true},
                    {"Variable": "$.c", "TimestampEquals": "2012-10-09"},
                    {"Not": {"StringEquals": "x"}}
                ]},
                {"Variable": "$.d", "StringEqualsPath": "$.e", "Next": "X"}
            ],
            "Next": "A"
        });
        assert_eq!(
            problems(rule, true),
            vec![
                (
                    format!("{LOC}/And/1/NumericEquals"),
                    "The value for the field 'NumericEquals' must be a number".into()
                ),
                (
                    format!("{LOC}/And/2/Or/0/Variable"),
                    "The value for the field 'Variable' must be a valid JSONPath".into()
                ),
                (
                    format!("{LOC}/And/2/Or/1/TimestampEquals"),
                    "The value for the field 'TimestampEquals' must be a valid RFC3339 timestamp string".into()
                ),
                (format!("{LOC}/And/2/Or/2/Not"), "These fields are required: [Variable]".into()),
                (format!("{LOC}/And/3/Next"), "Field 'Next' is not supported".into()),
            ]
        );
    }

    #[test]
    fn unknown_keys_are_escaped_in_the_pointer() {
        assert_eq!(
            problems(json!({"Variable": "$.x", "IsNull": true, "a/b~c": 1}), false),
            one(&format!("{LOC}/a~1b~0c"), "Field 'a/b~c' is not supported")
        );
    }
}
