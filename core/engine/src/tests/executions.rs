//! Executions run, survive a restart, are redriven; EXPRESS ones run in memory.

use super::*;
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_asl::interp::Status;

#[test]
fn a_pass_machine_runs_to_the_end_and_keeps_its_history() {
    let dir = data_dir("pass");
    let e = engine(&dir);
    let sm = e
        .create_state_machine(
            "hello",
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "hi", "End": true}}}"#,
            "STANDARD",
            "role",
        )
        .unwrap();
    let ex = e.start_execution(&sm.arn, Some("first"), json!({"a": 1})).unwrap();
    assert_eq!(ex.status, Status::Succeeded);
    assert_eq!(ex.output, Some(json!("hi").into()));
    let d = e.describe_execution(&ex.arn).unwrap();
    assert_eq!(d, ex);
    let h = e.history(&ex.arn, 0, 100, false).unwrap();
    let types: Vec<&str> = h.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    assert!(matches!(
        e.create_state_machine("bad", "{\"StartAt\": \"X\"}", "STANDARD", "r"),
        Err(DefinitionError::InvalidDefinition(_))
    ));
    e.shutdown();
}

#[test]
fn tasks_go_to_workers_and_answers_apply_once() {
    let dir = data_dir("task");
    let e = engine(&dir);
    let sm = e.create_state_machine("tasks", TASK_MACHINE, "STANDARD", "role").unwrap();
    let ex = e.start_execution(&sm.arn, Some("t1"), json!({"n": 1})).unwrap();
    assert_eq!(ex.status, Status::Running);
    let task = e.poll_task("work", Duration::from_secs(5)).expect("a task for the worker");
    assert_eq!(task.input, json!({"n": 1}));
    assert_eq!(task.execution_arn, ex.arn);
    e.answer_task(&task.token, TaskAnswer::Success(json!("done"))).unwrap();
    let r = wait_for(&e, &ex.arn, Status::Succeeded);
    assert_eq!(r.output, Some(json!({"n": 1, "out": "done"}).into()));
    assert!(matches!(
        e.answer_task(&task.token, TaskAnswer::Success(json!("again"))),
        Err(TaskError::TaskDoesNotExist)
    ));
    assert!(matches!(e.answer_task("no-such-token", TaskAnswer::Heartbeat), Err(TaskError::TaskDoesNotExist)));
    e.shutdown();
}

#[test]
fn starting_twice_with_one_name_is_idempotent_only_for_the_same_input() {
    let dir = data_dir("idem");
    let e = engine(&dir);
    let sm = e.create_state_machine("idem", TASK_MACHINE, "STANDARD", "role").unwrap();
    let a = e.start_execution(&sm.arn, Some("once"), json!({"n": 1})).unwrap();
    let b = e.start_execution(&sm.arn, Some("once"), json!({"n": 1})).unwrap();
    assert_eq!(a.arn, b.arn);
    assert!(matches!(
        e.start_execution(&sm.arn, Some("once"), json!({"n": 2})),
        Err(ExecutionError::ExecutionAlreadyExists(_))
    ));
    assert!(matches!(e.start_execution(&sm.arn, Some("bad name"), json!({})), Err(ExecutionError::InvalidName(_))));
    // Two starts with one name in one batch (before the first is committed): one execution.
    let pass = e.create_state_machine("idem-pass", PASS_MACHINE, "STANDARD", "role").unwrap();
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (e, arn) = (e.clone(), pass.arn.clone());
            std::thread::spawn(move || e.start_execution(&arn, Some("racer"), json!({"same": true})))
        })
        .collect();
    let results: Vec<_> = racers.into_iter().map(|t| t.join().unwrap()).collect();
    // The first ran to the end at once; a closed execution's name cannot be used again.
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(ExecutionError::ExecutionAlreadyExists(_)))));
    assert_eq!(e.list_executions(Some(&pass.arn), None, 10, None).unwrap().len(), 1, "{results:?}");
    assert!(matches!(e.start_execution("arn:nope", None, json!({})), Err(ExecutionError::StateMachineDoesNotExist(_))));
    let stopped = e.stop_execution(&a.arn, Some("Operator"), Some("by hand")).unwrap();
    assert_eq!(stopped.status, Status::Aborted);
    assert_eq!(stopped.error.as_deref(), Some("Operator"));
    e.shutdown();
}

