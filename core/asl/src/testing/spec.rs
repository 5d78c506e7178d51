//! A test spec: a definition and its cases. Each case gives an input, the mocked result
//! of each Task state per call, optionally a `MockConfigFile` test case, and what to
//! expect. Written in YAML or JSON (the command reads the file; this reads its value):
//!
//! ```yaml
//! definition: ../order-flow/definition.json
//! cases:
//!   - name: retried then succeeded
//!     input: {orderId: o-1, items: [{sku: A, qty: 1, price: 5}]}
//!     mocks:
//!       ValidateOrder: {return: {valid: true, total: 5}}
//!       ChargeCard:
//!         - throw: {error: Payment.Unavailable, cause: timed out}
//!         - return: {chargeId: ch_1}
//!     expect:
//!       status: SUCCEEDED
//!       path: [ValidateOrder, ChargeCard, Ship]
//! ```

use super::mocks::{CallMocks, MockOutcome, Mocks};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{at}: {what}")]
pub struct SpecError {
    pub at: String,
    pub what: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Shown in the report; the file's name when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// A path (relative to the spec) or the definition itself.
    pub definition: Value,
    /// The machine's name in a mock config (`test_case`); the definition file's name when
    /// absent.
    #[serde(default)]
    pub state_machine: Option<String>,
    /// A `MockConfigFile` (path relative to the spec).
    #[serde(default)]
    pub mock_config: Option<String>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default = "empty_object")]
    pub input: Value,
    /// State name -> one result for every call, a list (one per call), or call numbers
    /// (`"0"`, `"1-2"`) -> result.
    #[serde(default)]
    pub mocks: BTreeMap<String, Value>,
    /// A test case of the mock config; `mocks` override its states.
    #[serde(default)]
    pub test_case: Option<String>,
    #[serde(default)]
    pub expect: Expect,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// What a case expects; what is not given is not checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// SUCCEEDED (the default when nothing else says), FAILED, TIMED_OUT.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    /// A substring of the cause.
    #[serde(default)]
    pub cause: Option<String>,
    /// The states entered, in order.
    #[serde(default)]
    pub path: Option<Vec<String>>,
    /// State name -> the input of each call, in order.
    #[serde(default)]
    pub calls: BTreeMap<String, Vec<Value>>,
}

impl Spec {
    /// Reads a spec from its value (YAML or JSON already parsed).
    pub fn parse(v: Value) -> Result<Spec, SpecError> {
        let spec: Spec = serde_json::from_value(v).map_err(|e| SpecError { at: "spec".into(), what: e.to_string() })?;
        if spec.cases.is_empty() {
            return Err(SpecError { at: "cases".into(), what: "a spec needs at least one case".into() });
        }
        for (i, c) in spec.cases.iter().enumerate() {
            c.mocks().map_err(|e| SpecError { at: format!("cases[{i}] ({})", c.name), what: e.to_string() })?;
        }
        Ok(spec)
    }
}

impl Case {
    /// The case's own mocks.
    pub fn mocks(&self) -> Result<Mocks, SpecError> {
        let mut by_state = std::collections::HashMap::new();
        for (state, v) in &self.mocks {
            let at = format!("mocks.{state}");
            if v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(|m| m.is_empty()) {
                return Err(SpecError { at, what: "an empty mock: give at least one result".into() });
            }
            let calls = match v {
                Value::Array(items) => CallMocks::in_order(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, o)| outcome(o, &format!("{at}[{i}]")))
                        .collect::<Result<_, _>>()?,
                ),
                Value::Object(m) if m.keys().all(|k| k.chars().next().is_some_and(|c| c.is_ascii_digit())) => {
                    let mut calls = CallMocks::default();
                    for (k, o) in m {
                        let at = format!("{at}[\"{k}\"]");
                        calls.add(k, outcome(o, &at)?).map_err(|what| SpecError { at, what })?;
                    }
                    calls
                }
                one => CallMocks::always(outcome(one, &at)?),
            };
            by_state.insert(state.clone(), calls);
        }
        Ok(Mocks { by_state })
    }
}

/// `{return: V}`, `{throw: {error, cause}}` or `{timeout: true}`.
fn outcome(v: &Value, at: &str) -> Result<MockOutcome, SpecError> {
    let err = |what: &str| SpecError { at: at.to_string(), what: what.to_string() };
    let m = v.as_object().ok_or_else(|| err("a mock is {return: ...}, {throw: {error, cause}} or {timeout: true}"))?;
    if m.len() != 1 {
        return Err(err("a mock has exactly one of return, throw, timeout"));
    }
    match m.iter().next() {
        Some((k, r)) if k == "return" => Ok(MockOutcome::Return(r.clone())),
        Some((k, t)) if k == "throw" => {
            let error = t["error"].as_str().ok_or_else(|| err("throw needs an error name"))?;
            Ok(MockOutcome::Throw { error: error.into(), cause: t["cause"].as_str().unwrap_or_default().into() })
        }
        Some((k, t)) if k == "timeout" && *t == Value::Bool(true) => Ok(MockOutcome::Timeout),
        Some((k, _)) => Err(err(&format!("unknown mock '{k}' (return, throw or timeout: true)"))),
        None => Err(err("empty mock")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mocks_are_one_result_a_list_or_call_ranges() {
        let spec = Spec::parse(json!({"definition": "d.json", "cases": [{"name": "c", "mocks": {
            "A": {"return": 1},
            "B": [{"throw": {"error": "E", "cause": "x"}}, {"return": 2}],
            "C": {"0": {"timeout": true}, "1-3": {"return": 3}}}}]}))
        .unwrap();
        let m = spec.cases[0].mocks().unwrap();
        assert_eq!(m.by_state["A"].get(99), Some(&MockOutcome::Return(json!(1))));
        assert_eq!(m.by_state["B"].get(1), Some(&MockOutcome::Return(json!(2))));
        assert_eq!(m.by_state["B"].get(2), None);
        assert_eq!(m.by_state["C"].get(0), Some(&MockOutcome::Timeout));
        assert_eq!(m.by_state["C"].get(3), Some(&MockOutcome::Return(json!(3))));
    }

    #[test]
    fn mistakes_say_where() {
        let e = Spec::parse(json!({"definition": {}, "cases": [{"name": "c", "mocks": {"A": {"retrun": 1}}}]}));
        assert_eq!(
            e.unwrap_err().to_string(),
            "cases[0] (c): mocks.A: unknown mock 'retrun' (return, throw or timeout: true)"
        );
        let e = Spec::parse(json!({"definition": {}, "cases": [{"name": "c", "expect": {"stauts": "FAILED"}}]}));
        assert!(e.unwrap_err().to_string().contains("unknown field `stauts`"));
        assert!(Spec::parse(json!({"definition": {}, "cases": []})).unwrap_err().to_string().contains("at least one"));
    }
}
