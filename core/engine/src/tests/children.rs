//! Child executions: every `startExecution` pattern, failures caught by the parent, stop
//! propagation, a restart with parents and children in flight, and `aws-sdk:sfn:*` calls.

use super::*;
use serde_json::{json, Value};
use std::time::Duration;
use stepline_asl::interp::Status;

/// A child that asks a worker of `work` and returns its answer.
const CHILD: &str = r#"{"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work", "End": true}}}"#;

/// A parent whose one Task starts `$.child` with `resource`, catching every error.
fn parent(resource: &str) -> String {
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": resource,
                 "Parameters": {"StateMachineArn.$": "$.child", "Input": {"n.$": "$.n"}},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Pass", "End": true}}})
    .to_string()
}

fn setup(name: &str, resource: &str) -> (Engine, String, String) {
    let e = engine(&data_dir(name));
    let child = e.create_state_machine("child", CHILD, "STANDARD", "role").unwrap();
    let p = e.create_state_machine("parent", &parent(resource), "STANDARD", "role").unwrap();
    (e, p.arn, child.arn)
}

fn children_of(e: &Engine, child_machine: &str) -> Vec<ExecutionRecord> {
    e.list_executions(Some(child_machine), None, 100, None).unwrap()
}

fn event_types(e: &Engine, arn: &str) -> Vec<String> {
    e.history(arn, 0, 1000, false).unwrap().iter().map(|h| h["type"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_request_response_start_answers_with_the_child_and_links_it_to_its_parent() {
    let (e, p, c) = setup("child-start", "arn:aws:states:::states:startExecution");
    let run = e.start_execution(&p, Some("p1"), json!({"child": c, "n": 7})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded);
    let out = Value::clone(done.output.as_ref().unwrap());
    let kids = children_of(&e, &c);
    assert_eq!(kids.len(), 1);
    let kid = &kids[0];
    assert_eq!(out["ExecutionArn"], json!(kid.arn));
    assert_eq!(out["StartDate"], json!(kid.start));
    assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], json!(200));
    assert_eq!(kid.parent.as_deref(), Some(run.arn.as_str()));
    assert_eq!(*kid.input, json!({"n": 7}));
    // The name no Name gave is a UUID, and the child runs on after its parent ended.
    assert_eq!(kid.name.len(), 36);
    assert_eq!(kid.status, Status::Running);
    let task = e.poll_task("work", Duration::from_secs(5)).expect("the child's task");
    assert_eq!(task.execution_arn, kid.arn);
    e.shutdown();
}

#[test]
fn sync_waits_for_the_child_and_answers_with_its_description() {
    for (resource, json_output) in [
        ("arn:aws:states:::states:startExecution.sync", false),
        ("arn:aws:states:::states:startExecution.sync:2", true),
    ] {
        let (e, p, c) = setup(&format!("child-sync-{json_output}"), resource);
        let run = e.start_execution(&p, Some("p1"), json!({"child": c, "n": 1})).unwrap();
        let task = e.poll_task("work", Duration::from_secs(5)).expect("the child's task");
        assert_eq!(e.describe_execution(&run.arn).unwrap().status, Status::Running);
        e.answer_task(&task.token, TaskAnswer::Success(json!({"r": 2}))).unwrap();
        let done = wait_for(&e, &run.arn, Status::Succeeded);
        let out = Value::clone(done.output.as_ref().unwrap());
        assert_eq!(out["Status"], json!("SUCCEEDED"));
        assert_eq!(out["ExecutionArn"], json!(task.execution_arn));
        if json_output {
            assert_eq!((&out["Input"], &out["Output"]), (&json!({"n": 1}), &json!({"r": 2})));
        } else {
            assert_eq!((&out["Input"], &out["Output"]), (&json!("{\"n\":1}"), &json!("{\"r\":2}")));
        }
        assert_eq!(
            event_types(&e, &run.arn),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSubmitted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        e.shutdown();
    }
}

#[test]
fn a_failed_child_fails_the_task_with_its_description_and_a_retry_starts_another() {
    let e = engine(&data_dir("child-fail"));
    let c = e.create_state_machine("child", CHILD, "STANDARD", "role").unwrap().arn;
    let def = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                 "Parameters": {"StateMachineArn": c},
                 "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let p = e.create_state_machine("parent", &def.to_string(), "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, Some("p1"), json!({})).unwrap();
    for attempt in 0..2 {
        let task = e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
        e.answer_task(&task.token, TaskAnswer::Failure { error: "Boom".into(), cause: format!("attempt {attempt}") })
            .unwrap();
    }
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    let err = &done.output.as_ref().unwrap()["err"];
    assert_eq!(err["Error"], json!("States.TaskFailed"));
    let cause: Value = serde_json::from_str(err["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&cause["Status"], &cause["Error"], &cause["Cause"]),
        (&json!("FAILED"), &json!("Boom"), &json!("attempt 1"))
    );
    // Each attempt started its own child.
    let kids = children_of(&e, &c);
    assert_eq!(kids.len(), 2);
    assert!(kids.iter().all(|k| k.status == Status::Failed && k.parent.as_deref() == Some(run.arn.as_str())));
    e.shutdown();
}

#[test]
fn an_unknown_machine_fails_the_task_as_aws_names_it() {
    let (e, p, _) = setup("child-unknown", "arn:aws:states:::states:startExecution");
    let missing = "arn:aws:states:us-east-1:000000000000:stateMachine:nope";
    let run = e.start_execution(&p, None, json!({"child": missing, "n": 1})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    let h = e.history(&run.arn, 0, 100, false).unwrap();
    let failed = h.iter().find(|x| x["type"] == "TaskFailed").expect("a TaskFailed event");
    let d = &failed["taskFailedEventDetails"];
    assert_eq!(d["error"], json!("StepFunctions.StateMachineDoesNotExistException"));
    let cause = d["cause"].as_str().unwrap();
    assert!(
        cause.starts_with(&format!("State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions;")),
        "{cause}"
    );
    assert_eq!(
        done.output.as_deref(),
        Some(&json!({"Error": "StepFunctions.StateMachineDoesNotExistException", "Cause": cause}))
    );
    e.shutdown();
}

#[test]
fn stopping_a_parent_or_timing_out_its_task_stops_the_sync_child() {
    let (e, p, c) = setup("child-stop", "arn:aws:states:::states:startExecution.sync");
    let run = e.start_execution(&p, Some("p1"), json!({"child": c, "n": 1})).unwrap();
    let task = e.poll_task("work", Duration::from_secs(5)).expect("the child's task");
    e.stop_execution(&run.arn, Some("Enough"), None).unwrap();
    let kid = wait_for(&e, &task.execution_arn, Status::Aborted);
    assert_eq!(kid.status, Status::Aborted);
    assert!(kid.cause.as_deref().unwrap_or_default().contains("no longer waits"), "{kid:?}");

    let timed = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                 "Parameters": {"StateMachineArn": c}, "TimeoutSeconds": 1, "End": true}}});
    let t = e.create_state_machine("timed", &timed.to_string(), "STANDARD", "role").unwrap();
    let run = e.start_execution(&t.arn, Some("t1"), json!({})).unwrap();
    let task = e.poll_task("work", Duration::from_secs(5)).expect("the child's task");
    let done = wait_for(&e, &run.arn, Status::Failed);
    assert_eq!(done.error.as_deref(), Some("States.Timeout"));
    assert_eq!(wait_for(&e, &task.execution_arn, Status::Aborted).status, Status::Aborted);
    e.shutdown();
}

