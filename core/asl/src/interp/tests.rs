//! Scenario tests of the interpreter, stepped event by event or run with the in-process
//! runner on virtual time.

use super::*;
use crate::model::{compile_value, MachineType};
use crate::runner::{self, RunOptions, TaskOutcome};
use serde_json::{json, Value};

fn machine(def: Value) -> StateMachine {
    compile_value(&def, MachineType::Standard).expect("valid definition")
}

fn types(exec: &Execution) -> Vec<String> {
    exec.history.iter().map(|e| e.kind.type_name()).collect()
}

fn run_with(def: Value, input: Value, mut handler: impl FnMut(&TaskRequest) -> TaskOutcome) -> Execution {
    let m = machine(def);
    runner::run(&m, runner::local_info("t", "e"), input, &mut handler, &RunOptions::default()).expect("execution ends")
}

const ACTIVITY: &str = "arn:aws:states:us-east-1:000000000000:activity:work";

#[test]
fn pass_chain_transforms_and_records_history() {
    let exec = run_with(
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a.x, 41)"}, "End": true}}}),
        json!({"in": true}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.status, Status::Succeeded);
    assert_eq!(exec.output.as_deref(), Some(&json!({"sum": 42})));
    assert_eq!(
        types(&exec),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(exec.state_transitions, 2);
}

#[test]
fn task_is_retried_then_succeeds_with_backoff_on_virtual_time() {
    let mut calls = 0;
    let exec = run_with(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ACTIVITY,
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}], "End": true}}}),
        json!({"n": 1}),
        |r| {
            calls += 1;
            assert_eq!(r.retry_count, calls - 1);
            if calls < 3 {
                TaskOutcome::Failure { error: "Flaky".into(), cause: "try again".into() }
            } else {
                TaskOutcome::Success(json!({"done": r.input["n"]}))
            }
        },
    );
    assert_eq!(exec.status, Status::Succeeded);
    assert_eq!(exec.output.as_deref(), Some(&json!({"done": 1})));
    // 2 s then 6 s of backoff.
    assert_eq!(exec.stop_time.unwrap() - exec.info.start_time, 8_000);
    let t = types(&exec);
    assert_eq!(t.iter().filter(|e| *e == "ActivityScheduled").count(), 3);
    assert_eq!(t.iter().filter(|e| *e == "TaskStateEntered").count(), 1);
}

#[test]
fn catch_routes_the_error_output_through_result_path() {
    let exec = run_with(
        json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": ACTIVITY, "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handled"}], "End": true},
            "Handled": {"Type": "Pass", "End": true}}}),
        json!({"keep": 1}),
        |_| TaskOutcome::Failure { error: "Boom".into(), cause: "it broke".into() },
    );
    assert_eq!(exec.status, Status::Succeeded);
    assert_eq!(exec.output.as_deref(), Some(&json!({"keep": 1, "err": {"Error": "Boom", "Cause": "it broke"}})));
}

#[test]
fn runtime_errors_are_not_caught() {
    let exec = run_with(
        json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": ACTIVITY, "OutputPath": "$.missing.deep",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}], "End": true},
            "Handled": {"Type": "Pass", "End": true}}}),
        json!({}),
        |_| TaskOutcome::Success(json!({})),
    );
    assert_eq!(exec.status, Status::Failed);
    let f = exec.failure.unwrap();
    assert_eq!(f.error, "States.Runtime");
    assert_eq!(f.cause, "An error occurred while executing the state 'T' (entered at the event id #2). Invalid path '$.missing.deep' : Missing property in path $['missing']");
}

#[test]
fn task_timeout_fails_with_states_timeout() {
    let exec = run_with(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ACTIVITY, "TimeoutSeconds": 5, "End": true}}}),
        json!({}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.status, Status::Failed);
    assert_eq!(exec.failure.as_ref().unwrap().error, "States.Timeout");
    assert!(types(&exec).contains(&"ActivityTimedOut".to_string()));
    assert_eq!(exec.stop_time.unwrap() - exec.info.start_time, 5_000);
}

