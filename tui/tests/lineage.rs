//! Walking from a parent's Task to the child execution it started, and back, over a real
//! engine: while the parent waits on the child (`.sync`) and after both ended.

mod common;

use common::{now, render, Drive};
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_core::interp::Status;
use stepline_tui::state::{App, Key, Screen};
use stepline_tui::{Conn, InProcess};

fn wait(e: &stepline_core::engine::Engine, arn: &str, status: Status) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while e.describe_execution(arn).unwrap().status != status {
        assert!(Instant::now() < deadline, "{arn} never reached {status:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Opens `name` and selects its state `state` in the graph.
fn open_at(app: &mut App, api: &Conn, name: &str, state: &str) {
    if app.screen == Screen::Execution {
        app.key(Key::Esc, api);
    }
    app.refresh(api, now());
    app.selected = app.rows.iter().position(|r| r.name == name).unwrap();
    app.key(Key::Enter, api);
    assert_eq!(app.screen, Screen::Execution);
    let d = app.detail.as_ref().unwrap();
    let at = d.graph.iter().position(|l| l.name == state).unwrap();
    for _ in 0..at {
        app.key(Key::Char('j'), api);
    }
}

#[test]
fn o_opens_the_child_a_task_started_and_u_goes_back_to_its_parent() {
    let e = common::engine("lineage");
    let child = "arn:aws:states:us-east-1:000000000000:stateMachine:orders";
    let def = json!({"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Next": "RunOrder"},
        "RunOrder": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                     "Parameters": {"StateMachineArn": child, "Input.$": "$"}, "End": true}}});
    let parent = e.create_state_machine("batch", &def.to_string(), "STANDARD", "role").unwrap();
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();

    // The child holds (its worker never answers): the parent waits on it.
    let waiting = e.start_execution(&parent.arn, Some("waits"), json!({"amount": 1, "hold": true})).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    open_at(&mut app, &api, "waits", "RunOrder");
    app.key(Key::Char('o'), &api);
    let d = app.detail.as_ref().expect("the child is open");
    assert_ne!(d.arn, waiting.arn);
    assert_eq!(d.execution["parentExecutionArn"], json!(waiting.arn));
    assert_eq!(d.execution["status"], json!("RUNNING"));
    app.key(Key::Char('u'), &api);
    assert_eq!(app.detail.as_ref().unwrap().arn, waiting.arn);

    // Both ended: the parent's answer names the child.
    let done = e.start_execution(&parent.arn, Some("done"), json!({"amount": 3})).unwrap();
    wait(&e, &done.arn, Status::Succeeded);
    open_at(&mut app, &api, "done", "RunOrder");
    app.key(Key::Char('o'), &api);
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.execution["parentExecutionArn"], json!(done.arn));
    assert_eq!(d.execution["status"], json!("SUCCEEDED"));
    // A state that started nothing says so; an execution nobody started has no parent.
    app.key(Key::Char('u'), &api);
    open_at(&mut app, &api, "done", "Prepare");
    app.key(Key::Char('o'), &api);
    assert_eq!(app.detail.as_ref().unwrap().arn, done.arn);
    assert!(render(&app, 120, 20).contains("Prepare started no child execution"));
    app.key(Key::Char('u'), &api);
    assert_eq!(app.message.as_deref(), Some("no execution started this one"));
    e.shutdown();
}
