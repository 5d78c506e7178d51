//! Engine tests on a real redb file: executions run, survive a restart, and answers are
//! applied once.

use super::*;
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_asl::interp::Status;

fn data_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("stepline-engine-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn engine(dir: &std::path::Path) -> Engine {
    Engine::open(EngineConfig { data_dir: dir.to_path_buf(), ..EngineConfig::default() }).unwrap()
}

const TASK_MACHINE: &str = r#"{"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work", "ResultPath": "$.out", "End": true}}}"#;

fn wait_for(e: &Engine, arn: &str, status: Status) -> ExecutionRecord {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = e.describe_execution(arn).unwrap();
        if r.status == status || Instant::now() > deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

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
        Err(EngineError::InvalidDefinition(_))
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
        Err(EngineError::TaskDoesNotExist)
    ));
    assert!(matches!(e.answer_task("no-such-token", TaskAnswer::Heartbeat), Err(EngineError::TaskDoesNotExist)));
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
        Err(EngineError::ExecutionAlreadyExists(_))
    ));
    assert!(matches!(e.start_execution(&sm.arn, Some("bad name"), json!({})), Err(EngineError::InvalidName(_))));
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
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(EngineError::ExecutionAlreadyExists(_)))));
    assert_eq!(e.list_executions(Some(&pass.arn), None, 10, None).unwrap().len(), 1, "{results:?}");
    assert!(matches!(e.start_execution("arn:nope", None, json!({})), Err(EngineError::StateMachineDoesNotExist(_))));
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
    assert!(matches!(e.redrive_execution(&ex.arn), Err(EngineError::ExecutionNotRedrivable(_))));
    let types: Vec<String> =
        e.history(&ex.arn, 0, 100, false).unwrap().iter().map(|e| e["type"].as_str().unwrap().to_string()).collect();
    assert!(types.contains(&"ExecutionRedriven".to_string()), "{types:?}");
    e.shutdown();
}

const PASS_MACHINE: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "v1", "End": true}}}"#;

#[test]
fn express_executions_run_in_memory_and_wait_for_tasks_when_they_must() {
    let dir = data_dir("express");
    let e = engine(&dir);
    let sm = e.create_state_machine("quick", PASS_MACHINE, "EXPRESS", "role").unwrap();
    let done = e.start_sync_execution(&sm.arn, None, json!({"a": 1})).unwrap();
    assert_eq!((done.status, done.output.clone()), (Status::Succeeded, Some(json!("v1").into())));
    assert_eq!(e.describe_execution(&done.arn).unwrap(), done, "the summary is kept in memory");
    assert!(e.list_executions(Some(&sm.arn), None, 10, None).unwrap().iter().any(|r| r.arn == done.arn));
    assert!(matches!(e.history(&done.arn, 0, 10, false), Err(EngineError::StateMachineTypeNotSupported(_))));
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
        Err(EngineError::StateMachineTypeNotSupported(_))
    ));
    e.shutdown();
}

#[test]
fn a_configured_payload_limit_rejects_inputs_and_fails_states() {
    let dir = data_dir("limit");
    let e = Engine::open(EngineConfig { data_dir: dir, max_payload: 64, ..EngineConfig::default() }).unwrap();
    let grow = r#"{"StartAt": "Grow", "States": {"Grow": {"Type": "Pass",
        "Parameters": {"a.$": "$.s", "b.$": "$.s", "c.$": "$.s"}, "End": true}}}"#;
    let sm = e.create_state_machine("grow", grow, "STANDARD", "role").unwrap();
    let big = json!({"s": "x".repeat(80)});
    assert!(matches!(e.start_execution(&sm.arn, None, big), Err(EngineError::InvalidExecutionInput(_))));
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

/// A dispatcher that keeps what it is given, standing in for a bus.
#[derive(Default)]
struct Kept {
    tasks: std::sync::Mutex<Vec<TaskEnvelope>>,
    withdrawn: std::sync::Mutex<Vec<String>>,
}

impl Dispatcher for Kept {
    fn dispatch(&self, task: TaskEnvelope) {
        self.tasks.lock().unwrap().push(task);
    }
    fn withdraw(&self, token: &str, answered: bool) {
        if !answered {
            self.withdrawn.lock().unwrap().push(token.to_string());
        }
    }
}

