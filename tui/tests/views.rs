//! The dashboard's other views and actions over a real engine: state machines, workers,
//! answering a waiting task, starting and replaying with an edited input, the trouble
//! and failed-state filters, a bulk redrive with its audit log, the JSON viewer's folds,
//! a Map's iterations, and mouse selection.

mod common;

use common::{edit_in, live, now, render, render_hits, start, Drive};
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_core::interp::Status;
use stepline_tui::state::{App, BulkKind, Command, Key, Modal, Pane, Screen};
use stepline_tui::{Conn, InProcess};

fn names(app: &App) -> Vec<&str> {
    app.rows.iter().map(|r| r.name.as_str()).collect()
}

fn audit_log(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("stepline-tui-audit-{name}-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn the_machines_and_workers_views_show_counts_and_waiting_tasks() {
    let e = live("views");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.key(Key::Char('S'), &api);
    assert_eq!(app.screen, Screen::Machines);
    let m = &app.machine_rows[0];
    assert_eq!((m.name.as_str(), m.counts), ("orders", [1, 1, 1, 0, 0]));
    let screen = render(&app, 120, 20);
    assert!(screen.contains("\"StartAt\": \"Check\""), "{screen}");
    snap!("machines", screen);
    snap!("machines_narrow", render(&app, 80, 24));

    app.key(Key::Char('W'), &api);
    assert_eq!(app.screen, Screen::Workers);
    assert_eq!(app.activities.len(), 1);
    assert_eq!((app.activities[0].activity.as_str(), app.activities[0].pending), ("render-charge", 1));
    assert_eq!(app.tasks.len(), 1);
    assert_eq!(app.tasks[0].state, "Charge");
    snap!("workers", render(&app, 120, 20));
    snap!("workers_narrow", render(&app, 80, 24));
    // Enter opens the execution the task belongs to, which says what it waits on.
    app.key(Key::Enter, &api);
    assert_eq!(app.screen, Screen::Execution);
    let screen = render(&app, 120, 20);
    assert!(screen.contains("waiting Charge on render-charge"), "{screen}");
    // Enter on a machine lists its executions.
    app.key(Key::Char('S'), &api);
    app.key(Key::Enter, &api);
    assert_eq!((app.screen, app.machine_filter.as_deref()), (Screen::Executions, Some("orders")));
    e.shutdown();
}

#[test]
fn a_waiting_task_is_answered_from_the_dashboard_and_audited() {
    let e = live("answer");
    let server = InProcess(e.clone());
    let log = audit_log("answer");
    let api = Conn::new(&server, Some(log.clone()));
    let mut app = App::default();
    app.refresh(&api, now());
    app.selected = app.rows.iter().position(|r| r.name == "waiting").unwrap();
    app.key(Key::Enter, &api);
    app.key(Key::Char('T'), &api);
    assert!(matches!(&app.modal, Modal::AnswerTask { state, .. } if state == "Charge"));
    snap!("answer_task", render(&app, 120, 20));
    let edit = edit_in(app.key(Key::Char('s'), &api)).expect("the output goes to the editor");
    // What the operator saves in the editor.
    app.edited(edit.clone(), Some("{nope".into()));
    assert!(app.message.as_deref().unwrap().starts_with("not JSON"), "{:?}", app.message);
    app.edited(edit, Some(r#"{"charged": 5, "by": "hand"}"#.into()));
    assert!(matches!(&app.modal, Modal::Confirm(Command::TaskSuccess { output, .. }) if output["by"] == "hand"));
    app.key(Key::Char('y'), &api);
    assert_eq!(app.message.as_deref(), Some("answered Charge with success"));
    let arn = app.detail.as_ref().unwrap().arn.clone();
    wait_until(|| e.describe_execution(&arn).unwrap().status == Status::Succeeded);
    let log = std::fs::read_to_string(&log).unwrap();
    let line: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!((line["operation"].as_str(), line["outcome"].as_str()), (Some("SendTaskSuccess"), Some("ok")));
    assert!(line["operator"].as_str().is_some_and(|o| !o.is_empty()) && line["time"].is_string());
    e.shutdown();
}

fn wait_until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn executions_start_and_replay_with_an_edited_input() {
    let e = live("start");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    // N needs a machine: none is chosen on the unfiltered list.
    let edit = edit_in(app.key(Key::Char('N'), &api));
    assert!(edit.is_none() && app.message.as_deref().unwrap().contains("choose a machine"));
    app.key(Key::Char('S'), &api);
    let edit = edit_in(app.key(Key::Char('N'), &api)).expect("the input goes to the editor");
    app.edited(edit, Some(r#"{"amount": 3}"#.into()));
    snap!("confirm_start", render(&app, 120, 20));
    app.key(Key::Char('y'), &api);
    assert!(app.message.as_deref().unwrap().starts_with("started "), "{:?}", app.message);

    app.key(Key::Char('E'), &api);
    app.selected = app.rows.iter().position(|r| r.name == "paid").unwrap();
    app.key(Key::Char('P'), &api);
    let edit = edit_in(app.key(Key::Char('e'), &api)).expect("the old input goes to the editor");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&edit.text).unwrap(), json!({"amount": 12}));
    app.edited(edit, Some(r#"{"amount": 99}"#.into()));
    app.key(Key::Char('y'), &api);
    app.refresh(&api, now());
    assert_eq!(app.rows.len(), 5);
    let inputs: Vec<String> = app
        .rows
        .iter()
        .map(|r| e.describe_execution(&r.arn).unwrap().input.to_string())
        .filter(|i| i.contains("99") || i == r#"{"amount":3}"#)
        .collect();
    assert_eq!(inputs.len(), 2, "{inputs:?}");
    e.shutdown();
}

#[test]
fn trouble_failed_state_and_a_bulk_redrive_find_and_fix_failures() {
    let e = live("bulk");
    let server = InProcess(e.clone());
    let log = audit_log("bulk");
    let api = Conn::new(&server, Some(log.clone()));
    let mut app = App::default();
    app.refresh(&api, now());
    // Nothing has waited 10 s yet.
    app.key(Key::Char('t'), &api);
    assert_eq!(app.trouble, Some(10));
    assert!(app.rows.is_empty());
    snap!("trouble_none", render(&app, 120, 16));
    app.key(Key::Esc, &api);
    start(&e, "declined-again", json!({"amount": 901, "fail": true}), |s| s == Status::Failed);
    app.refresh(&api, now());
    // From a failed execution, f lists every execution that failed in the same state.
    app.selected = app.rows.iter().position(|r| r.name == "declined").unwrap();
    app.key(Key::Enter, &api);
    app.key(Key::Char('f'), &api);
    assert_eq!(app.failed_state.as_deref(), Some("Charge"));
    assert_eq!(names(&app), ["declined-again", "declined"]);
    app.key(Key::Char('B'), &api);
    assert!(matches!(&app.modal, Modal::BulkPreview(t) if t.len() == 2));
    snap!("bulk_preview", render(&app, 120, 24));
    app.key(Key::Char('R'), &api);
    assert!(matches!(&app.modal, Modal::Confirm(Command::Bulk(BulkKind::Redrive, t)) if t.len() == 2));
    app.key(Key::Char('y'), &api);
    while app.tick(&api) {}
    assert_eq!(app.message.as_deref(), Some("redrive done: 2 executions"));
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(log.lines().filter(|l| l.contains("RedriveExecution")).count(), 2);
    e.shutdown();
}

#[test]
fn a_map_shows_each_iteration_and_the_json_folds() {
    let e = common::engine("map");
    let def = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"StartAt": "Double", "States": {
            "Double": {"Type": "Pass", "Parameters": {"n.$": "$", "twice.$": "States.MathAdd($, $)"}, "End": true}}}}}});
    let sm = e.create_state_machine("fan", &def.to_string(), "STANDARD", "role").unwrap();
    let r = e.start_execution(&sm.arn, Some("three"), json!({"items": [1, 2, 3], "meta": {"a": {"b": 1}}})).unwrap();
    wait_until(|| e.describe_execution(&r.arn).unwrap().status == Status::Succeeded);
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.key(Key::Enter, &api);
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.graph.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Each", "Double"]);
    assert_eq!(d.iterations("Each"), [0, 1, 2]);
    app.key(Key::Char('j'), &api);
    app.key(Key::Char(']'), &api);
    app.key(Key::Char(']'), &api);
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.iteration, Some(("Each".to_string(), 1)));
    assert_eq!(d.json()["input"], 2);
    assert_eq!(d.json()["output"], json!({"n": 2, "twice": 4}));
    snap!("map_iteration", render(&app, 120, 20));
    // Past the last iteration: the whole execution again.
    app.key(Key::Char(']'), &api);
    app.key(Key::Char(']'), &api);
    assert_eq!(app.detail.as_ref().unwrap().iteration, None);

    // The JSON viewer: fold everything, then open the input's first level.
    app.key(Key::Char('k'), &api);
    app.key(Key::Tab, &api);
    app.key(Key::Tab, &api);
    assert_eq!(app.detail.as_ref().unwrap().pane, Pane::Json);
    app.key(Key::Char('c'), &api);
    let folded = app.detail.as_ref().unwrap().json_lines();
    let texts: Vec<&str> = folded.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"\"input\": {… 2 keys},"), "{texts:?}");
    let at = texts.iter().position(|t| t.starts_with("\"input\"")).unwrap();
    for _ in 0..at {
        app.key(Key::Char('j'), &api);
    }
    app.key(Key::Enter, &api);
    let texts: Vec<String> = app.detail.as_ref().unwrap().json_lines().into_iter().map(|l| l.text).collect();
    assert!(
        texts.contains(&"\"meta\": {… 1 key}".to_string()) && texts.contains(&"\"items\": [… 3 items],".to_string())
    );
    snap!("json_folded", render(&app, 120, 20));
    e.shutdown();
}

#[test]
fn a_click_selects_a_row_and_a_second_click_opens_it() {
    let e = live("click");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    render_hits(&mut app, &api, 120, 20);
    let top = app.hits.top;
    app.key(Key::Click { row: top + 2 }, &api);
    assert_eq!(app.selected, 2);
    app.key(Key::Click { row: top + 2 }, &api);
    assert_eq!(app.screen, Screen::Execution);
    assert_eq!(app.detail.as_ref().unwrap().arn, app.rows[2].arn);
    e.shutdown();
}

#[test]
fn the_machines_and_workers_views_say_when_there_is_nothing() {
    let dir = std::env::temp_dir().join(format!("stepline-tui-nothing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let e =
        stepline_bridge::embedded::open(stepline_core::engine::EngineConfig { data_dir: dir, ..Default::default() })
            .unwrap();
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.key(Key::Char('S'), &api);
    let screen = render(&app, 100, 12);
    assert!(screen.contains("No state machines yet"), "{screen}");
    snap!("machines_empty", screen);
    app.key(Key::Char('W'), &api);
    let screen = render(&app, 100, 12);
    assert!(screen.contains("No task has been handed"), "{screen}");
    snap!("workers_empty", screen);
    e.shutdown();
}
