//! The selection of a list that refreshes live is an item, not a row: executions, state
//! machines and waiting tasks arrive and leave between refreshes, and the keys act on
//! the item the operator selected. Over a real engine, drawn with TestBackend.

mod common;

use common::{highlighted, live, now, start, Drive};
use serde_json::json;
use stepline_core::interp::Status;
use stepline_tui::state::{short, App, Key, Screen};
use stepline_tui::{Conn, ControlApi, InProcess};

fn selected(app: &App) -> &str {
    &app.rows[app.selected].name
}

fn at(app: &App, name: &str) -> usize {
    app.rows.iter().position(|r| r.name == name).unwrap()
}

fn held(e: &stepline_core::engine::Engine, name: &str) {
    start(e, name, json!({"amount": 1, "hold": true}), |s| s == Status::Running);
}

#[test]
fn enter_and_stop_act_on_the_execution_selected_when_new_ones_arrive_above_it() {
    let e = live("follow");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    // Newest first: waiting, declined, paid.
    app.selected = at(&app, "declined");
    assert_eq!(app.selected, 1);
    // Two executions start between two refreshes: they come above it.
    held(&e, "late-1");
    held(&e, "late-2");
    app.refresh(&api, now());
    assert_eq!(app.rows[1].name, "late-1", "a new execution is now in the row declined was in");
    assert_eq!(selected(&app), "declined");
    let lit = highlighted(&app, 120, 16);
    assert!(lit.len() == 1 && lit[0].contains("declined"), "{lit:?}");
    app.key(Key::Enter, &api);
    assert_eq!(app.screen, Screen::Execution);
    assert_eq!(app.detail.as_ref().unwrap().arn, app.rows[at(&app, "declined")].arn);
    app.key(Key::Esc, &api);
    assert_eq!(selected(&app), "declined");

    // Stop, asked and confirmed across a refresh in which another execution arrived.
    app.selected = at(&app, "waiting");
    held(&e, "late-3");
    app.refresh(&api, now());
    assert_eq!(selected(&app), "waiting");
    app.key(Key::Char('s'), &api);
    held(&e, "late-4");
    app.refresh(&api, now());
    app.key(Key::Char('y'), &api);
    assert_eq!(app.message.as_deref(), Some("stopped waiting"));
    let status = |name: &str| {
        let arn = app.rows.iter().find(|r| r.name == name).unwrap().arn.clone();
        e.describe_execution(&arn).unwrap().status
    };
    assert_eq!(status("waiting"), Status::Aborted);
    for late in ["late-1", "late-2", "late-3", "late-4"] {
        assert_eq!(status(late), Status::Running, "{late} was not the one selected");
    }
    e.shutdown();
}

#[test]
fn an_execution_leaving_the_list_hands_the_selection_to_its_neighbour_below() {
    let e = live("leave");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    for name in ["late-1", "late-2", "late-3"] {
        held(&e, name);
    }
    let mut app = App::default();
    app.refresh(&api, now());
    app.key(Key::Char('1'), &api);
    assert_eq!(app.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["late-3", "late-2", "late-1", "waiting"]);
    app.selected = at(&app, "late-2");
    // Someone else stops it, and a new one arrives on top.
    let arn = app.rows[app.selected].arn.clone();
    e.stop_execution(&arn, None, None).unwrap();
    held(&e, "late-4");
    app.refresh(&api, now());
    assert_eq!(app.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["late-4", "late-3", "late-1", "waiting"]);
    assert_eq!(selected(&app), "late-1");
    // A new filter starts at the top.
    app.key(Key::Char('0'), &api);
    assert_eq!(app.selected, 0);
    e.shutdown();
}

#[test]
fn the_machines_and_workers_views_keep_their_selection_across_refreshes() {
    let e = live("follow-views");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.key(Key::Char('S'), &api);
    assert_eq!(app.machine_rows[app.machine_selected].name, "orders");
    // A machine created meanwhile sorts above it.
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    e.create_state_machine("aaa-first", &def.to_string(), "STANDARD", "role").unwrap();
    app.refresh(&api, now());
    assert_eq!(app.machine_rows[0].name, "aaa-first");
    assert_eq!(app.machine_rows[app.machine_selected].name, "orders");
    app.key(Key::Enter, &api);
    assert_eq!(app.machine_filter.as_deref(), Some("orders"));

    // Three tasks wait, oldest first; the middle one is selected; the oldest is answered.
    held(&e, "late-1");
    held(&e, "late-2");
    app.key(Key::Char('W'), &api);
    let states: Vec<&str> = app.tasks.iter().map(|t| short(&t.execution_arn)).collect();
    assert_eq!(states, ["waiting", "late-1", "late-2"]);
    app.task_selected = 1;
    let token = app.tasks[0].token.clone();
    server.call("SendTaskSuccess", &json!({"taskToken": token, "output": "{}"})).unwrap();
    app.refresh(&api, now());
    assert_eq!(app.tasks.len(), 2);
    assert_eq!(short(&app.tasks[app.task_selected].execution_arn), "late-1");
    app.key(Key::Enter, &api);
    assert!(app.detail.as_ref().unwrap().arn.ends_with(":late-1"));
    e.shutdown();
}