#[test]
fn routes_send_each_activity_to_its_dispatcher_and_withdraw_what_is_no_longer_wanted() {
    let dir = data_dir("routes");
    let remote = Arc::new(Kept::default());
    let r = remote.clone();
    let e = Engine::open_with(EngineConfig { data_dir: dir, ..EngineConfig::default() }, move |q| {
        Routes::local(q).route("remote", r)
    })
    .unwrap();
    let far =
        e.create_state_machine("far", &TASK_MACHINE.replace("activity:work", "activity:remote"), "STANDARD", "role");
    let far = far.unwrap();
    let near = e.create_state_machine("near", TASK_MACHINE, "STANDARD", "role").unwrap();
    let a = e.start_execution(&far.arn, Some("a"), json!({"to": "remote"})).unwrap();
    let b = e.start_execution(&far.arn, Some("b"), json!({})).unwrap();
    e.start_execution(&near.arn, Some("c"), json!({"to": "local"})).unwrap();
    let local = e.poll_task("work", Duration::from_secs(5)).expect("the local activity stays in process");
    assert_eq!(local.input, json!({"to": "local"}));
    assert!(e.poll_task("remote", Duration::from_millis(50)).is_none(), "routed tasks are not queued locally");
    let sent = remote.tasks.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    let first = sent.iter().find(|t| t.execution_arn == a.arn).unwrap();
    e.answer_task(&first.token, TaskAnswer::Success(json!(1))).unwrap();
    assert!(remote.withdrawn.lock().unwrap().is_empty(), "an answered task is not withdrawn as unwanted");
    assert_eq!(wait_for(&e, &a.arn, Status::Succeeded).output, Some(json!({"to": "remote", "out": 1}).into()));
    e.stop_execution(&b.arn, None, None).unwrap();
    let second = sent.iter().find(|t| t.execution_arn == b.arn).unwrap();
    assert!(remote.withdrawn.lock().unwrap().contains(&second.token), "a stopped execution withdraws its task");
    e.shutdown();
}

#[derive(Default)]
struct Statuses(std::sync::Mutex<Vec<(String, Status, u32)>>);

impl StatusListener for Statuses {
    fn status_changed(&self, r: &ExecutionRecord) {
        self.0.lock().unwrap().push((r.name.clone(), r.status, r.redrive_count));
    }
}

#[test]
fn listeners_hear_every_status_change_once() {
    let dir = data_dir("statuses");
    let heard = Arc::new(Statuses::default());
    let h = heard.clone();
    let config = EngineConfig { data_dir: dir, ..EngineConfig::default() };
    let e = Engine::open_with(config, move |q| Routes::local(q).on_status_change(h)).unwrap();
    let pass = e.create_state_machine("p", PASS_MACHINE, "STANDARD", "role").unwrap();
    e.start_execution(&pass.arn, Some("quick"), json!({})).unwrap();
    let tasks = e.create_state_machine("t", TASK_MACHINE, "STANDARD", "role").unwrap();
    let slow = e.start_execution(&tasks.arn, Some("slow"), json!({})).unwrap();
    let t = e.poll_task("work", Duration::from_secs(5)).unwrap();
    e.answer_task(&t.token, TaskAnswer::Failure { error: "E".into(), cause: "c".into() }).unwrap();
    wait_for(&e, &slow.arn, Status::Failed);
    e.redrive_execution(&slow.arn).unwrap();
    e.stop_execution(&slow.arn, None, None).unwrap();
    let express = e.create_state_machine("x", PASS_MACHINE, "EXPRESS", "role").unwrap();
    e.start_sync_execution(&express.arn, Some("fast"), json!({})).unwrap();
    let got = heard.0.lock().unwrap().clone();
    let expected = [
        ("quick", Status::Running, 0),
        ("quick", Status::Succeeded, 0),
        ("slow", Status::Running, 0),
        ("slow", Status::Failed, 0),
        ("slow", Status::Running, 1),
        ("slow", Status::Aborted, 1),
        ("fast", Status::Running, 0),
        ("fast", Status::Succeeded, 0),
    ];
    let got: Vec<(&str, Status, u32)> = got.iter().map(|(n, s, r)| (n.as_str(), *s, *r)).collect();
    assert_eq!(got, expected);
    e.shutdown();
}