#[test]
fn a_callback_child_answers_its_parent_through_the_sdk_integration() {
    let e = engine(&data_dir("child-callback"));
    let child = json!({"StartAt": "Reply", "States": {
        "Reply": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                  "Parameters": {"TaskToken.$": "$.token", "Output.$": "States.JsonToString($.payload)"}, "End": true}}});
    let c = e.create_state_machine("child", &child.to_string(), "STANDARD", "role").unwrap().arn;
    let def = json!({"StartAt": "Call", "QueryLanguage": "JSONata", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
                 "Arguments": {"StateMachineArn": c,
                               "Input": {"token": "{% $states.context.Task.Token %}", "payload": {"v": "{% $states.input.v %}"},
                                         "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": "{% $states.context.Execution.Id %}"}},
                 "End": true}}});
    let p = e.create_state_machine("parent", &def.to_string(), "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, Some("p1"), json!({"v": 42})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.output.as_deref(), Some(&json!({"v": 42})));
    let kids = children_of(&e, &c);
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0].status, Status::Succeeded);
    assert_eq!(kids[0].output.as_deref(), Some(&json!({})));
    assert_eq!(kids[0].parent.as_deref(), Some(run.arn.as_str()));
    e.shutdown();
}

#[test]
fn sdk_calls_describe_and_stop_executions_and_refuse_unknown_tokens() {
    let e = engine(&data_dir("child-sdk"));
    let c = e.create_state_machine("child", CHILD, "STANDARD", "role").unwrap().arn;
    let def = json!({"StartAt": "Start", "States": {
        "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startExecution",
                  "Parameters": {"StateMachineArn": c, "Input": {"k": 1}}, "ResultPath": "$.started", "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeExecution",
                     "Parameters": {"ExecutionArn.$": "$.started.ExecutionArn"}, "ResultPath": "$.described", "Next": "Stop"},
        "Stop": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:stopExecution",
                 "Parameters": {"ExecutionArn.$": "$.started.ExecutionArn", "Error": "Halt", "Cause": "by its parent"},
                 "ResultPath": "$.stopped", "Next": "Answer"},
        "Answer": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                   "Parameters": {"TaskToken": "no-such-token", "Output": "{}"},
                   "Catch": [{"ErrorEquals": ["Sfn.InvalidTokenException"], "ResultPath": "$.refused", "Next": "Done"}],
                   "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let p = e.create_state_machine("driver", &def.to_string(), "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!({})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    let out = Value::clone(done.output.as_ref().unwrap());
    assert_eq!(out["started"].as_object().unwrap().keys().collect::<Vec<_>>(), ["ExecutionArn", "StartDate"]);
    assert_eq!(out["described"]["Status"], json!("RUNNING"));
    assert_eq!(out["described"]["Input"], json!("{\"k\":1}"));
    assert!(out["stopped"]["StopDate"].is_i64());
    assert_eq!(out["refused"]["Error"], json!("Sfn.InvalidTokenException"));
    let kid = e.describe_execution(out["started"]["ExecutionArn"].as_str().unwrap()).unwrap();
    assert_eq!(
        (kid.status, kid.error.as_deref(), kid.cause.as_deref()),
        (Status::Aborted, Some("Halt"), Some("by its parent"))
    );
    e.shutdown();
}

#[test]
fn an_express_child_runs_in_memory_and_answers_a_sync_parent() {
    let e = engine(&data_dir("child-express"));
    let c = e.create_state_machine("quick", PASS_MACHINE, "EXPRESS", "role").unwrap().arn;
    let def = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                 "Parameters": {"StateMachineArn": c, "Input": {"x": 1}},
                 "ResultSelector": {"out.$": "$.Output", "child.$": "$.ExecutionArn"}, "End": true}}});
    let p = e.create_state_machine("parent", &def.to_string(), "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!({})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    let out = done.output.as_deref().unwrap();
    assert_eq!(out["out"], json!("v1"));
    let child = e.describe_execution(out["child"].as_str().unwrap()).unwrap();
    assert_eq!(child.parent.as_deref(), Some(run.arn.as_str()));
    // An EXPRESS execution started by hand on a parent's behalf names it too.
    let by_hand = e.start_execution(&c, None, json!({"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": run.arn})).unwrap();
    assert_eq!(by_hand.parent.as_deref(), Some(run.arn.as_str()));
    e.shutdown();
}

