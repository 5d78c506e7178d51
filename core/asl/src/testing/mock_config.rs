//! AWS Step Functions Local's `MockConfigFile`, read as it is:
//!
//! ```json
//! {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
//!  "MockedResponses": {"ChargeOk": {"0": {"Return": {"id": 1}}},
//!                      "ChargeFlaky": {"0": {"Throw": {"Error": "E", "Cause": "c"}}, "1-2": {"Return": {}}}}}
//! ```
//!
//! A test case maps state names to mocked responses; a response maps call numbers ("0",
//! or inclusive ranges "1-2") to one `Return` or `Throw`.

use super::mocks::{CallMocks, MockOutcome, Mocks};
use serde_json::Value;
use std::collections::HashMap;

/// What is wrong in a mock config, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MockConfigError {
    #[error("mock config: {at}: {what}")]
    Invalid { at: String, what: String },
    #[error("mock config has no state machine '{0}' (it has: {1})")]
    NoStateMachine(String, String),
    #[error("mock config: state machine '{0}' has no test case '{1}' (it has: {2})")]
    NoTestCase(String, String, String),
}

fn invalid(at: impl Into<String>, what: impl Into<String>) -> MockConfigError {
    MockConfigError::Invalid { at: at.into(), what: what.into() }
}

/// A parsed and checked mock config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MockConfig {
    /// Machine name -> test case -> state -> response name.
    pub machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    pub responses: HashMap<String, CallMocks>,
}

impl MockConfig {
    /// Reads the file's JSON; every test case's responses must exist.
    pub fn parse(v: &Value) -> Result<MockConfig, MockConfigError> {
        let root = v.as_object().ok_or_else(|| invalid("$", "must be an object"))?;
        for k in root.keys() {
            if k != "StateMachines" && k != "MockedResponses" {
                return Err(invalid("$", format!("unknown member '{k}' (expected StateMachines, MockedResponses)")));
            }
        }
        let mut responses = HashMap::new();
        for (name, calls) in object(v, "MockedResponses", "$")? {
            let at = format!("$.MockedResponses.{name}");
            let mut mocks = CallMocks::default();
            for (key, entry) in calls.as_object().ok_or_else(|| invalid(&at, "must be an object of call numbers"))? {
                let at = format!("{at}[\"{key}\"]");
                mocks.add(key, outcome(entry, &at)?).map_err(|e| invalid(&at, e))?;
            }
            responses.insert(name.clone(), mocks);
        }
        let mut machines = HashMap::new();
        for (machine, m) in object(v, "StateMachines", "$")? {
            let at = format!("$.StateMachines.{machine}");
            let mut cases = HashMap::new();
            for (case, states) in object(m, "TestCases", &at)? {
                let at = format!("{at}.TestCases.{case}");
                let mut map = HashMap::new();
                for (state, response) in
                    states.as_object().ok_or_else(|| invalid(&at, "must map states to responses"))?
                {
                    let r =
                        response.as_str().ok_or_else(|| invalid(format!("{at}.{state}"), "must be a response name"))?;
                    if !responses.contains_key(r) {
                        return Err(invalid(
                            format!("{at}.{state}"),
                            format!("no mocked response '{r}' in MockedResponses"),
                        ));
                    }
                    map.insert(state.clone(), r.to_string());
                }
                cases.insert(case.clone(), map);
            }
            machines.insert(machine.clone(), cases);
        }
        Ok(MockConfig { machines, responses })
    }

    /// The mocks of a test case of a state machine.
    pub fn test_case(&self, machine: &str, case: &str) -> Result<Mocks, MockConfigError> {
        let names = |keys: Vec<&String>| {
            let mut k: Vec<&str> = keys.into_iter().map(String::as_str).collect();
            k.sort_unstable();
            k.join(", ")
        };
        let cases = self
            .machines
            .get(machine)
            .ok_or_else(|| MockConfigError::NoStateMachine(machine.into(), names(self.machines.keys().collect())))?;
        let states = cases
            .get(case)
            .ok_or_else(|| MockConfigError::NoTestCase(machine.into(), case.into(), names(cases.keys().collect())))?;
        let by_state = states.iter().map(|(s, r)| (s.clone(), self.responses[r].clone())).collect();
        Ok(Mocks { by_state })
    }
}

fn object<'a>(v: &'a Value, key: &str, at: &str) -> Result<Vec<(&'a String, &'a Value)>, MockConfigError> {
    match v.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Object(m)) => Ok(m.iter().collect()),
        Some(_) => Err(invalid(format!("{at}.{key}"), "must be an object")),
    }
}

fn outcome(entry: &Value, at: &str) -> Result<MockOutcome, MockConfigError> {
    match (entry.get("Return"), entry.get("Throw")) {
        (Some(r), None) => Ok(MockOutcome::Return(r.clone())),
        (None, Some(t)) => {
            let text = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
            let error = text("Error").ok_or_else(|| invalid(format!("{at}.Throw"), "needs an Error string"))?;
            Ok(MockOutcome::Throw { error, cause: text("Cause").unwrap_or_default() })
        }
        _ => Err(invalid(at, "must have exactly one of Return and Throw")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_test_case_becomes_mocks_per_state_and_call() {
        let v = json!({
            "StateMachines": {"Orders": {"TestCases": {"Retry": {"Charge": "Flaky", "Ship": "Ok"}}}},
            "MockedResponses": {
                "Flaky": {"0": {"Throw": {"Error": "Busy", "Cause": "later"}}, "1-2": {"Return": {"id": 7}}},
                "Ok": {"0": {"Return": true}}}});
        let c = MockConfig::parse(&v).unwrap();
        let m = c.test_case("Orders", "Retry").unwrap();
        assert_eq!(
            m.by_state["Charge"].get(0),
            Some(&MockOutcome::Throw { error: "Busy".into(), cause: "later".into() })
        );
        assert_eq!(m.by_state["Charge"].get(2), Some(&MockOutcome::Return(json!({"id": 7}))));
        assert_eq!(m.by_state["Ship"].get(1), None);
        assert_eq!(
            c.test_case("Orders", "Nope").unwrap_err().to_string(),
            "mock config: state machine 'Orders' has no test case 'Nope' (it has: Retry)"
        );
        assert!(matches!(c.test_case("Other", "Retry"), Err(MockConfigError::NoStateMachine(..))));
    }

    #[test]
    fn mistakes_are_named_with_where_they_are() {
        let missing = json!({"StateMachines": {"M": {"TestCases": {"T": {"S": "Gone"}}}}, "MockedResponses": {}});
        let e = MockConfig::parse(&missing).unwrap_err().to_string();
        assert_eq!(e, "mock config: $.StateMachines.M.TestCases.T.S: no mocked response 'Gone' in MockedResponses");
        let both = json!({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}});
        assert!(MockConfig::parse(&both).unwrap_err().to_string().contains("exactly one of Return and Throw"));
        let typo = json!({"MockedResponse": {}});
        assert!(MockConfig::parse(&typo).unwrap_err().to_string().contains("unknown member 'MockedResponse'"));
    }
}