#[test]
fn map_respects_max_concurrency_when_stepped() {
    let m = machine(json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2, "ItemsPath": "$.xs",
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ACTIVITY, "End": true}}}, "End": true}}}));
    let (mut exec, cmds) = start(&m, runner::local_info("t", "e"), json!({"xs": [1, 2, 3]}), 0, 1);
    let tasks = |c: &[Command]| {
        c.iter()
            .filter_map(|c| if let Command::ScheduleTask(r) = c { Some(r.clone()) } else { None })
            .collect::<Vec<_>>()
    };
    let first = tasks(&cmds);
    assert_eq!(first.len(), 2, "only MaxConcurrency tasks start");
    let cmds = handle(&m, &mut exec, 10, Event::TaskSucceeded { id: first[1].id, output: json!("b") }).unwrap();
    let third = tasks(&cmds);
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].input, json!(3));
    handle(&m, &mut exec, 20, Event::TaskSucceeded { id: third[0].id, output: json!("c") }).unwrap();
    assert_eq!(exec.status, Status::Running);
    handle(&m, &mut exec, 30, Event::TaskSucceeded { id: first[0].id, output: json!("a") }).unwrap();
    assert_eq!(exec.status, Status::Succeeded);
    assert_eq!(exec.output.as_deref(), Some(&json!(["a", "b", "c"])), "results keep item order");
    // A result for a task that already answered is refused, never applied twice.
    assert!(matches!(
        handle(&m, &mut exec, 40, Event::TaskSucceeded { id: first[0].id, output: json!("x") }),
        Err(InterpError::Finished(_))
    ));
}

#[test]
fn unknown_results_are_refused_and_stop_aborts() {
    let m = machine(json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ACTIVITY, "End": true}}}));
    let (mut exec, _) = start(&m, runner::local_info("t", "e"), json!({}), 0, 1);
    assert_eq!(
        handle(&m, &mut exec, 1, Event::TaskSucceeded { id: 999, output: json!(1) }),
        Err(InterpError::UnknownWait(999))
    );
    let cmds =
        handle(&m, &mut exec, 2, Event::Stop { error: Some("Operator".into()), cause: Some("stopped by hand".into()) })
            .unwrap();
    assert!(cmds.iter().any(|c| matches!(c, Command::CancelTask { .. })));
    assert_eq!(exec.status, Status::Aborted);
    assert_eq!(types(&exec).last().unwrap(), "ExecutionAborted");
}

#[test]
fn parallel_failure_fails_the_state_and_can_be_caught() {
    let exec = run_with(
        json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": true}}},
                {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "E", "Cause": "C"}}}],
              "Catch": [{"ErrorEquals": ["E"], "Next": "Done"}], "End": true},
            "Done": {"Type": "Succeed"}}}),
        json!({"v": 1}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.status, Status::Succeeded);
    assert_eq!(exec.output.as_deref(), Some(&json!({"Error": "E", "Cause": "C"})));
    assert!(types(&exec).contains(&"ParallelStateFailed".to_string()));
}

#[test]
fn wait_seconds_path_rejects_fractions() {
    let exec = run_with(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}}),
        json!({"s": 1.5}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.status, Status::Failed);
    assert!(exec
        .failure
        .unwrap()
        .cause
        .ends_with("The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"));
}

#[test]
fn same_seed_replays_the_same_history() {
    let def = json!({"StartAt": "U", "States": {"U": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": true}}});
    let m = machine(def);
    let a = start(&m, runner::local_info("t", "e"), json!({}), 0, 7).0;
    let b = start(&m, runner::local_info("t", "e"), json!({}), 0, 7).0;
    assert_eq!(a.history, b.history);
    assert_eq!(a.output, b.output);
}

#[test]
fn a_variable_over_the_size_limit_fails_the_state() {
    let exec = run_with(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"big.$": "$.s"}, "End": true}}}),
        json!({"s": "x".repeat(300 * 1024)}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.status, Status::Failed);
    let f = exec.failure.unwrap();
    assert_eq!(f.error, "States.DataLimitExceeded");
    assert!(f.cause.contains("variable 'big'"), "{}", f.cause);
}

#[test]
fn jsonata_output_sees_variables_from_before_the_state_assigns() {
    let exec = run_with(
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}"}, "Output": {"seen": "{% $x %}"}, "Next": "C"},
            "C": {"Type": "Pass", "Output": {"now": "{% $x %}", "before": "{% $states.input.seen %}"}, "End": true}}}),
        json!({}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.output.as_deref(), Some(&json!({"now": 2, "before": 1})));
}