#[test]
fn a_restart_resumes_tasks_and_timers() {
    let dir = data_dir("restart");
    let (task_arn, wait_arn, token) = {
        let e = engine(&dir);
        let sm = e.create_state_machine("resume", TASK_MACHINE, "STANDARD", "role").unwrap();
        let waiter = e
            .create_state_machine(
                "waiter",
                r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}"#,
                "STANDARD",
                "role",
            )
            .unwrap();
        let t = e.start_execution(&sm.arn, Some("r1"), json!({"k": "v"})).unwrap();
        let w = e.start_execution(&waiter.arn, Some("w1"), json!({"w": true})).unwrap();
        let task = e.poll_task("work", Duration::from_secs(5)).unwrap();
        e.shutdown(); // the worker's answer never arrived before the engine went away
        (t.arn, w.arn, task.token)
    };
    let e = engine(&dir);
    // The in-flight task is handed out again with the same token.
    let again = e.poll_task("work", Duration::from_secs(5)).expect("task re-dispatched after restart");
    assert_eq!(again.token, token);
    e.answer_task(&token, TaskAnswer::Success(json!(42))).unwrap();
    assert_eq!(wait_for(&e, &task_arn, Status::Succeeded).output, Some(json!({"k": "v", "out": 42}).into()));
    // The Wait's timer was re-armed from the journal.
    assert_eq!(wait_for(&e, &wait_arn, Status::Succeeded).output, Some(json!({"w": true}).into()));
    let types: Vec<String> =
        e.history(&task_arn, 0, 100, false).unwrap().iter().map(|e| e["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(types.iter().filter(|t| *t == "ActivityScheduled").count(), 1, "replay adds no events: {types:?}");
    e.shutdown();
}

#[test]
fn a_failed_execution_is_redriven_from_the_failed_state() {
    let dir = data_dir("redrive");
    let e = engine(&dir);
    let sm = e.create_state_machine("redrive", TASK_MACHINE, "STANDARD", "role").unwrap();
    let ex = e.start_execution(&sm.arn, Some("r"), json!({"n": 7})).unwrap();
    let t = e.poll_task("work", Duration::from_secs(5)).unwrap();
    e.answer_task(&t.token, TaskAnswer::Failure { error: "Down".into(), cause: "later".into() }).unwrap();
    assert_eq!(wait_for(&e, &ex.arn, Status::Failed).error.as_deref(), Some("Down"));
    let r = e.redrive_execution(&ex.arn).unwrap();
    assert_eq!((r.status, r.redrive_count), (Status::Running, 1));
    let again = e.poll_task("work", Duration::from_secs(5)).expect("the failed task runs again");
    assert_eq!(again.input, json!({"n": 7}));
    e.answer_task(&again.token, TaskAnswer::Success(json!("fine"))).unwrap();
    let done = wait_for(&e, &ex.arn, Status::Succeeded);
    assert_eq!(done.output, Some(json!({"n": 7, "out": "fine"}).into()));
    assert!(matches!(e.redrive_execution(&ex.arn), Err(ExecutionError::ExecutionNotRedrivable(_))));
    let types: Vec<String> =
        e.history(&ex.arn, 0, 100, false).unwrap().iter().map(|e| e["type"].as_str().unwrap().to_string()).collect();
    assert!(types.contains(&"ExecutionRedriven".to_string()), "{types:?}");
    e.shutdown();
}

#[test]
fn express_executions_run_in_memory_and_wait_for_tasks_when_they_must() {
    let dir = data_dir("express");
    let e = engine(&dir);
    let sm = e.create_state_machine("quick", PASS_MACHINE, "EXPRESS", "role").unwrap();
    let done = e.start_sync_execution(&sm.arn, None, json!({"a": 1})).unwrap();
    assert_eq!((done.status, done.output.clone()), (Status::Succeeded, Some(json!("v1").into())));
    assert_eq!(e.describe_execution(&done.arn).unwrap(), done, "the summary is kept in memory");
    assert!(e.list_executions(Some(&sm.arn), None, 10, None).unwrap().iter().any(|r| r.arn == done.arn));
    assert!(matches!(e.history(&done.arn, 0, 10, false), Err(ExecutionError::StateMachineTypeNotSupported(_))));
    assert!(e.store.execution(&done.arn).unwrap().is_none(), "EXPRESS executions are not stored");

    // An update is seen by the next start: the cached version was dropped at commit.
    e.update_state_machine(&sm.arn, &PASS_MACHINE.replace("v1", "v2")).unwrap();
    assert_eq!(e.start_sync_execution(&sm.arn, None, json!({})).unwrap().output, Some(json!("v2").into()));

    // One that waits on a task is kept by the engine thread until a worker answers.
    let lambda = TASK_MACHINE
        .replace("states:us-east-1:000000000000:activity:work", "lambda:us-east-1:000000000000:function:work");
    let tasks = e.create_state_machine("quick-task", &lambda, "EXPRESS", "role").unwrap();
    let worker = {
        let e = e.clone();
        std::thread::spawn(move || {
            let t = e.poll_task("work", Duration::from_secs(5)).expect("a task");
            e.answer_task(&t.token, TaskAnswer::Success(json!("ok"))).unwrap();
        })
    };
    let r = e.start_sync_execution(&tasks.arn, Some("with-task"), json!({"n": 2})).unwrap();
    worker.join().unwrap();
    assert_eq!((r.status, r.output), (Status::Succeeded, Some(json!({"n": 2, "out": "ok"}).into())));

    let standard = e.create_state_machine("slow", PASS_MACHINE, "STANDARD", "role").unwrap();
    assert!(matches!(
        e.start_sync_execution(&standard.arn, None, json!({})),
        Err(ExecutionError::StateMachineTypeNotSupported(_))
    ));
    e.shutdown();
}

#[test]
fn a_configured_payload_limit_rejects_inputs_and_fails_states() {
    let dir = data_dir("limit");
    let e = open(EngineConfig { data_dir: dir, max_payload: 64, ..EngineConfig::default() }).unwrap();
    let grow = r#"{"StartAt": "Grow", "States": {"Grow": {"Type": "Pass",
        "Parameters": {"a.$": "$.s", "b.$": "$.s", "c.$": "$.s"}, "End": true}}}"#;
    let sm = e.create_state_machine("grow", grow, "STANDARD", "role").unwrap();
    let big = json!({"s": "x".repeat(80)});
    assert!(matches!(e.start_execution(&sm.arn, None, big), Err(ExecutionError::InvalidExecutionInput(_))));
    let r = e.start_execution(&sm.arn, None, json!({"s": "x".repeat(20)})).unwrap();
    assert_eq!((r.status, r.error.as_deref()), (Status::Failed, Some("States.DataLimitExceeded")));
    let ex = e.create_state_machine("grow-express", grow, "EXPRESS", "role").unwrap();
    let r = e.start_sync_execution(&ex.arn, None, json!({"s": "x".repeat(20)})).unwrap();
    assert_eq!(r.error.as_deref(), Some("States.DataLimitExceeded"));
    e.shutdown();
}

