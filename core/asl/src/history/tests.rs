//! The AWS JSON shape of history events.

use crate::model::{compile_value, MachineType};
use crate::runner::{self, RunOptions, TaskOutcome};
use serde_json::{json, Value};

#[test]
fn history_renders_in_get_execution_history_shape() {
    let m = compile_value(
        &json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": true}}}),
        MachineType::Standard,
    )
    .unwrap();
    let mut answer = |_: &crate::interp::TaskRequest| TaskOutcome::Success(json!({"Payload": 1}));
    let exec =
        runner::run(&m, runner::local_info("sm", "ex"), json!({"a": 1}), &mut answer, &RunOptions::default()).unwrap();
    let events: Vec<Value> = exec.history.iter().map(|e| e.to_aws_json()).collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["id"], json!(i + 1));
        assert!(e["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(events[0]["previousEventId"], json!(0));
    assert_eq!(events[1]["previousEventId"], json!(1));
    let started = &events[0]["executionStartedEventDetails"];
    assert_eq!(started["input"], json!("{\"a\":1}"), "payloads are JSON text, as AWS returns them");
    assert_eq!(started["stateMachineArn"], json!("arn:aws:states:us-east-1:000000000000:stateMachine:sm"));
    let scheduled = &events[2]["taskScheduledEventDetails"];
    assert_eq!(scheduled["resourceType"], json!("lambda"));
    assert_eq!(scheduled["resource"], json!("invoke"));
    assert_eq!(scheduled["parameters"], json!("{\"FunctionName\":\"f\",\"Payload\":{\"a\":1}}"));
    assert_eq!(events[4]["taskSucceededEventDetails"]["output"], json!("{\"Payload\":1}"));
    assert_eq!(events[5]["stateExitedEventDetails"]["name"], json!("T"));
    assert_eq!(events[6]["executionSucceededEventDetails"]["output"], json!("{\"Payload\":1}"));
}

#[test]
fn stored_events_keep_the_timestamp_as_milliseconds() {
    use super::{normalize_stored, stored_timestamp, EventKind, HistoryEvent};
    let e =
        HistoryEvent { id: 1, previous_event_id: 0, timestamp: 1_700_000_000_123, kind: EventKind::MapStateSucceeded };
    let stored = e.to_stored_json();
    assert_eq!(stored["timestamp"], json!(1_700_000_000_123_i64));
    assert_eq!(stored_timestamp(&stored), Some(1_700_000_000_123));
    let mut aws = e.to_aws_json();
    assert_eq!(aws["timestamp"], json!("2023-11-14T22:13:20.123Z"));
    assert_eq!(stored_timestamp(&aws), Some(1_700_000_000_123), "older stores hold RFC 3339 text");
    normalize_stored(&mut aws);
    assert_eq!(aws, stored);
}
