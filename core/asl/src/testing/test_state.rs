//! AWS's `TestState`: one state run on its own with a given input (a Task with a mocked
//! result or error), and what it would do next: its output and next state, or its error
//! and whether a Retry (`RETRIABLE`) or a Catch (`CAUGHT_ERROR`) takes it. At DEBUG and
//! TRACE, the data after each processing step (InputPath, Parameters, ResultSelector,
//! ResultPath), as AWS reports them: JSON text.
//!
//! The state runs in a machine of its own whose transitions lead to stand-ins, so the
//! interpreter does the work exactly as in an execution; the steps are then read again
//! with the same functions for the inspection data.

use super::mocks::{CallMocks, MockHandler, MockOutcome, Mocks};
use crate::entropy::SplitMix64;
use crate::history::Payload;
use crate::interp::{apply_io_path, apply_result_path, apply_template, error_matches};
use crate::model::{compile_value, MachineType, StateKind};
use crate::path::Scope;
use crate::runner::{self, RunOptions, TaskHandler, TaskOutcome};
pub use crate::testing::mocks::MockOutcome as TestStateMock;
use serde_json::{json, Map, Value};

/// A request that cannot be run, named as AWS names it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TestStateError {
    /// `InvalidDefinition` or `ValidationException`.
    pub kind: &'static str,
    pub message: String,
}

fn invalid(kind: &'static str, message: impl Into<String>) -> TestStateError {
    TestStateError { kind, message: message.into() }
}

/// What `TestState` is asked.
#[derive(Debug, Clone, Default)]
pub struct TestStateRequest {
    /// One state, or a whole machine with `state_name`.
    pub definition: Value,
    pub state_name: Option<String>,
    pub input: Value,
    /// `INFO` (default), `DEBUG` or `TRACE`.
    pub inspection_level: Option<String>,
    pub mock: Option<MockOutcome>,
}

/// The first call goes to a worker; a second one (a Retry) is left unanswered, so the
/// run stops there.
struct FirstCallOnly<'a> {
    worker: &'a mut dyn TaskHandler,
    first: Option<TaskOutcome>,
}

impl TaskHandler for FirstCallOnly<'_> {
    fn call(&mut self, req: &crate::interp::TaskRequest) -> TaskOutcome {
        if self.first.is_some() {
            return TaskOutcome::NoAnswer;
        }
        let outcome = self.worker.call(req);
        self.first = Some(outcome.clone());
        outcome
    }
}

impl TestStateRequest {
    /// The tested state's `TimeoutSeconds`, when it gives a number.
    pub fn definition_timeout(&self) -> Option<u64> {
        let state = match &self.state_name {
            Some(n) => &self.definition["States"][n],
            None => &self.definition,
        };
        state["TimeoutSeconds"].as_u64()
    }
}

