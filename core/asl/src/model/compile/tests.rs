//! One failing example per validator rule, each checking the code and the location.

use crate::diagnostics::Diagnostic;
use crate::model::{compile_value, MachineType};
use serde_json::{json, Value};

fn diags_for(def: Value, kind: MachineType) -> Vec<Diagnostic> {
    compile_value(&def, kind).err().unwrap_or_default()
}

#[track_caller]
fn assert_rule(def: Value, code: &str, location: &str, message_part: &str) {
    assert_rule_kind(def, MachineType::Standard, code, location, message_part);
}

#[track_caller]
fn assert_rule_kind(def: Value, kind: MachineType, code: &str, location: &str, message_part: &str) {
    let d = diags_for(def, kind);
    assert!(
        d.iter().any(|d| d.code == code && d.location == location && d.message.contains(message_part)),
        "expected {code} at {location} containing '{message_part}', got {d:#?}"
    );
}

/// A one-state machine whose only state is `state`.
fn one(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

const ACT: &str = "arn:aws:states:us-east-1:000000000000:activity:a";

#[test]
fn valid_definitions_have_no_diagnostics() {
    assert!(diags_for(one(json!({"Type": "Pass", "End": true})), MachineType::Standard).is_empty());
    let def = json!({"StartAt": "Map", "QueryLanguage": "JSONPath", "States": {"Map": {"Type": "Map", "QueryLanguage": "JSONata",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {"Pass": {"QueryLanguage": "JSONPath", "Type": "Pass", "End": true}}}, "End": true}}});
    assert!(diags_for(def, MachineType::Express).is_empty());
}

