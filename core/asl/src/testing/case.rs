//! One case run: the execution on the runner (virtual time unless told otherwise) with
//! its tasks answered by mocks, then each expectation checked against what happened.

use super::diff::diff;
use super::mocks::{Call, MockHandler, Mocks};
use super::spec::Case;
use crate::interp::Status;
use crate::model::StateMachine;
use crate::runner::{self, RunOptions, TaskHandler};
use serde_json::Value;

/// What a case did, and what it did not do as expected.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub name: String,
    pub status: String,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// States entered, in order.
    pub path: Vec<String>,
    pub calls: Vec<Call>,
    /// The history (AWS's JSON), for coverage and for a failure's report.
    pub events: Vec<Value>,
    /// How long the execution took on its own clock (virtual time: a day's Wait is a day).
    pub execution_ms: i64,
    /// Each unmet expectation, ready to print.
    pub failures: Vec<String>,
}

impl CaseReport {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Most differences shown per value.
const DIFF_LINES: usize = 20;

/// Runs `case` on `machine` with `mocks`; tasks of states with no mock go to `fallback`.
pub fn run_case<'a>(
    machine: &StateMachine,
    machine_name: &str,
    case: &Case,
    mocks: &'a Mocks,
    fallback: Option<&'a mut dyn TaskHandler>,
    options: &RunOptions,
) -> CaseReport {
    let mut handler = MockHandler::new(mocks, fallback);
    let name: String = case.name.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '-' }).collect();
    let info = runner::local_info(machine_name, &name);
    let (exec, unfinished) = match runner::run(machine, info, case.input.clone(), &mut handler, options) {
        Ok(e) => (e, None),
        Err(u) => (u.execution, Some(u.error)),
    };
    let events: Vec<Value> = exec.history.iter().map(|e| e.to_aws_json()).collect();
    let path = events
        .iter()
        .filter(|e| e["type"].as_str().is_some_and(|t| t.ends_with("StateEntered")))
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str().map(str::to_string))
        .collect();
    let mut report = CaseReport {
        name: case.name.clone(),
        status: exec.status.as_str().to_string(),
        output: exec.output.as_deref().cloned(),
        error: exec.failure.as_ref().map(|f| f.error.clone()),
        cause: exec.failure.as_ref().map(|f| f.cause.clone()),
        path,
        calls: handler.calls,
        events,
        execution_ms: exec.stop_time.unwrap_or(exec.info.start_time) - exec.info.start_time,
        failures: Vec::new(),
    };
    if let Some(why) = unfinished {
        report.failures.push(format!("the execution did not end: {why}"));
    }
    check(case, &mut report);
    report
}