#[test]
fn parents_and_children_resume_after_a_restart_and_no_child_starts_twice() {
    let dir = data_dir("child-restart");
    let e = engine(&dir);
    let c = e.create_state_machine("child", CHILD, "STANDARD", "role").unwrap().arn;
    let p =
        e.create_state_machine("parent", &parent("arn:aws:states:::states:startExecution.sync:2"), "STANDARD", "role");
    let p = p.unwrap().arn;
    let runs: Vec<_> =
        (0..3).map(|i| e.start_execution(&p, Some(&format!("p{i}")), json!({"child": c, "n": i})).unwrap()).collect();
    // Every child is waiting on its worker when the engine goes away.
    for _ in 0..3 {
        e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    }
    let kids = children_of(&e, &c);
    e.shutdown();
    drop(e);
    // One child's end is in the store, and its parent was never told (as if the child had
    // ended in a batch the parent's answer did not make).
    let ended = kids.iter().find(|k| k.input["n"] == json!(0)).unwrap();
    {
        let store = crate::store::Store::open(&dir.join("stepline.redb")).unwrap();
        let mut rec = store.execution(&ended.arn).unwrap().unwrap();
        let mut b = crate::storage::Storage::begin(&store).unwrap();
        rec.status = Status::Succeeded;
        rec.output = Some(json!({"done": 0}).into());
        rec.stop = Some(rec.start + 1);
        b.put_execution(&rec, Some(Status::Running)).unwrap();
        b.commit().unwrap();
    }

    let e = engine(&dir);
    assert_eq!(children_of(&e, &c).len(), 3, "the replayed parents found their children");
    for _ in 0..2 {
        let task = e.poll_task("work", Duration::from_secs(5)).expect("a child's task, handed out again");
        let n = task.input["n"].clone();
        e.answer_task(&task.token, TaskAnswer::Success(json!({"done": n}))).unwrap();
    }
    for (i, run) in runs.iter().enumerate() {
        let done = wait_for(&e, &run.arn, Status::Succeeded);
        assert_eq!(done.output.as_ref().unwrap()["Output"], json!({"done": i}));
        let succeeded = event_types(&e, &run.arn).iter().filter(|t| *t == "TaskSucceeded").count();
        assert_eq!(succeeded, 1, "the parent was completed once");
    }
    assert_eq!(children_of(&e, &c).len(), 3);
    e.shutdown();
}