#[test]
fn map_iterations_see_outer_variables_but_do_not_leak_theirs() {
    let exec = run_with(
        json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"factor": 10}, "Next": "M"},
            "M": {"Type": "Map", "Items": "{% [1, 2] %}",
                  "ItemProcessor": {"StartAt": "Mul", "States": {"Mul": {"Type": "Pass", "Assign": {"inner": true},
                      "Output": "{% $states.input * $factor %}", "End": true}}},
                  "Next": "After"},
            "After": {"Type": "Pass", "Output": {"results": "{% $states.input %}", "leaked": "{% $exists($inner) %}"}, "End": true}}}),
        json!({}),
        |_| TaskOutcome::NoAnswer,
    );
    assert_eq!(exec.output.as_deref(), Some(&json!({"results": [10, 20], "leaked": false})));
}

#[test]
fn redrive_resumes_at_the_failed_state_with_its_input() {
    let m = machine(json!({"StartAt": "Prep", "States": {
        "Prep": {"Type": "Pass", "Result": 1, "ResultPath": "$.prepared", "Next": "Call"},
        "Call": {"Type": "Task", "Resource": ACTIVITY, "End": true}}}));
    let (mut exec, cmds) = start(&m, runner::local_info("t", "e"), json!({"v": 1}), 0, 3);
    let Command::ScheduleTask(first) = cmds.into_iter().find(|c| matches!(c, Command::ScheduleTask(_))).unwrap() else {
        unreachable!()
    };
    handle(&m, &mut exec, 5, Event::TaskFailed { id: first.id, error: "Down".into(), cause: "service down".into() })
        .unwrap();
    assert_eq!(exec.status, Status::Failed);
    assert!(matches!(handle(&m, &mut exec, 6, Event::TimerFired { id: 1 }), Err(InterpError::Finished(_))));
    let cmds = handle(&m, &mut exec, 10, Event::Redrive).unwrap();
    assert_eq!(exec.status, Status::Running);
    assert_eq!(exec.info.redrive_count, 1);
    let Some(Command::ScheduleTask(again)) = cmds.into_iter().find(|c| matches!(c, Command::ScheduleTask(_))) else {
        panic!("the task runs again")
    };
    assert_eq!(again.input, json!({"v": 1, "prepared": 1}), "the failed state's own input, Prep is not run again");
    handle(&m, &mut exec, 20, Event::TaskSucceeded { id: again.id, output: json!("ok") }).unwrap();
    assert_eq!(exec.status, Status::Succeeded);
    let t = types(&exec);
    assert!(t.contains(&"ExecutionRedriven".to_string()));
    assert_eq!(t.iter().filter(|x| *x == "PassStateEntered").count(), 1);
    assert!(matches!(handle(&m, &mut exec, 30, Event::Redrive), Err(InterpError::NotRedrivable(_))));
}

/// The loop without a wait from the hardening report: Pass -> Choice -> Pass forever.
fn endless_loop() -> Value {
    json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "C"}], "Default": "A"},
        "C": {"Type": "Succeed"}}})
}

#[test]
fn a_loop_without_a_wait_fails_at_the_history_limit_as_aws_does() {
    let m = machine(endless_loop());
    let (exec, _) = start(&m, runner::local_info("loop", "e"), json!({}), 0, 1);
    assert_eq!(exec.status, Status::Failed);
    let failure = exec.failure.as_ref().expect("a failure");
    assert_eq!(failure.error, "States.Runtime");
    assert_eq!(failure.cause, "The execution reached the maximum number of history events (25000).");
    assert_eq!(exec.history.len(), 25_000, "the limit's last event is the failure");
    assert_eq!(exec.history.last().map(|e| e.kind.type_name()).as_deref(), Some("ExecutionFailed"));
    assert!(exec.history.windows(2).all(|w| w[1].id == w[0].id + 1));
}

#[test]
fn the_last_event_the_limit_allows_may_be_the_success() {
    let chain = |n: usize| {
        let mut states = serde_json::Map::new();
        for i in 0..n {
            let next = if i + 1 == n {
                json!({"Type": "Pass", "End": true})
            } else {
                json!({"Type": "Pass", "Next": format!("P{}", i + 1)})
            };
            states.insert(format!("P{i}"), next);
        }
        json!({"StartAt": "P0", "States": states})
    };
    // Three Pass states: started, 3 x (entered, exited), succeeded = 8 events.
    let mut m = machine(chain(3));
    m.max_history_events = 8;
    let (exec, _) = start(&m, runner::local_info("c", "e"), json!({}), 0, 1);
    assert_eq!(exec.status, Status::Succeeded);
    assert_eq!(exec.history.len(), 8);
    let mut m = machine(chain(4));
    m.max_history_events = 8;
    let (exec, _) = start(&m, runner::local_info("c", "e"), json!({}), 0, 1);
    assert_eq!(exec.status, Status::Failed);
    assert_eq!(exec.history.len(), 8);
    assert_eq!(exec.failure.unwrap().cause, "The execution reached the maximum number of history events (8).");
}