/// Runs the request; the response in AWS's shape. A Task with no mock goes to `worker`
/// (as AWS calls the service); without one, a Task needs a mock.
pub fn test_state(req: &TestStateRequest, worker: Option<&mut dyn TaskHandler>) -> Result<Value, TestStateError> {
    let level = req.inspection_level.as_deref().unwrap_or("INFO");
    if !matches!(level, "INFO" | "DEBUG" | "TRACE") {
        return Err(invalid(
            "ValidationException",
            format!("inspectionLevel must be INFO, DEBUG or TRACE, not '{level}'"),
        ));
    }
    let (name, state) = pick(req)?;
    let kind = state["Type"].as_str().unwrap_or_default().to_string();
    match kind.as_str() {
        "Map" | "Parallel" => {
            return Err(invalid(
                "InvalidDefinition",
                format!("TestState does not run {kind} states here: test the states of its branches or iterations"),
            ))
        }
        "Task" if req.mock.is_none() && worker.is_none() => {
            return Err(invalid(
                "ValidationException",
                "a Task state needs a mock (its result or its error), or a worker to call",
            ))
        }
        "Pass" | "Wait" | "Choice" | "Succeed" | "Fail" if req.mock.is_some() => {
            return Err(invalid(
                "ValidationException",
                format!("State type '{kind}' is not supported when a mock is specified"),
            ))
        }
        _ => {}
    }
    // The state, its transitions leading to stand-ins named as their targets; one back
    // to itself leads to a stand-in too (a machine needs an end), named back on the way out.
    let state = &back_to_itself(&state, &name);
    let mut states = Map::new();
    let mut targets: Vec<String> = Vec::new();
    let mut add = |v: &Value| {
        if let Some(t) = v.as_str() {
            if t != name && !targets.iter().any(|x| x == t) {
                targets.push(t.to_string());
            }
        }
    };
    add(&state["Next"]);
    add(&state["Default"]);
    for c in state["Choices"].as_array().into_iter().flatten() {
        add(&c["Next"]);
    }
    for c in state["Catch"].as_array().into_iter().flatten() {
        add(&c["Next"]);
    }
    for t in &targets {
        states.insert(t.clone(), json!({"Type": "Succeed"}));
    }
    states.insert(name.clone(), state.clone());
    let mut machine_def = json!({"StartAt": name, "States": states});
    if let Some(q) = req.definition.get("QueryLanguage") {
        machine_def["QueryLanguage"] = q.clone();
    }
    let machine = compile_value(&machine_def, MachineType::Standard)
        .map_err(|d| invalid("InvalidDefinition", d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; ")))?;
    // A mocked failure is answered once; a second call means a Retry would run it again.
    let mocks = Mocks {
        by_state: req
            .mock
            .iter()
            .map(|m| (name.clone(), CallMocks { ranges: vec![(0, 0, m.clone()), (1, u32::MAX, MockOutcome::Timeout)] }))
            .collect(),
    };
    let mut first = worker.map(|w| FirstCallOnly { worker: w, first: None });
    let mut handler = MockHandler::new(&mocks, first.as_mut().map(|f| f as &mut dyn TaskHandler));
    let info = runner::local_info("TestState", "test-state");
    let opts = RunOptions { max_events: 10_000, ..RunOptions::default() };
    let exec = match runner::run(&machine, info, req.input.clone(), &mut handler, &opts) {
        Ok(e) => e,
        Err(u) => u.execution,
    };
    let events: Vec<Value> = exec.history.iter().map(|e| e.to_aws_json()).collect();
    let entered: Vec<&str> = events
        .iter()
        .filter(|e| e["type"].as_str().is_some_and(|t| t.ends_with("StateEntered")))
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .collect();
    let next = entered.get(1).map(|s| if *s == AGAIN { name.clone() } else { s.to_string() });
    // The id of the event that left the state: the next state's entry.
    let left_at = events
        .iter()
        .filter(|e| e["type"].as_str().is_some_and(|t| t.ends_with("StateEntered")))
        .nth(1)
        .and_then(|e| e["id"].as_u64())
        .unwrap_or(u64::MAX);
    // The state's first failure: a Retry would run it again after this one.
    let failure = events.iter().find_map(|e| {
        let (_, d) = e.as_object()?.iter().find(|(k, _)| k.ends_with("EventDetails"))?;
        let t = e["type"].as_str()?;
        (t.ends_with("Failed") || t.ends_with("TimedOut")).then(|| {
            let at = e["id"].as_u64().unwrap_or(0);
            (
                d["error"].as_str().unwrap_or_default().to_string(),
                d["cause"].as_str().unwrap_or_default().to_string(),
                at,
            )
        })
    });
    let failed_before_leaving = failure.as_ref().is_some_and(|f| f.2 < left_at);
    let failure = failure.map(|(e, c, _)| (e, c));
    let calls = handler.calls.len();
    // What the worker answered stands for a mock in the inspection data.
    let answered = first.and_then(|f| f.first).and_then(|o| match o {
        TaskOutcome::Success(v) => Some(MockOutcome::Return(v)),
        TaskOutcome::Failure { error, cause } => Some(MockOutcome::Throw { error, cause }),
        TaskOutcome::Heartbeat | TaskOutcome::NoAnswer => None,
    });
    let mock = req.mock.clone().or(answered);
    let mut out = Map::new();
    // Called again without being entered again: a Retry.
    let retried = calls > 1 && entered.len() == 1;
    let status = if retried {
        "RETRIABLE"
    } else if next.is_some() && failed_before_leaving && kind != "Choice" {
        "CAUGHT_ERROR"
    } else if next.is_some() || exec.status == crate::interp::Status::Succeeded {
        "SUCCEEDED"
    } else {
        "FAILED"
    };
    match status {
        "SUCCEEDED" | "CAUGHT_ERROR" => {
            // The output the next state receives: the stand-in's input, or the machine's.
            let output = events
                .iter()
                .filter(|e| e["type"].as_str().is_some_and(|t| t.ends_with("StateEntered")))
                .nth(1)
                .and_then(|e| e["stateEnteredEventDetails"]["input"].as_str().map(str::to_string))
                .or_else(|| exec.output.as_ref().map(|o| o.to_string()))
                .unwrap_or_else(|| "null".into());
            out.insert("output".into(), json!(output));
        }
        _ => {}
    }
    if status != "SUCCEEDED" {
        let (error, cause) = match (&failure, &exec.failure) {
            (Some(f), _) => f.clone(),
            (None, Some(f)) => (f.error.clone(), f.cause.clone()),
            (None, None) => Default::default(),
        };
        out.insert("error".into(), json!(error));
        out.insert("cause".into(), json!(cause));
    }
    if status != "RETRIABLE" {
        if let Some(n) = &next {
            out.insert("nextState".into(), json!(n));
        }
    }
    out.insert("status".into(), json!(status));
    if level != "INFO" {
        let mut data = inspection(&machine, &name, &req.input, mock.as_ref());
        if let (Some((error, _)), Some(t)) = (&failure, state.get("Retry").and_then(Value::as_array)) {
            if status == "RETRIABLE" {
                if let Some((i, r)) = t.iter().enumerate().find(|(_, r)| {
                    let names: Vec<String> = r["ErrorEquals"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect();
                    error_matches(&names, error)
                }) {
                    // AWS reports whole seconds.
                    let interval = r["IntervalSeconds"].as_f64().map_or(1, |s| s.round() as u64);
                    data.insert(
                        "errorDetails".into(),
                        json!({"retryIndex": i, "retryBackoffIntervalSeconds": interval}),
                    );
                }
            }
        }
        if status == "CAUGHT_ERROR" {
            let catch =
                state["Catch"].as_array().into_iter().flatten().position(|c| c["Next"].as_str() == next.as_deref());
            if let Some(i) = catch {
                data.insert("errorDetails".into(), json!({"catchIndex": i}));
            }
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Ok(Value::Object(out))
}

/// The stand-in for a transition of the state back to itself.
const AGAIN: &str = "Stepline.TestState.Again";

/// `state` with its transitions back to `name` leading to [`AGAIN`].
fn back_to_itself(state: &Value, name: &str) -> Value {
    let mut s = state.clone();
    let redirect = |v: &mut Value| {
        if v.as_str() == Some(name) {
            *v = json!(AGAIN);
        }
    };
    for key in ["Next", "Default"] {
        if let Some(v) = s.get_mut(key) {
            redirect(v);
        }
    }
    for list in ["Choices", "Catch"] {
        for item in s.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(v) = item.get_mut("Next") {
                redirect(v);
            }
        }
    }
    s
}

/// The state to test and its name: the definition is one state, or a machine with
/// `state_name` naming one of its top-level states.
fn pick(req: &TestStateRequest) -> Result<(String, Value), TestStateError> {
    let d = &req.definition;
    match (&req.state_name, d.get("States").and_then(Value::as_object)) {
        (Some(n), Some(states)) => match states.get(n) {
            Some(s) => Ok((n.clone(), s.clone())),
            None => Err(invalid("ValidationException", format!("the definition has no state '{n}' among its States"))),
        },
        (Some(_), None) => Err(invalid("InvalidDefinition", "stateName is given but the definition has no States")),
        (None, Some(_)) => Err(invalid("ValidationException", "the definition is a state machine: give stateName")),
        (None, None) if d.get("Type").is_some() => Ok(("TestState".to_string(), d.clone())),
        (None, None) => Err(invalid("InvalidDefinition", "the definition is neither a state nor a state machine")),
    }
}

/// The data after each step of a JSONPath state, as JSON text; fields that do not apply
/// are left out, as at AWS.
fn inspection(
    machine: &crate::model::StateMachine,
    name: &str,
    input: &Value,
    mock: Option<&MockOutcome>,
) -> Map<String, Value> {
    let mut data = Map::new();
    let text = |v: &Value| json!(v.to_string());
    data.insert("input".into(), text(input));
    let state = &machine.states[machine.machines[0].start_at];
    if state.jsonata.is_some() {
        if let Some(MockOutcome::Return(r)) = mock {
            data.insert("result".into(), text(r));
        }
        return data;
    }
    // The context object as the run had it (its times are the runner's virtual start).
    let info = runner::local_info("TestState", "test-state");
    let at = crate::time::format_timestamp(RunOptions::default().clock_start());
    let context = json!({
        "Execution": {"Id": info.arn, "Input": input, "Name": info.name, "RoleArn": info.role_arn,
                      "StartTime": at, "RedriveCount": 0},
        "State": {"EnteredTime": at, "Name": name, "RetryCount": 0},
        "StateMachine": {"Id": info.state_machine_arn, "Name": info.state_machine_name},
    });
    let vars = Map::new();
    let mut rng = SplitMix64(1);
    let scope = |v| Scope { input: v, context: &context, vars: &vars };
    let Ok(effective) = apply_io_path(&state.input_path, &scope(input)) else { return data };
    let (parameters, result, selector, result_path) = match &state.kind {
        StateKind::Pass { result, parameters, result_path } => {
            (parameters.as_ref(), result.clone(), None, Some(result_path))
        }
        StateKind::Task(t) => (
            t.parameters.as_ref(),
            match mock {
                Some(MockOutcome::Return(r)) => Some(r.clone()),
                _ => None,
            },
            t.result_selector.as_ref(),
            Some(&t.result_path),
        ),
        _ => (None, None, None, None),
    };
    // A Pass with `Result` reads no input: AWS leaves these steps out.
    let fixed_result = matches!(&state.kind, StateKind::Pass { result: Some(_), .. });
    if !fixed_result {
        data.insert("afterInputPath".into(), text(&effective));
    }
    let after_parameters = match parameters.filter(|_| !fixed_result) {
        Some(p) => match apply_template(p, &scope(&effective), &mut rng) {
            Ok(v) => {
                data.insert("afterParameters".into(), text(&v));
                v
            }
            Err(_) => return data,
        },
        None => effective.clone(),
    };
    let result = match (&state.kind, result) {
        (StateKind::Pass { .. }, None) => Some(after_parameters),
        (_, r) => r,
    };
    let Some(result) = result else { return data };
    if matches!(state.kind, StateKind::Task(_)) {
        data.insert("result".into(), text(&result));
    }
    let selected = match selector.map(|s| apply_template(s, &scope(&result), &mut rng)) {
        Some(Ok(v)) => v,
        Some(Err(_)) => return data,
        None => result,
    };
    data.insert("afterResultSelector".into(), text(&selected));
    if let Some(rp) = result_path {
        if let Ok(merged) = apply_result_path(rp, &Payload::new(input.clone()), Payload::new(selected)) {
            data.insert("afterResultPath".into(), text(&merged));
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(definition: Value, input: Value, mock: Option<MockOutcome>) -> Value {
        test_state(
            &TestStateRequest { definition, input, inspection_level: Some("DEBUG".into()), mock, ..Default::default() },
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_pass_state_reports_each_processing_step() {
        let r = run(
            json!({"Type": "Pass", "InputPath": "$.initialData",
                   "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
                   "ResultPath": "$.modifiedData", "Next": "Next"}),
            json!({"initialData": {"fieldFromInput": "value from input", "otherField": "other"}, "unrelatedData": {"someOtherField": 1234}}),
            None,
        );
        assert_eq!(r["status"], "SUCCEEDED");
        assert_eq!(r["nextState"], "Next");
        let d = &r["inspectionData"];
        assert_eq!(d["afterInputPath"], r#"{"fieldFromInput":"value from input","otherField":"other"}"#);
        assert_eq!(d["afterParameters"], r#"{"staticValue":"some value","inputValue":"value from input"}"#);
        let output: Value = serde_json::from_str(r["output"].as_str().unwrap()).unwrap();
        assert_eq!(output["modifiedData"], json!({"staticValue": "some value", "inputValue": "value from input"}));
        assert_eq!(d["afterResultPath"], json!(output.to_string()));
    }

    #[test]
    fn a_task_mock_is_retriable_caught_or_failed() {
        let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$", "FunctionName": "f"},
            "ResultSelector": {"body.$": "$.Payload"}, "ResultPath": "$.r",
            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 3}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handle"}], "Next": "Done"});
        let ok = run(
            task.clone(),
            json!({"a": 1}),
            Some(MockOutcome::Return(json!({"Payload": {"x": 2}, "StatusCode": 200}))),
        );
        assert_eq!((ok["status"].as_str(), ok["nextState"].as_str()), (Some("SUCCEEDED"), Some("Done")));
        assert_eq!(ok["output"], r#"{"a":1,"r":{"body":{"x":2}}}"#);
        assert_eq!(ok["inspectionData"]["afterParameters"], r#"{"Payload":{"a":1},"FunctionName":"f"}"#);
        assert_eq!(ok["inspectionData"]["afterResultSelector"], r#"{"body":{"x":2}}"#);

        let busy =
            run(task.clone(), json!({}), Some(MockOutcome::Throw { error: "Busy".into(), cause: "later".into() }));
        assert_eq!(busy["status"], "RETRIABLE");
        assert!(busy.get("nextState").is_none());
        assert_eq!(busy["inspectionData"]["errorDetails"], json!({"retryIndex": 0, "retryBackoffIntervalSeconds": 3}));

        let caught = run(task, json!({}), Some(MockOutcome::Throw { error: "Broken".into(), cause: "no".into() }));
        assert_eq!((caught["status"].as_str(), caught["nextState"].as_str()), (Some("CAUGHT_ERROR"), Some("Handle")));
        assert_eq!(caught["error"], "Broken");
        assert_eq!(caught["output"], r#"{"err":{"Error":"Broken","Cause":"no"}}"#);
        assert_eq!(caught["inspectionData"]["errorDetails"], json!({"catchIndex": 0}));
    }

    #[test]
    fn a_task_without_a_mock_asks_the_worker_once() {
        let task = json!({"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:price",
            "Retry": [{"ErrorEquals": ["Busy"]}], "ResultPath": "$.price", "End": true});
        let mut asked = 0;
        let mut worker = |_: &crate::interp::TaskRequest| {
            asked += 1;
            TaskOutcome::Success(json!(9))
        };
        let req = TestStateRequest {
            definition: task.clone(),
            input: json!({"sku": "a"}),
            inspection_level: Some("DEBUG".into()),
            ..Default::default()
        };
        let r = test_state(&req, Some(&mut worker)).unwrap();
        assert_eq!((r["status"].as_str(), r["output"].as_str()), (Some("SUCCEEDED"), Some(r#"{"sku":"a","price":9}"#)));
        assert_eq!(r["inspectionData"]["result"], "9");
        let mut busy = |_: &crate::interp::TaskRequest| TaskOutcome::Failure { error: "Busy".into(), cause: "".into() };
        let r = test_state(&req, Some(&mut busy)).unwrap();
        assert_eq!(r["status"], "RETRIABLE");
        assert_eq!(asked, 1);
        assert!(test_state(&TestStateRequest { definition: task, ..Default::default() }, None).is_err());
    }

    #[test]
    fn a_state_that_leads_back_to_itself_is_not_a_retry() {
        let looped = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "TestState",
            "Parameters": {"FunctionName": "f"}});
        let r = run(looped, json!({}), Some(MockOutcome::Return(json!(1))));
        assert_eq!((r["status"].as_str(), r["nextState"].as_str()), (Some("SUCCEEDED"), Some("TestState")));
        let caught = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "Parameters": {"FunctionName": "f"}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "TestState"}]});
        let r = run(caught, json!({}), Some(MockOutcome::Throw { error: "E".into(), cause: "c".into() }));
        assert_eq!((r["status"].as_str(), r["nextState"].as_str()), (Some("CAUGHT_ERROR"), Some("TestState")));
        let pass = run(json!({"Type": "Pass", "Next": "TestState"}), json!({"a": 1}), None);
        assert_eq!((pass["status"].as_str(), pass["output"].as_str()), (Some("SUCCEEDED"), Some(r#"{"a":1}"#)));
    }

    #[test]
    fn choice_picks_the_next_state_and_fail_fails() {
        let choice = json!({"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "Small"});
        assert_eq!(run(choice.clone(), json!({"n": 5}), None)["nextState"], "Big");
        assert_eq!(run(choice, json!({"n": 0}), None)["nextState"], "Small");
        let fail = run(json!({"Type": "Fail", "Error": "E", "Cause": "c"}), json!({}), None);
        assert_eq!((fail["status"].as_str(), fail["error"].as_str()), (Some("FAILED"), Some("E")));
        let machine = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}});
        let r = test_state(
            &TestStateRequest { definition: machine, state_name: Some("A".into()), ..Default::default() },
            None,
        )
        .unwrap();
        assert_eq!(r, json!({"output": "1", "status": "SUCCEEDED"}));
        let e = test_state(&TestStateRequest { definition: json!({"Type": "Map"}), ..Default::default() }, None)
            .unwrap_err();
        assert_eq!(e.kind, "InvalidDefinition");
    }
}