#[test]
fn the_task_board_shows_outstanding_tasks_heartbeats_and_answers_per_activity() {
    let dir = data_dir("board");
    let e = engine(&dir);
    let sm = e.create_state_machine("work", TASK_MACHINE, "STANDARD", "role").unwrap();
    let a = e.start_execution(&sm.arn, Some("a"), json!({})).unwrap();
    let b = e.start_execution(&sm.arn, Some("b"), json!({})).unwrap();
    let board = e.pending_tasks().unwrap();
    assert_eq!(board.tasks.len(), 2);
    assert_eq!(board.tasks[0].state_name, "Work");
    assert_eq!(board.activities.len(), 1);
    let load = &board.activities[0];
    assert_eq!((load.activity.as_str(), load.pending, load.answered), ("work", 2, 0));
    assert_eq!(load.oldest, Some(board.tasks[0].scheduled));
    assert_eq!(load.last_heartbeat, None);

    let first = e.poll_task("work", Duration::from_secs(5)).unwrap();
    e.answer_task(&first.token, TaskAnswer::Heartbeat).unwrap();
    let beat = e.pending_tasks().unwrap();
    let t = beat.tasks.iter().find(|t| t.token == first.token).unwrap();
    assert!(t.last_heartbeat.is_some());
    assert_eq!(beat.activities[0].last_heartbeat, t.last_heartbeat);

    e.answer_task(&first.token, TaskAnswer::Success(json!(1))).unwrap();
    let after = e.pending_tasks().unwrap();
    assert_eq!(after.tasks.len(), 1);
    assert_ne!(after.tasks[0].token, first.token);
    assert_eq!((after.activities[0].pending, after.activities[0].answered), (1, 1));
    let left = [&a.arn, &b.arn].into_iter().find(|arn| **arn == after.tasks[0].execution_arn);
    assert!(left.is_some());
    e.shutdown();
}

#[test]
fn counts_scans_and_failure_facts_are_kept_for_operators() {
    let dir = data_dir("scan");
    let e = engine(&dir);
    let retried = r#"{"StartAt": "Work", "States": {
      "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work",
               "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 60}], "End": true}}}"#;
    let sm = e.create_state_machine("scan", retried, "STANDARD", "role").unwrap();
    let ok = e.start_execution(&sm.arn, Some("ok"), json!({})).unwrap();
    let bad = e.start_execution(&sm.arn, Some("bad"), json!({})).unwrap();
    let flaky = e.start_execution(&sm.arn, Some("flaky"), json!({})).unwrap();
    for _ in 0..3 {
        let t = e.poll_task("work", Duration::from_secs(5)).unwrap();
        let answer = match t.execution_name.as_str() {
            "ok" => TaskAnswer::Success(json!(1)),
            "bad" => TaskAnswer::Failure { error: "Broken".into(), cause: "it broke".into() },
            _ => TaskAnswer::Failure { error: "Flaky".into(), cause: "try later".into() },
        };
        e.answer_task(&t.token, answer).unwrap();
    }
    assert_eq!(wait_for(&e, &ok.arn, Status::Succeeded).failed_state, None);
    let failed = wait_for(&e, &bad.arn, Status::Failed);
    assert_eq!(failed.failed_state.as_deref(), Some("Work"));
    let waiting = e.describe_execution(&flaky.arn).unwrap();
    assert!(waiting.retrying, "a failed attempt waiting for its retry");
    assert!(waiting.updated >= waiting.start);

    let mut counts = e.execution_counts().unwrap();
    counts.sort_by_key(|c| c.1.as_str());
    let seen: Vec<(&str, u64)> = counts.iter().map(|(_, s, n)| (s.as_str(), *n)).collect();
    assert_eq!(seen, [("FAILED", 1), ("RUNNING", 1), ("SUCCEEDED", 1)]);

    // Oldest first, one record read per scan, resuming where the last one stopped.
    let mut names = Vec::new();
    let mut after: Option<(i64, String)> = None;
    loop {
        let q = crate::store::ScanQuery {
            machine: None,
            status: None,
            oldest_first: true,
            after: after.as_ref().map(|(ms, a)| (*ms, a.as_str())),
            limit: 10,
            max_scanned: 1,
        };
        let scan = e.scan_executions(&q, &mut |r| r.name != "ok").unwrap();
        names.extend(scan.records.iter().map(|r| r.name.clone()));
        if scan.scanned == 0 {
            break;
        }
        after = scan.resume_at;
    }
    assert_eq!(names, ["bad", "flaky"]);
    e.shutdown();
    drop(e);

    // Counts survive a restart.
    let e = engine(&dir);
    assert_eq!(e.execution_counts().unwrap().len(), 3);
    e.shutdown();
}