#[test]
fn only_executions_that_can_resume_or_be_redriven_keep_a_journal() {
    let dir = data_dir("journal");
    let e = engine(&dir);
    let pass = e.create_state_machine("pass", PASS_MACHINE, "STANDARD", "role").unwrap();
    let ok = e.start_execution(&pass.arn, None, json!({})).unwrap();
    assert_eq!(ok.status, Status::Succeeded);
    assert!(e.store.journal(&ok.arn).unwrap().is_empty());
    let fail = r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}"#;
    let f = e.create_state_machine("fail", fail, "STANDARD", "role").unwrap();
    let failed = e.start_execution(&f.arn, None, json!({})).unwrap();
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(e.store.journal(&failed.arn).unwrap().len(), 1, "a failed execution can be redriven");
    let t = e.create_state_machine("task", TASK_MACHINE, "STANDARD", "role").unwrap();
    let running = e.start_execution(&t.arn, None, json!({})).unwrap();
    assert_eq!(e.store.journal(&running.arn).unwrap().len(), 1);
    // Generated names sort in the order the executions started.
    let names: Vec<String> = (0..20).map(|_| e.start_execution(&pass.arn, None, json!({})).unwrap().name).collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    e.shutdown();
}

#[test]
fn a_machine_deleted_and_created_again_never_overwrites_the_versions_its_executions_ran() {
    let dir = data_dir("reborn");
    let e = engine(&dir);
    let sm = e.create_state_machine("reborn", PASS_MACHINE, "STANDARD", "role").unwrap();
    e.update_state_machine(&sm.arn, &PASS_MACHINE.replace("v1", "v2")).unwrap();
    let old = e.start_execution(&sm.arn, Some("on-v2"), json!({})).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while e.describe_execution(&old.arn).unwrap().status == Status::Running {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    e.delete_state_machine(&sm.arn).unwrap();
    let again = e.create_state_machine("reborn", &PASS_MACHINE.replace("v1", "v3"), "STANDARD", "role").unwrap();
    assert_eq!(again.version, 3, "numbered on from the deleted machine's versions");
    assert_eq!(e.store.state_machine_version(&sm.arn, 1).unwrap().as_deref(), Some(PASS_MACHINE));
    assert_eq!(e.store.state_machine_version(&sm.arn, 2).unwrap(), Some(PASS_MACHINE.replace("v1", "v2")));
    assert_eq!(e.describe_execution(&old.arn).unwrap().state_machine_version, 2);
    // After a restart too.
    e.shutdown();
    drop(e);
    let e = engine(&dir);
    let next = e.update_state_machine(&sm.arn, &PASS_MACHINE.replace("v1", "v4")).unwrap();
    assert_eq!(next.version, 4);
    assert_eq!(e.store.state_machine_version(&sm.arn, 3).unwrap(), Some(PASS_MACHINE.replace("v1", "v3")));
    e.shutdown();
}