fn check(case: &Case, r: &mut CaseReport) {
    let x = &case.expect;
    let want_status = x.status.clone().unwrap_or_else(|| {
        if x.error.is_some() || x.cause.is_some() {
            Status::Failed.as_str().into()
        } else {
            Status::Succeeded.as_str().into()
        }
    });
    let mut failures = Vec::new();
    if r.status != want_status {
        let why = match (&r.error, &r.cause) {
            (Some(e), Some(c)) => format!(" ({e}: {c})"),
            _ => String::new(),
        };
        failures.push(format!("status: expected {want_status}, got {}{why}", r.status));
    }
    if let Some(want) = &x.output {
        match &r.output {
            Some(got) if got == want => {}
            Some(got) => failures.push(format!("output differs:\n    {}", diff(want, got, DIFF_LINES).join("\n    "))),
            None => failures.push("output: expected one, the execution has none".into()),
        }
    }
    if let Some(want) = &x.error {
        if r.error.as_ref() != Some(want) {
            failures.push(format!("error: expected {want}, got {}", r.error.as_deref().unwrap_or("none")));
        }
    }
    if let Some(want) = &x.cause {
        if !r.cause.as_deref().unwrap_or("").contains(want.as_str()) {
            failures.push(format!("cause: expected to contain {want:?}, got {:?}", r.cause.as_deref().unwrap_or("")));
        }
    }
    if let Some(want) = &x.path {
        if *want != r.path {
            failures.push(format!("path: expected {}, got {}", want.join(" → "), r.path.join(" → ")));
        }
    }
    for (state, want) in &x.calls {
        let got: Vec<&Value> = r.calls.iter().filter(|c| c.state == *state).map(|c| &c.input).collect();
        if got.len() != want.len() {
            failures.push(format!("calls of {state}: expected {}, got {}", want.len(), got.len()));
        }
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            if w != *g {
                failures.push(format!(
                    "input of {state}, call {i}, differs:\n    {}",
                    diff(w, g, DIFF_LINES).join("\n    ")
                ));
            }
        }
    }
    r.failures.extend(failures);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{compile_value, MachineType};
    use crate::testing::Spec;
    use serde_json::json;

    #[test]
    fn a_day_of_waiting_and_retries_with_backoff_take_no_real_time() {
        let def = json!({"StartAt": "Sleep", "States": {
            "Sleep": {"Type": "Wait", "Seconds": 86400, "Next": "Call"},
            "Call": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:flaky",
                     "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 10, "BackoffRate": 2, "MaxAttempts": 5}],
                     "End": true}}});
        let m = compile_value(&def, MachineType::Standard).unwrap();
        let spec = Spec::parse(json!({"definition": def, "cases": [{"name": "slow", "mocks": {"Call": {
            "0-4": {"throw": {"error": "Busy", "cause": "try later"}}, "5": {"return": {"ok": true}}}},
            "expect": {"output": {"ok": true}, "path": ["Sleep", "Call"]}}]}))
        .unwrap();
        let case = &spec.cases[0];
        let started = std::time::Instant::now();
        let r = run_case(&m, "slow", case, &case.mocks().unwrap(), None, &RunOptions::default());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(r.passed(), "{:?}", r.failures);
        assert_eq!(r.calls.len(), 6);
        // A day, then 10 + 20 + 40 + 80 + 160 seconds of backoff, on the execution's clock.
        assert_eq!(r.execution_ms, (86_400 + 310) * 1000);
    }

    #[test]
    fn unmet_expectations_are_reported_each_with_a_diff() {
        let def = json!({"StartAt": "Get", "States": {
            "Get": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:get", "End": true}}});
        let m = compile_value(&def, MachineType::Standard).unwrap();
        let spec = Spec::parse(json!({"definition": def, "cases": [{"name": "wrong", "input": {"q": 1},
            "mocks": {"Get": {"return": {"total": 12, "lines": [1, 2]}}},
            "expect": {"output": {"total": 13, "lines": [1, 2]}, "path": ["Get", "Done"],
                       "calls": {"Get": [{"q": 2}]}}}]}))
        .unwrap();
        let case = &spec.cases[0];
        let r = run_case(&m, "m", case, &case.mocks().unwrap(), None, &RunOptions::default());
        assert_eq!(
            r.failures,
            [
                "output differs:\n    $.total: expected 13, got 12",
                "path: expected Get → Done, got Get",
                "input of Get, call 0, differs:\n    $.q: expected 2, got 1"
            ]
        );
    }

    #[test]
    fn a_state_with_no_mock_fails_with_states_runtime() {
        let def = json!({"StartAt": "Get", "States": {
            "Get": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:get", "End": true}}});
        let m = compile_value(&def, MachineType::Standard).unwrap();
        let spec = Spec::parse(json!({"definition": def, "cases": [{"name": "none",
            "expect": {"error": "States.Runtime", "cause": "has no mock"}}]}))
        .unwrap();
        let case = &spec.cases[0];
        let r = run_case(&m, "m", case, &case.mocks().unwrap(), None, &RunOptions::default());
        assert!(r.passed(), "{:?}", r.failures);
    }
}

#[cfg(test)]
mod integrations {
    use super::*;
    use crate::model::{compile_value, MachineType};
    use crate::testing::Spec;
    use serde_json::json;

    #[test]
    fn lambda_callbacks_and_bus_integrations_are_mocked_by_state_name() {
        let def = json!({"StartAt": "Invoke", "States": {
            "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": "price", "Payload.$": "$"}, "ResultSelector": {"p.$": "$.Payload"},
                       "ResultPath": "$.price", "Next": "Approve"},
            "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                        "ResultPath": "$.approval", "Next": "Publish"},
            "Publish": {"Type": "Task", "Resource": "arn:aws:states:::nats:publish",
                        "Parameters": {"Subject": "orders.done", "Message.$": "$"}, "End": true}}});
        let m = compile_value(&def, MachineType::Standard).unwrap();
        let spec = Spec::parse(json!({"definition": def, "cases": [{"name": "all mocked", "input": {"id": 1},
            "mocks": {"Invoke": {"return": {"StatusCode": 200, "Payload": 42}},
                      "Approve": {"return": {"by": "ops"}},
                      "Publish": {"return": {"published": true}}},
            "expect": {"output": {"published": true}, "path": ["Invoke", "Approve", "Publish"],
                       "calls": {"Invoke": [{"FunctionName": "price", "Payload": {"id": 1}}]}}}]}))
        .unwrap();
        let case = &spec.cases[0];
        let r = run_case(&m, "m", case, &case.mocks().unwrap(), None, &RunOptions::default());
        assert!(r.passed(), "{:?}", r.failures);
        let approve = r.calls.iter().find(|c| c.state == "Approve").unwrap();
        assert!(approve.input["MessageBody"]["token"].as_str().is_some_and(|t| !t.is_empty()), "a token is made");
    }
}