#[test]
fn top_level_rules() {
    assert_rule(json!([]), "SCHEMA_VALIDATION_FAILED", "/", "must be a JSON object");
    assert_rule(json!({}), "SCHEMA_VALIDATION_FAILED", "/", "These fields are required: [States, StartAt]");
    assert_rule(
        json!({"States": {"A": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/",
        "These fields are required: [StartAt]",
    );
    assert_rule(json!({"StartAt": "A"}), "SCHEMA_VALIDATION_FAILED", "/", "These fields are required: [States]");
    assert_rule(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Foo": 1}),
        "SCHEMA_VALIDATION_FAILED",
        "/",
        "Field 'Foo' is not supported",
    );
    assert_rule(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "TimeoutSeconds": -1}),
        "SCHEMA_VALIDATION_FAILED",
        "/TimeoutSeconds",
        "positive integer",
    );
    assert_rule(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Version": 1}),
        "SCHEMA_VALIDATION_FAILED",
        "/Version",
        "STRING",
    );
    assert_rule(json!({"StartAt": "A", "States": []}), "SCHEMA_VALIDATION_FAILED", "/States", "OBJECT");
    assert_rule(json!({"StartAt": "A", "States": {}}), "SCHEMA_VALIDATION_FAILED", "/States", "at least one state");
    assert_rule(
        json!({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}),
        "MISSING_TRANSITION_TARGET",
        "/StartAt",
        "Missing 'Next' target: B",
    );
    assert_rule(
        json!({"StartAt": 1, "States": {"A": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/StartAt",
        "STRING",
    );
    let long = "x".repeat(81);
    assert_rule(
        json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        &format!("/States/{long}"),
        "at most 80",
    );
}

#[test]
fn graph_rules() {
    assert_rule(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
        "UNREACHABLE_STATE",
        "/States/B",
        "not reachable",
    );
    assert_rule(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}),
        "NO_TERMINAL_STATE",
        "/",
        "No terminal state",
    );
    assert_rule(
        one(json!({"Type": "Pass", "Next": "Nowhere"})),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Next",
        "Nowhere",
    );
}

#[test]
fn state_shape_rules() {
    assert_rule(one(json!("Pass")), "SCHEMA_VALIDATION_FAILED", "/States/S", "OBJECT");
    assert_rule(
        one(json!({"End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "These fields are required: [Type]",
    );
    assert_rule(
        one(json!({"Type": "Sleep", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Type",
        "not a valid state type",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "Seconds": 1})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "Field 'Seconds' is not supported in a Pass state",
    );
    assert_rule(one(json!({"Type": "Pass"})), "SCHEMA_VALIDATION_FAILED", "/States/S", "either 'Next' or 'End'");
    assert_rule(
        json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": "T", "End": true}, "T": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "Only one of 'Next' or 'End'",
    );
    assert_rule(one(json!({"Type": "Pass", "End": "yes"})), "SCHEMA_VALIDATION_FAILED", "/States/S/End", "BOOLEAN");
    assert_rule(one(json!({"Type": "Pass", "Next": 3})), "SCHEMA_VALIDATION_FAILED", "/States/S/Next", "STRING");
    assert_rule(
        one(json!({"Type": "Succeed", "Next": "S"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Next",
        "not supported in a Succeed state",
    );
    assert_rule(
        one(json!({"Type": "Fail", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/End",
        "not supported in a Fail state",
    );
    assert_rule(
        one(json!({"Type": "Fail", "InputPath": "$"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "not supported in a Fail state",
    );
}

#[test]
fn query_language_rules() {
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "QueryLanguage": "XPath"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/QueryLanguage",
        "must be 'JSONPath' or 'JSONata'",
    );
    assert_rule(
        json!({"StartAt": "P", "QueryLanguage": "JSONata", "States": {"P": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/P",
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "InputPath": "$.a"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/InputPath",
        "not supported in a state that uses the JSONata query language",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "Output": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Output",
        "only supported in a state that uses the JSONata",
    );
}

#[test]
fn jsonata_map_accepts_item_selector() {
    let map = |selector: Value| {
        json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "Items": [1],
            "ItemSelector": selector,
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}})
    };
    let ok =
        map(json!({"value": "{% $states.context.Map.Item.Value %}", "index": "{% $states.context.Map.Item.Index %}"}));
    assert!(diags_for(ok, MachineType::Standard).is_empty());
    // Its expressions are compiled with the state, and a broken one is reported where it is.
    assert_rule(
        map(json!({"value": "{% $states.input. %}"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/M/ItemSelector/value",
        "The JSONata expression '$states.input.' is not valid",
    );
}

#[test]
fn path_and_template_rules() {
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "InputPath": "a.b"})),
        "INVALID_JSON_PATH",
        "/States/S/InputPath",
        "valid JSONPath",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "OutputPath": 3})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/OutputPath",
        "STRING",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "ResultPath": "$.a[*]"})),
        "INVALID_JSON_PATH",
        "/States/S/ResultPath",
        "ReferencePath",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": 3}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Parameters/a.$",
        "must be a STRING",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a": {"b.$": "$.["}}})),
        "INVALID_JSON_PATH",
        "/States/S/Parameters/a/b.$",
        "valid JSONPath",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"a.$": "States.NoSuchFunction($.x)"}})),
        "INVALID_INTRINSIC_FUNCTION",
        "/States/S/Parameters/a.$",
        "intrinsic",
    );
    assert_rule(
        one(json!({"Type": "Pass", "End": true, "Assign": {"v.$": "$$$"}})),
        "INVALID_JSON_PATH",
        "/States/S/Assign/v.$",
        "valid JSONPath",
    );
}

#[test]
fn retry_and_catch_rules() {
    let task = |extra: Value| {
        let mut t = json!({"Type": "Task", "Resource": ACT, "End": true});
        t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        one(t)
    };
    assert_rule(task(json!({"Retry": {}})), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry", "ARRAY");
    assert_rule(task(json!({"Retry": [{}]})), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry/0/ErrorEquals", "required");
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": []}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/ErrorEquals",
        "must not be empty",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/ErrorEquals",
        "alone",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0",
        "must be the last",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/IntervalSeconds",
        "positive integer",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/MaxAttempts",
        "non-negative",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/BackoffRate",
        "not less than 1.0",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/MaxDelaySeconds",
        "positive integer",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/JitterStrategy",
        "'FULL' or 'NONE'",
    );
    assert_rule(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "Interval": 1}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0",
        "Field 'Interval' is not supported",
    );
    assert_rule(
        task(json!({"Catch": [{"ErrorEquals": ["X"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Catch/0",
        "These fields are required: [Next]",
    );
    assert_rule(
        task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Gone"}]})),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Catch/0/Next",
        "Gone",
    );
    assert_rule(
        task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S"}, {"ErrorEquals": ["X"], "Next": "S"}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Catch/0",
        "must be the last",
    );
    assert_rule(
        task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": "S", "ResultPath": "$.a.*"}]})),
        "INVALID_JSON_PATH",
        "/States/S/Catch/0/ResultPath",
        "ReferencePath",
    );
}

#[test]
fn task_rules() {
    assert_rule(
        one(json!({"Type": "Task", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "These fields are required: [Resource]",
    );
    assert_rule(
        one(json!({"Type": "Task", "Resource": "lambda-foo", "End": true})),
        "INVALID_RESOURCE",
        "/States/S/Resource",
        "not a supported Task resource",
    );
    assert_rule_kind(
        one(json!({"Type": "Task", "Resource": ACT, "End": true})),
        MachineType::Express,
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Resource",
        "Express state machine does not support Activity ARN",
    );
    assert_rule_kind(
        one(json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true})),
        MachineType::Express,
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Resource",
        "'.waitForTaskToken'",
    );
    assert_rule(
        one(json!({"Type": "Task", "Resource": ACT, "Credentials": {}, "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Credentials",
        "'RoleArn' is required",
    );
    assert_rule(
        one(json!({"Type": "Task", "Resource": ACT, "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    assert_rule(
        one(json!({"Type": "Task", "Resource": ACT, "TimeoutSeconds": 0, "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/TimeoutSeconds",
        "not less than 1",
    );
    assert_rule(
        one(json!({"Type": "Task", "Resource": ACT, "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/HeartbeatSeconds",
        "smaller than TimeoutSeconds",
    );
}

#[test]
fn wait_choice_fail_rules() {
    assert_rule(one(json!({"Type": "Wait", "End": true})), "SCHEMA_VALIDATION_FAILED", "/States/S", "exactly one of");
    assert_rule(
        one(json!({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "exactly one of",
    );
    assert_rule(
        one(json!({"Type": "Wait", "Seconds": -1, "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Seconds",
        "non-negative integer",
    );
    assert_rule(
        one(json!({"Type": "Wait", "Timestamp": "tomorrow", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Timestamp",
        "RFC3339",
    );
    assert_rule(one(json!({"Type": "Choice"})), "SCHEMA_VALIDATION_FAILED", "/States/S", "'Choices' is required");
    assert_rule(
        json!({"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "E"}], "Default": "Gone"}, "E": {"Type": "Succeed"}}}),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Default",
        "Gone",
    );
    assert_rule(
        json!({"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true}]}, "E": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Choices/0",
        "These fields are required: [Next]",
    );
    assert_rule(
        json!({"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "E"}]}, "E": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Choices/0/NumericEquals",
        "must be a number",
    );
    assert_rule(
        one(json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    assert_rule(one(json!({"Type": "Fail", "Cause": 3})), "SCHEMA_VALIDATION_FAILED", "/States/S/Cause", "STRING");
    assert_rule(
        one(json!({"Type": "Fail", "CausePath": "States.Nope()"})),
        "INVALID_INTRINSIC_FUNCTION",
        "/States/S/CausePath",
        "",
    );
}

#[test]
fn parallel_and_map_rules() {
    assert_rule(
        one(json!({"Type": "Parallel", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "'Branches' is required",
    );
    assert_rule(
        one(
            json!({"Type": "Parallel", "End": true, "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}}]}),
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Branches/0/States/X/Next",
        "Y",
    );
    assert_rule(
        one(json!({"Type": "Map", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "These fields are required: [ItemProcessor]",
    );
    let proc = json!({"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}});
    assert_rule(
        one(json!({"Type": "Map", "End": true, "ItemProcessor": proc, "Iterator": proc})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    assert_rule(
        one(
            json!({"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "FAST"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemProcessor/ProcessorConfig/Mode",
        "not a valid mode",
    );
    assert_rule(
        one(json!({"Type": "Map", "End": true, "ItemProcessor": proc, "ItemSelector": {}, "Parameters": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    assert_rule(
        one(json!({"Type": "Map", "End": true, "ItemProcessor": {"States": {"I": {"Type": "Pass", "End": true}}}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemProcessor",
        "[StartAt]",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let d = diags_for(
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "Missing"},
            "B": {"Type": "Wait", "End": true},
            "C": {"Type": "Task", "End": true}}}),
        MachineType::Standard,
    );
    let locations: Vec<&str> = d.iter().map(|d| d.location.as_str()).collect();
    for want in ["/States/A/Next", "/States/B", "/States/C"] {
        assert!(locations.contains(&want), "{want} missing from {locations:?}");
    }
}
