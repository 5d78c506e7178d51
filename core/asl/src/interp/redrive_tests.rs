//! Redrive as AWS does it for Parallel and Map: the branches or iterations that succeeded
//! keep their results and are not run again; only the failed, aborted or unstarted ones run.

use super::*;
use crate::model::{compile_value, MachineType};
use crate::runner;
use serde_json::{json, Value};

const ACTIVITY: &str = "arn:aws:states:us-east-1:000000000000:activity:work";

fn machine(def: Value) -> StateMachine {
    compile_value(&def, MachineType::Standard).expect("valid definition")
}

fn tasks(cmds: Vec<Command>) -> Vec<TaskRequest> {
    cmds.into_iter()
        .filter_map(|c| match c {
            Command::ScheduleTask(t) => Some(*t),
            _ => None,
        })
        .collect()
}

fn map_of_tasks(extra: Value) -> StateMachine {
    let mut m = json!({"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": ACTIVITY, "End": true}}},
        "End": true});
    m.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    machine(json!({"StartAt": "M", "States": {"M": m}}))
}

fn succeed(m: &StateMachine, exec: &mut Execution, t: &TaskRequest, now: i64) -> Vec<Command> {
    handle(m, exec, now, Event::TaskSucceeded { id: t.id, output: json!({"done": t.input}) }).unwrap()
}

#[test]
fn a_redriven_map_runs_only_the_iterations_that_failed() {
    let m = map_of_tasks(json!({}));
    let (mut exec, cmds) = start(&m, runner::local_info("t", "e"), json!({"items": [1, 2, 3, 4]}), 0, 9);
    let first = tasks(cmds);
    assert_eq!(first.len(), 4);
    succeed(&m, &mut exec, &first[0], 1);
    succeed(&m, &mut exec, &first[2], 2);
    handle(&m, &mut exec, 3, Event::TaskFailed { id: first[1].id, error: "Boom".into(), cause: "item 2".into() })
        .unwrap();
    assert_eq!(exec.status, Status::Failed);

    let again = tasks(handle(&m, &mut exec, 10, Event::Redrive).unwrap());
    let inputs: Vec<&Value> = again.iter().map(|t| &t.input).collect();
    assert_eq!(inputs, [&json!(2), &json!(4)], "the failed iteration and the one aborted with it");
    for (i, t) in again.iter().enumerate() {
        succeed(&m, &mut exec, t, 11 + i as i64);
    }
    assert_eq!(exec.status, Status::Succeeded);
    let out: Vec<Value> = (1..=4).map(|n| json!({"done": n})).collect();
    assert_eq!(exec.output.as_deref(), Some(&Value::Array(out)), "kept results in their places");
    let started = exec.history.iter().filter(|e| e.kind.type_name() == "MapIterationStarted").count();
    assert_eq!(started, 4 + 2);
}

#[test]
fn a_redriven_parallel_runs_only_the_branch_that_failed() {
    let branch = |r: &str| json!({"StartAt": r, "States": {r: {"Type": "Task", "Resource": ACTIVITY, "Parameters": {"b": r}, "End": true}}});
    let m = machine(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [branch("A"), branch("B")], "End": true}}}),
    );
    let (mut exec, cmds) = start(&m, runner::local_info("t", "e"), json!({}), 0, 9);
    let first = tasks(cmds);
    succeed(&m, &mut exec, &first[0], 1);
    handle(&m, &mut exec, 2, Event::TaskFailed { id: first[1].id, error: "Boom".into(), cause: "B".into() }).unwrap();
    assert_eq!(exec.status, Status::Failed);
    let again = tasks(handle(&m, &mut exec, 10, Event::Redrive).unwrap());
    assert_eq!(again.iter().map(|t| &t.input).collect::<Vec<_>>(), [&json!({"b": "B"})]);
    succeed(&m, &mut exec, &again[0], 11);
    assert_eq!(exec.output.as_deref(), Some(&json!([{"done": {"b": "A"}}, {"done": {"b": "B"}}])));
}

#[test]
fn a_map_stopped_mid_way_keeps_what_finished_for_its_redrive() {
    let m = map_of_tasks(json!({"MaxConcurrency": 2}));
    let (mut exec, cmds) = start(&m, runner::local_info("t", "e"), json!({"items": ["a", "b", "c"]}), 0, 9);
    let first = tasks(cmds);
    assert_eq!(first.len(), 2, "two at a time");
    succeed(&m, &mut exec, &first[0], 1);
    handle(&m, &mut exec, 2, Event::Stop { error: None, cause: None }).unwrap();
    assert_eq!(exec.status, Status::Aborted);
    let again = tasks(handle(&m, &mut exec, 10, Event::Redrive).unwrap());
    assert_eq!(again.iter().map(|t| &t.input).collect::<Vec<_>>(), [&json!("b"), &json!("c")]);
}

#[test]
fn a_retry_in_the_same_run_still_runs_every_iteration() {
    let m = map_of_tasks(json!({"Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}]}));
    let (mut exec, cmds) = start(&m, runner::local_info("t", "e"), json!({"items": [1, 2]}), 0, 9);
    let first = tasks(cmds);
    succeed(&m, &mut exec, &first[0], 1);
    let cmds =
        handle(&m, &mut exec, 2, Event::TaskFailed { id: first[1].id, error: "Boom".into(), cause: String::new() })
            .unwrap();
    let timer = cmds.iter().find_map(|c| match c {
        Command::StartTimer { id, .. } => Some(*id),
        _ => None,
    });
    let retried = tasks(handle(&m, &mut exec, 1_002, Event::TimerFired { id: timer.expect("a retry timer") }).unwrap());
    assert_eq!(retried.len(), 2, "a retry is a new attempt of the whole state");
}