/// A counter loop that waits a second each round and stops after `rounds`.
fn waiting_loop(rounds: u64) -> Value {
    json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": rounds, "Next": "Wait"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}})
}

#[test]
fn express_executions_bound_the_events_of_one_step_not_of_the_whole_run() {
    let express = |def: Value| compile_value(&def, MachineType::Express).expect("valid");
    // A loop that never waits still ends: EXPRESS keeps no history, so the limit is per step.
    let m = express(endless_loop());
    let (exec, _) = start_unrecorded(&m, runner::local_info("x", "e"), json!({}), 0, 1);
    assert_eq!(exec.status, Status::Failed);
    assert_eq!(exec.failure.as_ref().unwrap().error, "States.Runtime");
    // 100 rounds of 6 events with a wait between them: far more events than the limit in
    // all, few in any one step.
    let mut m = express(waiting_loop(100));
    m.max_history_events = 50;
    let info = runner::local_info("x", "w");
    let (mut exec, mut cmds) = start_unrecorded(&m, info.clone(), json!({}), 0, 1);
    let mut now = 0;
    while exec.status == Status::Running {
        let (id, at) = cmds
            .iter()
            .find_map(|c| match c {
                Command::StartTimer { id, fire_at } if *id != DEADLINE_WAIT => Some((*id, *fire_at)),
                _ => None,
            })
            .expect("the loop waits");
        now = now.max(at);
        cmds = handle(&m, &mut exec, now, Event::TimerFired { id }).unwrap();
    }
    assert_eq!(exec.status, Status::Succeeded, "{:?}", exec.failure);
    assert!(exec.event_count() > 500);
    assert_eq!(exec.output.as_deref(), Some(&json!({"i": 100})));
    // The same machine as STANDARD keeps its history and fails at the limit.
    let mut m = machine(waiting_loop(100));
    m.max_history_events = 50;
    let mut handler = |_: &TaskRequest| TaskOutcome::NoAnswer;
    exec = runner::run(&m, info, json!({}), &mut handler, &RunOptions::default()).unwrap();
    assert_eq!(exec.status, Status::Failed);
    assert_eq!(exec.history.len(), 50);
}