#[test]
fn a_mock_config_test_case_answers_its_tasks_and_leaves_the_others_to_workers() {
    let dir = data_dir("mocked");
    let config = stepline_asl::testing::MockConfig::parse(&json!({
        "StateMachines": {"orders": {"TestCases": {
            "Happy": {"Validate": "Valid", "Charge": "Charged"},
            "Hybrid": {"Validate": "Valid"},
            "Declined": {"Validate": "Valid", "Charge": "Declined"}}}},
        "MockedResponses": {
            "Valid": {"0": {"Return": {"total": 5}}},
            "Charged": {"0": {"Return": {"id": "ch_1"}}},
            "Declined": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "no funds"}}}}}))
    .unwrap();
    let e = Engine::open(EngineConfig {
        data_dir: dir.clone(),
        mock_config: Some(Arc::new(config)),
        ..EngineConfig::default()
    })
    .unwrap();
    let def = r#"{"StartAt": "Validate", "States": {
      "Validate": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:validate", "ResultPath": "$.v", "Next": "Charge"},
      "Charge": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:charge", "ResultPath": "$.c", "End": true}}}"#;
    let sm = e.create_state_machine("orders", def, "STANDARD", "role").unwrap();
    let happy = e.start_test_case(&sm.arn, "Happy", None, json!({"n": 1})).unwrap();
    let done = wait_for(&e, &happy.arn, Status::Succeeded);
    assert_eq!(done.output, Some(json!({"n": 1, "v": {"total": 5}, "c": {"id": "ch_1"}}).into()));
    let declined = e.start_test_case(&sm.arn, "Declined", None, json!({})).unwrap();
    assert_eq!(wait_for(&e, &declined.arn, Status::Failed).error.as_deref(), Some("Card.Declined"));
    // Charge is not in the test case: a worker gets it.
    let hybrid = e.start_test_case(&sm.arn, "Hybrid", None, json!({})).unwrap();
    let task = e.poll_task("charge", Duration::from_secs(5)).expect("the unmocked state goes to a worker");
    assert_eq!(task.input, json!({"v": {"total": 5}}));
    e.answer_task(&task.token, TaskAnswer::Success(json!("real"))).unwrap();
    assert_eq!(
        wait_for(&e, &hybrid.arn, Status::Succeeded).output,
        Some(json!({"v": {"total": 5}, "c": "real"}).into())
    );
    assert!(e.poll_task("validate", Duration::from_millis(50)).is_none(), "mocked tasks never reach workers");
    // Only the worker's answer counts as the load of its activity; mocked answers do not.
    let board = e.pending_tasks().unwrap();
    let loads: Vec<(&str, u64)> = board.activities.iter().map(|a| (a.activity.as_str(), a.answered)).collect();
    assert_eq!(loads, [("charge", 1)]);
    // A replay runs the same test case.
    let again = e.replay_execution(&happy.arn, false).unwrap();
    assert_eq!(wait_for(&e, &again.arn, Status::Succeeded).output, done.output);
    let unknown = e.start_test_case(&sm.arn, "Nope", None, json!({})).unwrap_err();
    assert_eq!(unknown.aws_type(), "ValidationException");
    assert!(unknown.to_string().contains("no test case 'Nope'"), "{unknown}");
    let left = e.start_test_case(&sm.arn, "Hybrid", Some("left"), json!({})).unwrap();
    assert!(e.poll_task("charge", Duration::from_secs(5)).is_some());
    e.shutdown();
    drop(e);
    // Without a mock config, a test case is refused with how to give one; a test case
    // execution still waiting does not stop the engine: its task goes to a worker again.
    let plain = engine(&dir);
    let err = plain.start_test_case(&sm.arn, "Happy", None, json!({})).unwrap_err();
    assert!(err.to_string().contains("--mock-config"), "{err}");
    let again = plain.poll_task("charge", Duration::from_secs(5)).expect("handed out again after the restart");
    assert_eq!(again.execution_arn, left.arn);
    plain.shutdown();
}