#[test]
fn a_redrive_through_the_engine_runs_only_the_map_iterations_that_failed() {
    let e = engine(&data_dir("redrive-partial"));
    let def = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task",
            "Resource": "arn:aws:states:us-east-1:000000000000:activity:work", "End": true}}}, "End": true}}});
    let sm = e.create_state_machine("each", &def.to_string(), "STANDARD", "role").unwrap();
    let run = e.start_execution(&sm.arn, Some("r1"), json!({"items": [1, 2, 3]})).unwrap();
    let mut got: Vec<_> = (0..3).map(|_| e.poll_task("work", Duration::from_secs(5)).expect("a task")).collect();
    got.sort_by_key(|t| t.input == json!(2));
    for t in &got {
        let answer = if t.input == json!(2) {
            TaskAnswer::Failure { error: "Boom".into(), cause: String::new() }
        } else {
            TaskAnswer::Success(json!({"round": 1, "in": t.input}))
        };
        e.answer_task(&t.token, answer).unwrap();
    }
    wait_for(&e, &run.arn, Status::Failed);
    e.redrive_execution(&run.arn).unwrap();
    let again = e.poll_task("work", Duration::from_secs(5)).expect("the failed iteration again");
    assert_eq!(again.input, json!(2));
    assert!(e.poll_task("work", Duration::from_millis(300)).is_none(), "only the failed iteration runs again");
    e.answer_task(&again.token, TaskAnswer::Success(json!({"round": 2, "in": 2}))).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(
        done.output.as_deref(),
        Some(&json!([{"round": 1, "in": 1}, {"round": 2, "in": 2}, {"round": 1, "in": 3}]))
    );
    e.shutdown();
}

#[test]
fn sdk_calls_list_executions_read_the_definition_run_and_redrive() {
    let e = engine(&data_dir("child-sdk-more"));
    let c = e.create_state_machine("child", CHILD, "STANDARD", "role").unwrap().arn;
    let failed = e.start_execution(&c, Some("c1"), json!({})).unwrap();
    let task = e.poll_task("work", Duration::from_secs(5)).expect("the child's task");
    e.answer_task(&task.token, TaskAnswer::Failure { error: "Boom".into(), cause: String::new() }).unwrap();
    wait_for(&e, &failed.arn, Status::Failed);
    let sdk = |api: &str, params: Value, at: &str, next: Value| {
        let mut s = json!({"Type": "Task", "Resource": format!("arn:aws:states:::aws-sdk:sfn:{api}"),
                           "Parameters": params, "ResultPath": at});
        match next {
            Value::String(n) => s["Next"] = json!(n),
            _ => s["End"] = json!(true),
        }
        s
    };
    let def = json!({"StartAt": "List", "States": {
        "List": sdk("listExecutions", json!({"StateMachineArn": c, "StatusFilter": "FAILED"}), "$.listed", json!("Def")),
        "Def": sdk("describeStateMachineForExecution", json!({"ExecutionArn.$": "$.failed"}), "$.def", json!("Redrive")),
        "Redrive": sdk("redriveExecution", json!({"ExecutionArn.$": "$.failed"}), "$.redriven", Value::Null)}});
    let p = e.create_state_machine("driver", &def.to_string(), "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!({"failed": failed.arn})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    let out = Value::clone(done.output.as_ref().unwrap());
    let listed = out["listed"]["Executions"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((&listed[0]["ExecutionArn"], &listed[0]["Status"]), (&json!(failed.arn), &json!("FAILED")));
    assert_eq!(out["def"]["Definition"], json!(CHILD));
    assert!(out["redriven"]["RedriveDate"].is_i64());
    // The redriven child runs its task again.
    let again = e.poll_task("work", Duration::from_secs(5)).expect("the redriven child's task");
    assert_eq!(again.execution_arn, failed.arn);
    e.shutdown();
}