#[test]
fn an_execution_times_out_at_the_longest_duration() {
    let lambda = "arn:aws:lambda:us-east-1:000000000000:function:work";
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lambda, "End": true}}});
    for (kind, seconds) in [(MachineType::Standard, 365 * 24 * 3600), (MachineType::Express, 300)] {
        let m = compile_value(&def, kind).unwrap();
        let (mut exec, cmds) = start(&m, runner::local_info("d", "e"), json!({}), 1_000, 1);
        let deadline = cmds.iter().find_map(|c| match c {
            Command::StartTimer { id: DEADLINE_WAIT, fire_at } => Some(*fire_at),
            _ => None,
        });
        assert_eq!(deadline, Some(1_000 + seconds * 1000), "{kind:?}");
        handle(&m, &mut exec, 1_000 + seconds * 1000, Event::TimerFired { id: DEADLINE_WAIT }).unwrap();
        assert_eq!(exec.status, Status::TimedOut);
        assert_eq!(exec.failure.as_ref().unwrap().error, "States.Timeout");
    }
    // A machine's own shorter TimeoutSeconds needs no deadline; one that ends in its first
    // step arms none either.
    let own = json!({"TimeoutSeconds": 60, "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ACTIVITY, "End": true}}});
    let (_, cmds) = start(&machine(own), runner::local_info("d", "e"), json!({}), 0, 1);
    assert!(!cmds.iter().any(|c| matches!(c, Command::StartTimer { id: DEADLINE_WAIT, .. })));
    let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let (_, cmds) = start(&machine(pass), runner::local_info("d", "e"), json!({}), 0, 1);
    assert!(cmds.is_empty(), "{cmds:?}");
}

#[test]
fn a_map_too_large_for_the_history_fails_before_building_its_iterations() {
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let items: Vec<u32> = (0..20_000).collect();
    let (exec, _) = start(&machine(def), runner::local_info("m", "e"), json!(items), 0, 1);
    assert_eq!(exec.status, Status::Failed);
    assert!(exec.history.len() < 10, "failed before the iterations: {} events", exec.history.len());
    assert!(exec.failure.unwrap().cause.contains("maximum number of history events"));
}

#[test]
fn map_iteration_inputs_are_bounded_in_total() {
    // Each iteration's ItemSelector copies the whole (large) state input.
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemSelector": {"all.$": "$"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let input = json!({"blob": "x".repeat(200 * 1024), "items": (0..400).collect::<Vec<u32>>()});
    let (exec, _) = start(&machine(def), runner::local_info("m", "e"), input, 0, 1);
    assert_eq!(exec.status, Status::Failed);
    let failure = exec.failure.unwrap();
    assert_eq!(failure.error, "States.DataLimitExceeded");
    assert!(failure.cause.contains("iteration inputs of the Map state 'M'"), "{}", failure.cause);
}

#[test]
fn map_iterations_share_the_variables_they_read_and_keep_their_own_writes() {
    let def = json!({"StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"base": 10}, "Next": "M"},
        "M": {"Type": "Map", "Next": "After", "ItemProcessor": {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"mine.$": "States.MathAdd($base, $)"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"v.$": "$mine"}, "End": true}}}},
        "After": {"Type": "Pass", "Parameters": {"out.$": "$", "base.$": "$base"}, "End": true}}});
    let exec = run_with(def, json!([1, 2, 3]), |_| TaskOutcome::NoAnswer);
    assert_eq!(exec.status, Status::Succeeded, "{:?}", exec.failure);
    assert_eq!(exec.output.as_deref(), Some(&json!({"out": [{"v": 11}, {"v": 12}, {"v": 13}], "base": 10})));
}

#[test]
fn outputs_and_variables_nested_past_the_limit_fail_the_state() {
    // Each round wraps the output (or a variable) one level deeper.
    let never = json!({"Type": "Choice", "Choices": [{"Variable": "$$.Execution.Name", "StringEquals": "never", "Next": "Done"}], "Default": "W"});
    let wrap_output = json!({"StartAt": "W", "States": {
        "W": {"Type": "Pass", "Parameters": {"inner.$": "$"}, "Next": "C"}, "C": never, "Done": {"Type": "Succeed"}}});
    let exec = run_with(wrap_output, json!({}), |_| TaskOutcome::NoAnswer);
    assert_eq!(exec.status, Status::Failed);
    let failure = exec.failure.unwrap();
    assert_eq!(failure.error, "States.DataLimitExceeded");
    assert!(failure.cause.contains("nested deeper than 128 levels"), "{}", failure.cause);
    let wrap_variable = json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"v": {}}, "Next": "W"},
        "W": {"Type": "Pass", "Assign": {"v": {"inner.$": "$v"}}, "Next": "C"}, "C": never, "Done": {"Type": "Succeed"}}});
    let exec = run_with(wrap_variable, json!({}), |_| TaskOutcome::NoAnswer);
    assert_eq!(exec.status, Status::Failed);
    assert!(exec.failure.unwrap().cause.contains("nested deeper than 128 levels"));
}

#[test]
fn a_step_that_builds_too_much_data_without_waiting_fails() {
    // Every round builds a new 200 KB output and never waits.
    let def = json!({"StartAt": "Grow", "States": {
        "Grow": {"Type": "Pass", "Parameters": {"big.$": "$.big", "i.$": "States.MathAdd($.i, 1)"}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericEquals": -1, "Next": "Done"}], "Default": "Grow"},
        "Done": {"Type": "Succeed"}}});
    let input = json!({"big": "x".repeat(200 * 1024), "i": 0});
    let (exec, _) = start(&machine(def), runner::local_info("g", "e"), input, 0, 1);
    assert_eq!(exec.status, Status::Failed);
    let failure = exec.failure.unwrap();
    assert_eq!(failure.error, "States.Runtime");
    assert!(failure.cause.contains("bytes of state output without waiting"), "{}", failure.cause);
    assert!(exec.history.len() < 25_000, "stopped by its bytes, not its events");
}