#[test]
fn a_mocked_loop_with_no_wait_does_not_hold_the_engine() {
    let dir = data_dir("mocked-loop");
    let config = stepline_asl::testing::MockConfig::parse(&json!({
        "StateMachines": {"spin": {"TestCases": {"Forever": {"Spin": "Ok"}}}},
        "MockedResponses": {"Ok": {"0-4000000000": {"Return": 1}}}}))
    .unwrap();
    let e = Engine::open(EngineConfig {
        data_dir: dir,
        mock_config: Some(Arc::new(config)),
        // No history limit: the loop must be held back by the batch's share alone.
        max_history_events: u64::MAX,
        ..EngineConfig::default()
    })
    .unwrap();
    let def = r#"{"StartAt": "Spin", "States": {
      "Spin": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:spin", "Next": "Again"},
      "Again": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Done"}], "Default": "Spin"},
      "Done": {"Type": "Succeed"}}}"#;
    let sm = e.create_state_machine("spin", def, "STANDARD", "role").unwrap();
    let spinning = e.start_test_case(&sm.arn, "Forever", None, json!({})).unwrap();
    // Other requests are still answered while it spins, and it can be stopped.
    let other = e.create_state_machine("other", TASK_MACHINE, "STANDARD", "role").unwrap();
    assert_eq!(other.name, "other");
    let stopped = e.stop_execution(&spinning.arn, None, None).unwrap();
    assert_eq!(stopped.status, Status::Aborted);
    e.shutdown();
}

#[test]
fn a_task_outside_any_execution_goes_to_its_worker_or_times_out() {
    let dir = data_dir("detached");
    let e = engine(&dir);
    let def = json!({"StartAt": "Price", "States": {"Price": {"Type": "Task",
        "Resource": "arn:aws:states:us-east-1:000000000000:activity:price", "End": true}}});
    let machine = stepline_asl::model::compile_value(&def, stepline_asl::model::MachineType::Standard).unwrap();
    let (_, cmds) =
        stepline_asl::interp::start(&machine, stepline_asl::runner::local_info("m", "x"), json!({"sku": "a"}), 0, 1);
    let Some(stepline_asl::interp::Command::ScheduleTask(req)) = cmds.into_iter().next() else { panic!("a task") };
    let worker = e.clone();
    let answering = std::thread::spawn(move || {
        let t = worker.poll_task("price", Duration::from_secs(5)).expect("the worker gets it");
        assert_eq!(t.input, json!({"sku": "a"}));
        worker.answer_task(&t.token, TaskAnswer::Heartbeat).unwrap();
        worker.answer_task(&t.token, TaskAnswer::Success(json!(9))).unwrap();
    });
    match e.run_task(&req, Duration::from_secs(5)).unwrap() {
        TaskAnswer::Success(v) => assert_eq!(v, json!(9)),
        other => panic!("{other:?}"),
    }
    answering.join().unwrap();
    // Nobody answers the second time.
    let started = Instant::now();
    match e.run_task(&req, Duration::from_millis(300)).unwrap() {
        TaskAnswer::Failure { error, .. } => assert_eq!(error, "States.Timeout"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    e.shutdown();
}

#[test]
fn a_loop_without_a_wait_fails_its_execution_and_the_engine_carries_on() {
    let dir = data_dir("endless");
    let e = engine(&dir);
    let endless = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"C"}],"Default":"A"},"C":{"Type":"Succeed"}}}"#;
    let hello = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "hi", "End": true}}}"#;
    let cause = "The execution reached the maximum number of history events (25000).";
    for kind in ["STANDARD", "EXPRESS"] {
        let sm = e.create_state_machine(&format!("endless-{kind}"), endless, kind, "role").unwrap();
        let ex = e.start_execution(&sm.arn, Some("spin"), json!({})).unwrap();
        assert_eq!(ex.status, Status::Failed, "{kind}");
        assert_eq!(ex.error.as_deref(), Some("States.Runtime"));
        assert_eq!(ex.cause.as_deref(), Some(cause));
        let ok = e.create_state_machine(&format!("hello-{kind}"), hello, kind, "role").unwrap();
        assert_eq!(e.start_execution(&ok.arn, Some("after"), json!({})).unwrap().status, Status::Succeeded);
    }
    let arn = "arn:aws:states:us-east-1:000000000000:execution:endless-STANDARD:spin";
    let h = e.history(arn, 0, 30_000, false).unwrap();
    assert_eq!(h.len(), 25_000);
    assert_eq!(h.last().unwrap()["type"], "ExecutionFailed");
    assert!(matches!(e.redrive_execution(arn), Err(EngineError::ExecutionNotRedrivable(_))));
    e.shutdown();
    drop(e);
    let e = engine(&dir);
    assert_eq!(e.describe_execution(arn).unwrap().status, Status::Failed);
    e.shutdown();
}

