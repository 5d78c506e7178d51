//! Stepline's own operator operations through the control API on a real engine and redb
//! file: searching the whole store, exact counts, and the tasks waiting on workers.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use stepline_bridge::api::handle;
use stepline_core::engine::{Engine, EngineConfig, TaskAnswer};

const MACHINE: &str = r#"{"StartAt": "Charge", "States": {
  "Charge": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:charge",
             "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 30}], "Next": "Ship"},
  "Ship": {"Type": "Pass", "End": true}}}"#;

fn call(e: &Engine, op: &str, body: Value) -> Value {
    handle(e, op, &body).unwrap_or_else(|err| panic!("{op}: {err}"))
}

fn names(v: &Value) -> Vec<String> {
    v["executions"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn operators_search_count_and_see_pending_tasks() {
    let dir = std::env::temp_dir().join(format!("stepline-operator-api-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let e = stepline_bridge::embedded::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }).unwrap();
    let sm = call(&e, "CreateStateMachine", json!({"name": "orders", "definition": MACHINE, "roleArn": "r"}));
    let sm = sm["stateMachineArn"].as_str().unwrap().to_string();
    for name in ["paid", "declined", "flaky", "waiting"] {
        call(&e, "StartExecution", json!({"stateMachineArn": sm, "name": name, "input": "{}"}));
        // Starts in one millisecond would be ordered by name: keep them in start order.
        std::thread::sleep(Duration::from_millis(2));
    }
    let pending = call(&e, "ListPendingTasks", json!({}));
    assert_eq!(pending["tasks"].as_array().unwrap().len(), 4);
    assert_eq!(pending["activities"][0]["activity"], "charge");
    assert_eq!(pending["activities"][0]["pending"], 4);
    assert!(pending["activities"][0]["oldestScheduledDate"].as_f64().unwrap() > 1.7e9);
    for _ in 0..3 {
        let t = e.poll_task("charge", Duration::from_secs(5)).unwrap();
        let answer = match t.execution_name.as_str() {
            "paid" => TaskAnswer::Success(json!({})),
            "declined" => TaskAnswer::Failure { error: "Card.Declined".into(), cause: "insufficient funds".into() },
            "flaky" => TaskAnswer::Failure { error: "Flaky".into(), cause: "gateway busy".into() },
            other => panic!("the 4th task ({other}) stays with no answer"),
        };
        e.answer_task(&t.token, answer).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while call(&e, "GetExecutionCounts", json!({}))["counts"]["FAILED"] != 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let counts = call(&e, "GetExecutionCounts", json!({"stateMachineArn": sm}));
    assert_eq!(counts["counts"], json!({"RUNNING": 2, "SUCCEEDED": 1, "FAILED": 1}));
    assert_eq!(counts["stateMachines"][0]["stateMachineArn"], sm.as_str());

    // By cause text and by the state it failed in, over the whole store.
    let found = call(&e, "SearchExecutions", json!({"text": "INSUFFICIENT"}));
    assert_eq!(names(&found), ["declined"]);
    assert_eq!(found["executions"][0]["failedState"], "Charge");
    assert_eq!(found["executions"][0]["error"], "Card.Declined");
    assert_eq!(names(&call(&e, "SearchExecutions", json!({"failedState": "Charge"}))), ["declined"]);
    assert!(names(&call(&e, "SearchExecutions", json!({"failedState": "Ship"}))).is_empty());

    // Retrying: the flaky one waits for its retry; waiting: both running ones.
    assert_eq!(names(&call(&e, "SearchExecutions", json!({"retrying": true}))), ["flaky"]);
    let waiting = call(&e, "SearchExecutions", json!({"waitingSeconds": 0, "order": "OLDEST"}));
    assert_eq!(names(&waiting), ["flaky", "waiting"]);
    assert!(names(&call(&e, "SearchExecutions", json!({"waitingSeconds": 3600}))).is_empty());

    // Pages: one record read per call, followed by nextToken to the end.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut body = json!({"order": "OLDEST", "maxScanned": 1});
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = call(&e, "SearchExecutions", body);
        seen.extend(names(&page));
        token = page["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["paid", "declined", "flaky", "waiting"]);

    let answered = call(&e, "ListPendingTasks", json!({"activity": "charge"}));
    assert_eq!(answered["activities"][0]["answered"], 3);
    let left = answered["tasks"].as_array().unwrap();
    assert_eq!(left.len(), 1, "flaky waits on a retry timer, not a task");
    assert!(left[0]["executionArn"].as_str().unwrap().ends_with(":waiting"));

    let bad = handle(&e, "SearchExecutions", &json!({"order": "SIDEWAYS"})).unwrap_err();
    assert_eq!(bad.kind, "ValidationException");
    assert!(bad.message.contains("SIDEWAYS"));
    e.shutdown();
}
