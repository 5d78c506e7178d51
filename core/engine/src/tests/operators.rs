//! What operators and other parts see: routes, listeners, the task board, counts, mock configs, tasks outside executions.

use super::*;
use serde_json::json;
use std::time::Duration;
use stepline_asl::interp::Status;

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
    let e =
        Engine::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }, local().route("remote", r)).unwrap();
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

#[test]
fn a_lambda_route_takes_the_functions_it_names_before_routes_by_activity_and_gets_their_withdrawals() {
    let dir = data_dir("lambda-route");
    let lambda = Arc::new(Kept::default());
    let other = Arc::new(Kept::default());
    let routes = local().route("resize", other.clone()).lambda(lambda.clone(), Some(vec!["resize".into()]));
    let e = Engine::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }, routes).unwrap();
    let function = TASK_MACHINE
        .replace("states:us-east-1:000000000000:activity:work", "lambda:us-east-1:000000000000:function:resize");
    let invoke = json!({"StartAt": "L", "States": {"L": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:resize:prod", "Payload": {}}, "End": true}}});
    let activity = TASK_MACHINE.replace("activity:work", "activity:resize");
    let unnamed = TASK_MACHINE
        .replace("states:us-east-1:000000000000:activity:work", "lambda:us-east-1:000000000000:function:work");
    for (name, def) in [("fn", function), ("invoke", invoke.to_string()), ("act", activity), ("unnamed", unnamed)] {
        let sm = e.create_state_machine(name, &def, "STANDARD", "role").unwrap();
        e.start_execution(&sm.arn, Some(name), json!({})).unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while lambda.tasks.lock().unwrap().len() < 2 || other.tasks.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "tasks were not dispatched");
        std::thread::sleep(Duration::from_millis(10));
    }
    let by_lambda: Vec<String> = lambda.tasks.lock().unwrap().iter().map(|t| t.execution_name.clone()).collect();
    assert_eq!(by_lambda.len(), 2);
    assert!(by_lambda.contains(&"fn".to_string()) && by_lambda.contains(&"invoke".to_string()), "{by_lambda:?}");
    assert_eq!(other.tasks.lock().unwrap()[0].execution_name, "act", "an activity of the same name keeps its route");
    let unnamed =
        e.poll_task("work", Duration::from_secs(5)).expect("a function not named stays with its activity's dispatcher");
    assert_eq!(unnamed.execution_name, "unnamed");
    let fn_task = lambda.tasks.lock().unwrap().iter().find(|t| t.execution_name == "fn").unwrap().clone();
    e.stop_execution(&fn_task.execution_arn, None, None).unwrap();
    assert!(lambda.withdrawn.lock().unwrap().contains(&fn_task.token), "the withdrawal reaches the Lambda route");
    assert!(other.withdrawn.lock().unwrap().is_empty());
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
    let e = Engine::open(config, local().on_status_change(h)).unwrap();
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
    let e =
        open(EngineConfig { data_dir: dir.clone(), mock_config: Some(Arc::new(config)), ..EngineConfig::default() })
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
    let e = open(EngineConfig {
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