/// A tmpfs of a few MiB mounted for one test, so the disk really fills up.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(name: &str, mib: u32) -> Option<SmallDisk> {
        let dir = data_dir(name);
        std::fs::create_dir_all(&dir).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(dir))
    }

    /// Writes a file until the device is full; returns its path.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_full_disk_refuses_work_clearly_and_the_engine_resumes_by_itself_once_space_is_freed() {
    let Some(disk) = SmallDisk::mount("full-disk", 24) else {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a tmpfs");
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let data = disk.0.join("data");
    let e =
        Engine::open(EngineConfig { data_dir: data.clone(), cache_bytes: 1 << 20, ..EngineConfig::default() }).unwrap();
    let sm = e.create_state_machine("tasks", TASK_MACHINE, "STANDARD", "role").unwrap();
    let waiter = e
        .create_state_machine(
            "waiter",
            r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}}"#,
            "STANDARD",
            "role",
        )
        .unwrap();
    let before = e.start_execution(&sm.arn, Some("before"), json!({"n": 1})).unwrap();
    let task = e.poll_task("work", Duration::from_secs(5)).unwrap();
    let waiting = e.start_execution(&waiter.arn, Some("waiting"), json!({})).unwrap();

    let filler = disk.fill();
    let big = json!({"blob": "x".repeat(200 * 1024)});
    let mut refused = None;
    for i in 0..500 {
        match e.start_execution(&sm.arn, Some(&format!("fill-{i}")), big.clone()) {
            Ok(_) => continue,
            Err(err) => {
                refused = Some((i, err));
                break;
            }
        }
    }
    let (i, err) = refused.expect("the disk filled up");
    assert_eq!(err.aws_type(), "ServiceUnavailable", "{err}");
    let msg = err.to_string();
    assert!(msg.contains("no space left on the device"), "{msg}");
    assert!(msg.contains(&data.join("stepline.redb").display().to_string()), "{msg}");
    // Refused at once while the disk is full, and the answer to a task is not applied.
    let again = e.start_execution(&sm.arn, Some("during"), json!({})).unwrap_err();
    assert_eq!(again.aws_type(), "ServiceUnavailable");
    assert!(e.answer_task(&task.token, TaskAnswer::Success(json!("done"))).is_err());

    std::fs::remove_file(filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = loop {
        match e.start_execution(&sm.arn, Some("after"), json!({"n": 2})) {
            Ok(r) => break r,
            Err(err) if Instant::now() < deadline => {
                assert_eq!(err.aws_type(), "ServiceUnavailable", "{err}");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => panic!("the engine did not resume: {err}"),
        }
    };
    assert_eq!(after.status, Status::Running);
    // The refused start left nothing behind; what was committed before is intact.
    assert!(matches!(
        e.describe_execution(&format!("arn:aws:states:us-east-1:000000000000:execution:tasks:fill-{i}")),
        Err(EngineError::ExecutionDoesNotExist(_))
    ));
    // The task outstanding before is handed out again with its token, and applies once.
    let mut tokens = Vec::new();
    while let Some(t) = e.poll_task("work", Duration::from_millis(300)) {
        tokens.push(t.token);
    }
    assert!(tokens.contains(&task.token), "the waiting task is handed out again");
    e.answer_task(&task.token, TaskAnswer::Success(json!("done"))).unwrap();
    assert_eq!(wait_for(&e, &before.arn, Status::Succeeded).output, Some(json!({"n": 1, "out": "done"}).into()));
    let types: Vec<String> = e
        .history(&before.arn, 0, 100, false)
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "ActivityScheduled").count(), 1, "{types:?}");
    assert_eq!(types.iter().filter(|t| *t == "ActivitySucceeded").count(), 1, "{types:?}");
    // Timers fire again.
    assert_eq!(wait_for(&e, &waiting.arn, Status::Succeeded).status, Status::Succeeded);
    e.shutdown();
}

