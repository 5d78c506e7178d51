//! A Distributed Map's Map Run in the dashboard, over a real engine: opened from its Map
//! state, its progress by status, its failed children, a child opened and left, and the
//! run redriven from the view so that only its failed child runs again.

mod common;

use common::{now, render, Drive};
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_core::engine::{Engine, TaskAnswer};
use stepline_core::interp::Status;
use stepline_tui::state::{App, Key, Modal, Screen};
use stepline_tui::{Conn, InProcess};

const WORK: &str = "arn:aws:states:us-east-1:000000000000:activity:tui-map-work";

fn wait(e: &Engine, arn: &str, status: Status) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while e.describe_execution(arn).unwrap().status != status {
        assert!(Instant::now() < deadline, "{arn} never reached {status:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_map_run_shows_its_progress_its_failed_children_and_is_redriven_from_the_view() {
    let e = common::engine("map-run");
    let def = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "Label": "fan", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": WORK, "End": true}}}}}});
    let parent = e.create_state_machine("fanout", &def.to_string(), "STANDARD", "role").unwrap();
    let run = e.start_execution(&parent.arn, Some("batch"), json!([0, 1, 2])).unwrap();
    let mut tasks: Vec<_> = (0..3).map(|_| e.poll_task("tui-map-work", Duration::from_secs(5)).unwrap()).collect();
    tasks.sort_by_key(|t| t.input.as_u64());
    for t in [&tasks[0], &tasks[2]] {
        e.answer_task(&t.token, TaskAnswer::Success(json!({"done": t.input}))).unwrap();
    }
    let failure = TaskAnswer::Failure { error: "Work.Failed".into(), cause: "item 1 broke".into() };
    e.answer_task(&tasks[1].token, failure).unwrap();
    wait(&e, &run.arn, Status::Failed);

    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.selected = app.rows.iter().position(|r| r.name == "batch").unwrap();
    app.key(Key::Enter, &api);
    // `o` on the Distributed Map opens its Map Run.
    app.key(Key::Char('o'), &api);
    assert_eq!(app.screen, Screen::MapRun);
    let v = app.map_run.as_ref().unwrap();
    assert_eq!(v.run["status"], json!("FAILED"));
    assert_eq!(v.children.len(), 3);
    let screen = render(&app, 110, 24);
    assert!(screen.contains("Map Run"), "{screen}");
    assert!(screen.contains("2 succeeded") && screen.contains("1 failed") && screen.contains("of 3"), "{screen}");
    assert!(screen.contains("max concurrency unlimited"), "{screen}");

    // Only the failed child, opened, then back up to the execution and its Map Run.
    app.key(Key::Char('f'), &api);
    let v = app.map_run.as_ref().unwrap();
    assert_eq!(v.shown().len(), 1);
    assert_eq!(v.shown()[0]["status"], json!("FAILED"));
    app.key(Key::Enter, &api);
    assert_eq!(app.screen, Screen::Execution);
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.execution["parentExecutionArn"], json!(run.arn));
    assert_eq!(d.execution["status"], json!("FAILED"));
    app.key(Key::Char('u'), &api);
    assert_eq!(app.detail.as_ref().unwrap().arn, run.arn);
    app.key(Key::Char('o'), &api);
    assert_eq!(app.screen, Screen::MapRun);

    // Redriven from the view: the failed child alone runs again.
    app.key(Key::Char('R'), &api);
    assert!(matches!(&app.modal, Modal::Confirm(_)), "R asks first");
    app.key(Key::Char('y'), &api);
    let again = e.poll_task("tui-map-work", Duration::from_secs(5)).expect("the failed child's task again");
    assert_eq!(again.input, json!(1));
    e.answer_task(&again.token, TaskAnswer::Success(json!({"done": 1}))).unwrap();
    wait(&e, &run.arn, Status::Succeeded);
    assert!(e.poll_task("tui-map-work", Duration::from_millis(200)).is_none(), "no other child ran again");
    app.refresh(&api, now());
    let v = app.map_run.as_ref().unwrap();
    assert_eq!((v.run["status"].clone(), v.run["redriveCount"].clone()), (json!("SUCCEEDED"), json!(1)));
    let screen = render(&app, 110, 24);
    assert!(screen.contains("3 succeeded") && screen.contains("redriven 1"), "{screen}");
    app.key(Key::Esc, &api);
    assert_eq!(app.screen, Screen::Execution);
    e.shutdown();
}
