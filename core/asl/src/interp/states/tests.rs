//! The runtime errors of path-valued fields, worded as AWS words them (each expected
//! cause below is AWS's text for that field), and JSONata `ItemSelector`.

use crate::interp::{Execution, Status, TaskOutcome};
use crate::model::{compile_value, MachineType};
use crate::runner::{self, RunOptions};
use serde_json::{json, Value};

const ACTIVITY: &str = "arn:aws:states:us-east-1:000000000000:activity:work";

fn run(def: Value, input: Value) -> Execution {
    let m = compile_value(&def, MachineType::Standard).expect("valid definition");
    let mut answer = |_: &crate::interp::TaskRequest| TaskOutcome::Success(json!({"ok": true}));
    runner::run(&m, runner::local_info("t", "e"), input, &mut answer, &RunOptions::default()).expect("execution ends")
}

/// The execution failed with `States.Runtime` and this cause.
#[track_caller]
fn assert_runtime_failure(exec: &Execution, cause: &str) {
    assert_eq!(exec.status, Status::Failed);
    let f = exec.failure.as_ref().expect("a failure");
    assert_eq!(f.error, "States.Runtime");
    assert_eq!(f.cause, cause);
}

fn wait(field: &str, path: &str) -> Value {
    json!({"StartAt": "WaitState", "States": {"WaitState": {"Type": "Wait", field: path, "End": true}}})
}

#[test]
fn seconds_path_that_matches_nothing_does_not_reference_an_input_value() {
    let prefix = "An error occurred while executing the state 'WaitState' (entered at the event id #2).";
    let expected = format!("{prefix} The SecondsPath parameter does not reference an input value: $.input.waitSeconds");
    // Whether the last or an inner property is missing, AWS says the same.
    for input in [json!({"input": {}}), json!({})] {
        assert_runtime_failure(&run(wait("SecondsPath", "$.input.waitSeconds"), input), &expected);
    }
    // A value that is there but not a whole number keeps its own wording.
    assert_runtime_failure(
        &run(wait("SecondsPath", "$.input.waitSeconds"), json!({"input": {"waitSeconds": 1.5}})),
        &format!("{prefix} The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"),
    );
}

#[test]
fn timestamp_path_that_matches_nothing_does_not_reference_an_input_value() {
    assert_runtime_failure(
        &run(wait("TimestampPath", "$.start_at"), json!({})),
        "An error occurred while executing the state 'WaitState' (entered at the event id #2). The TimestampPath parameter does not reference an input value: $.start_at",
    );
    assert_runtime_failure(
        &run(wait("TimestampPath", "$.start_at"), json!({"start_at": "2016-12-05 21:29:29Z"})),
        "An error occurred while executing the state 'WaitState' (entered at the event id #2). The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.start_at == 2016-12-05 21:29:29Z",
    );
}

#[test]
fn error_and_cause_paths_name_the_field_and_the_input() {
    for field in ["ErrorPath", "CausePath"] {
        let exec = run(
            json!({"StartAt": "pass", "States": {
                "pass": {"Type": "Pass", "Result": {"Error": "error-value"}, "Next": "fail"},
                "fail": {"Type": "Fail", field: "$.ErrorX"}}}),
            json!({}),
        );
        assert_runtime_failure(
            &exec,
            &format!("An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.ErrorX' specified for the field '{field}' could not be found in the input '{{\"Error\":\"error-value\"}}'"),
        );
    }
}

#[test]
fn parameters_and_result_selector_paths_name_the_key_and_the_input() {
    let exec = run(
        json!({"StartAt": "pass", "States": {"pass": {"Type": "Pass", "Parameters": {"value.$": "$.no_such_jsonpath"}, "End": true}}}),
        json!({"a": 1}),
    );
    assert_runtime_failure(
        &exec,
        "An error occurred while executing the state 'pass' (entered at the event id #2). The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'",
    );
    let exec = run(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ACTIVITY, "ResultSelector": {"v.$": "$.missing"}, "End": true}}}),
        json!({}),
    );
    let cause = &exec.failure.as_ref().expect("a failure").cause;
    assert!(
        cause.ends_with(
            "The JSONPath '$.missing' specified for the field 'v.$' could not be found in the input '{\"ok\":true}'"
        ),
        "{cause}"
    );
}

#[test]
fn timeout_and_heartbeat_paths_that_match_nothing_are_invalid_paths() {
    for field in ["TimeoutSecondsPath", "HeartbeatSecondsPath"] {
        let exec = run(
            json!({"StartAt": "task", "States": {"task": {"Type": "Task", "Resource": ACTIVITY, field: "$.NoSuchTimeoutSecondsPath", "End": true}}}),
            json!({"int-literal": 0}),
        );
        assert_runtime_failure(
            &exec,
            "An error occurred while executing the state 'task' (entered at the event id #2). Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']",
        );
    }
}

#[test]
fn map_paths_that_match_nothing_are_invalid_paths() {
    let processor = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    for (field, path) in [
        ("ItemsPath", "$.nothing"),
        ("MaxConcurrencyPath", "$.nothing"),
        ("ToleratedFailureCountPath", "$.nothing"),
        ("ToleratedFailurePercentagePath", "$.nothing"),
    ] {
        let mut map = json!({"Type": "Map", "ItemProcessor": processor, "End": true});
        map[field] = json!(path);
        let exec = run(json!({"StartAt": "MapState", "States": {"MapState": map}}), json!([1]));
        assert_runtime_failure(
            &exec,
            "An error occurred while executing the state 'MapState' (entered at the event id #2). Invalid path '$.nothing' : No results for path: $['nothing']",
        );
    }
}

#[test]
fn jsonata_item_selector_builds_each_iteration_input() {
    let exec = run(
        json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
            "Type": "Map",
            "Items": "{% $states.input.values %}",
            "ItemSelector": {
                "value": "{% $states.context.Map.Item.Value %}",
                "index": "{% $states.context.Map.Item.Index %}",
                "tag": "{% $states.input.tag %}",
                "fixed": 7
            },
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Echo",
                "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true}}}),
        json!({"values": ["a", "b"], "tag": "t"}),
    );
    assert_eq!(exec.status, Status::Succeeded, "{:?}", exec.failure);
    assert_eq!(
        exec.output.as_deref(),
        Some(&json!([
            {"value": "a", "index": 0, "tag": "t", "fixed": 7},
            {"value": "b", "index": 1, "tag": "t", "fixed": 7}
        ]))
    );
}

#[test]
fn jsonata_item_selector_errors_name_the_field() {
    let exec = run(
        json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
            "Type": "Map", "Items": [1],
            "ItemSelector": {"v": "{% $nothing %}"},
            "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true}}}),
        json!({}),
    );
    assert_eq!(exec.status, Status::Failed);
    let f = exec.failure.as_ref().expect("a failure");
    assert_eq!(f.error, "States.QueryEvaluationError");
    assert_eq!(
        f.cause,
        "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression '$nothing' specified for the field 'ItemSelector/v' returned nothing (undefined)."
    );
}