#[test]
fn an_empty_or_foreign_store_file_is_refused_and_left_as_it_was() {
    for (name, content) in [("empty", &b""[..]), ("foreign", &b"this is not a database, just text\n"[..])] {
        let dir = data_dir(&format!("not-a-store-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("stepline.redb");
        std::fs::write(&file, content).unwrap();
        let err = Engine::open(EngineConfig { data_dir: dir.clone(), ..EngineConfig::default() }).err().expect(name);
        let msg = err.to_string();
        assert!(msg.contains("is not a Stepline store"), "{name}: {msg}");
        assert!(msg.contains(&file.display().to_string()), "{name}: {msg}");
        assert!(msg.contains("docs/storage.md"), "{name}: {msg}");
        assert_eq!(std::fs::read(&file).unwrap(), content, "{name}: the file is untouched");
    }
    // A missing file is a new store.
    let dir = data_dir("new-store");
    engine(&dir).shutdown();
    assert!(dir.join("stepline.redb").metadata().unwrap().len() > 0);
}

#[test]
fn a_wait_for_task_token_task_waits_for_its_callback_not_its_workers_reply() {
    let dir = data_dir("wait-for-token");
    let e = engine(&dir);
    let def = r#"{"StartAt": "Notify", "States": {"Notify": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
      "End": true}}}"#;
    let sm = e.create_state_machine("notify", def, "STANDARD", "role").unwrap();
    // The worker's return value is ignored: the state waits for the token's callback.
    let ok = e.start_execution(&sm.arn, Some("ok"), json!({"n": 1})).unwrap();
    let task = e.poll_task("notify", Duration::from_secs(5)).unwrap();
    let callback = task.input["token"].as_str().unwrap().to_string();
    assert_ne!(task.token, callback, "handed out under its own token");
    let issued = |t: &str| t.len() == 32 && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    assert!(issued(&task.token) && issued(&callback), "shaped as every token: {} {callback}", task.token);
    assert!(task.wait_for_token);
    e.answer_task(&task.token, TaskAnswer::Success(json!({"returned": "by the function"}))).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(e.describe_execution(&ok.arn).unwrap().status, Status::Running);
    e.answer_task(&callback, TaskAnswer::Heartbeat).unwrap();
    e.answer_task(&callback, TaskAnswer::Success(json!({"approved": true}))).unwrap();
    let done = wait_for(&e, &ok.arn, Status::Succeeded);
    assert_eq!(done.output, Some(json!({"approved": true}).into()), "the callback's output, not a Lambda response");
    assert!(matches!(e.answer_task(&callback, TaskAnswer::Success(json!(1))), Err(EngineError::TaskDoesNotExist)));
    // A failed invocation fails the task.
    let bad = e.start_execution(&sm.arn, Some("bad"), json!({"n": 2})).unwrap();
    let task = e.poll_task("notify", Duration::from_secs(5)).unwrap();
    e.answer_task(&task.token, TaskAnswer::Failure { error: "Lambda.Unknown".into(), cause: "boom".into() }).unwrap();
    let failed = wait_for(&e, &bad.arn, Status::Failed);
    assert_eq!(failed.error.as_deref(), Some("Lambda.Unknown"));
    // A callback that arrives before the worker's reply ends the task; the late reply is refused.
    let early = e.start_execution(&sm.arn, Some("early"), json!({"n": 3})).unwrap();
    let task = e.poll_task("notify", Duration::from_secs(5)).unwrap();
    e.answer_task(task.input["token"].as_str().unwrap(), TaskAnswer::Success(json!("early"))).unwrap();
    wait_for(&e, &early.arn, Status::Succeeded);
    assert!(matches!(e.answer_task(&task.token, TaskAnswer::Success(json!(1))), Err(EngineError::TaskDoesNotExist)));
    e.shutdown();
}

#[test]
fn an_input_nested_to_the_parsers_limit_is_stored_and_read_back() {
    let dir = data_dir("deep");
    let e = engine(&dir);
    let sm = e.create_state_machine("deep", TASK_MACHINE, "STANDARD", "role").unwrap();
    let mut deep = json!("bottom");
    for _ in 0..stepline_asl::interp::MAX_NESTING {
        deep = json!([deep]);
    }
    let ex = e.start_execution(&sm.arn, Some("deep"), deep.clone()).unwrap();
    assert_eq!(*e.describe_execution(&ex.arn).unwrap().input, deep);
    assert_eq!(e.list_executions(Some(&sm.arn), None, 10, None).unwrap().len(), 1);
    let task = e.poll_task("work", Duration::from_secs(5)).unwrap();
    e.shutdown();
    drop(e);
    // The journal is read back on a restart too.
    let e = engine(&dir);
    let again = e.poll_task("work", Duration::from_secs(5)).unwrap();
    assert_eq!(again.token, task.token);
    assert_eq!(again.input, deep);
    e.shutdown();
}
