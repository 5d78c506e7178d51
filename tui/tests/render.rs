//! The dashboard drawn with ratatui's TestBackend over a real engine (a redb file of the
//! test's own, real workers on threads), every view and state snapshotted with insta.
//! Times and durations change from run to run and are masked in the snapshots.

mod common;

use common::{engine, live, now, render, Drive};
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_core::engine::TaskAnswer;
use stepline_core::interp::Status;
use stepline_tui::model::{Mark, Outcome};
use stepline_tui::state::{App, Key, Modal, Screen};
use stepline_tui::{Conn, InProcess};

#[test]
fn the_empty_list_says_how_to_start() {
    let e = engine("empty");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    let screen = render(&app, 100, 20);
    assert!(screen.contains("No executions yet"));
    snap!("empty", screen);
    e.shutdown();
}

#[test]
fn the_list_shows_counts_statuses_and_filters() {
    let e = live("list");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    assert_eq!(app.rows.len(), 3);
    assert_eq!(app.throughput.iter().sum::<u64>(), 3, "three started in the last minute");
    assert_eq!(
        app.counts.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>()[..3],
        [("RUNNING", 1), ("SUCCEEDED", 1), ("FAILED", 1)]
    );
    snap!("list", render(&app, 120, 16));
    // o cycles the order of the page: oldest first, then the longest first.
    app.key(Key::Char('o'), &api);
    assert_eq!(app.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["paid", "declined", "waiting"]);
    app.key(Key::Char('o'), &api);
    app.key(Key::Char('o'), &api);
    assert_eq!(app.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["declined", "paid", "waiting"]);
    app.key(Key::Char('o'), &api);
    // 3 keeps the failed ones; a search by the error's cause finds it too.
    app.key(Key::Char('3'), &api);
    assert_eq!(app.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["declined"]);
    app.key(Key::Char('0'), &api);
    app.key(Key::Char('/'), &api);
    for c in "4242".chars() {
        app.key(Key::Char(c), &api);
    }
    assert_eq!(app.modal, Modal::Search("4242".into()));
    snap!("search_typing", render(&app, 120, 16));
    app.key(Key::Enter, &api);
    assert_eq!(app.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["declined"]);
    snap!("narrow_list", render(&app, 80, 24));
    e.shutdown();
}

#[test]
fn a_failed_execution_shows_where_and_why_and_can_be_redriven() {
    let e = live("failed");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    let at = app.rows.iter().position(|r| r.name == "declined").unwrap();
    app.selected = at;
    app.key(Key::Enter, &api);
    assert_eq!(app.screen, Screen::Execution);
    let screen = render(&app, 120, 24);
    assert!(screen.contains("✗ Charge") && screen.contains("Card.Declined"), "{screen}");
    snap!("failed_detail", screen);
    snap!("failed_detail_narrow", render(&app, 80, 24));
    app.key(Key::Tab, &api);
    app.key(Key::Char('G'), &api);
    snap!("failed_history", render(&app, 120, 24));
    app.key(Key::Char('?'), &api);
    snap!("help", render(&app, 120, 24));
    app.key(Key::Char('x'), &api);
    assert_eq!(app.modal, Modal::None);
    app.key(Key::Char('R'), &api);
    snap!("confirm_redrive", render(&app, 120, 24));
    app.key(Key::Char('y'), &api);
    assert_eq!(app.message.as_deref(), Some("redrove declined"));
    e.shutdown();
}

#[test]
fn a_running_execution_shows_its_current_state() {
    let e = live("running");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.selected = app.rows.iter().position(|r| r.name == "waiting").unwrap();
    app.key(Key::Enter, &api);
    let screen = render(&app, 120, 20);
    assert!(screen.contains("▶ Charge") && screen.contains("✓ Check") && screen.contains("· Ship"), "{screen}");
    snap!("running_detail", screen);
    app.key(Key::Char('s'), &api);
    app.key(Key::Char('y'), &api);
    assert_eq!(app.message.as_deref(), Some("stopped waiting"));
    app.refresh(&api, now());
    assert_eq!(app.detail.as_ref().unwrap().execution["status"], "ABORTED");
    e.shutdown();
}

#[test]
fn a_task_retried_then_succeeded_is_marked_succeeded_and_only_a_catch_is_caught() {
    let e = engine("retried");
    // Reserve fails on its first attempt and is retried; Charge is declined and caught.
    let reserve = "arn:aws:states:us-east-1:000000000000:activity:render-reserve";
    let def = json!({"StartAt": "Reserve", "States": {
        "Reserve": {"Type": "Task", "Resource": reserve, "ResultPath": null, "Next": "Charge",
            "Retry": [{"ErrorEquals": ["Stock.Busy"], "IntervalSeconds": 1, "MaxAttempts": 2}]},
        "Charge": {"Type": "Task", "Resource": common::CHARGE, "Next": "Ship",
            "Catch": [{"ErrorEquals": ["Card.Declined"], "Next": "Apologise"}]},
        "Ship": {"Type": "Pass", "End": true},
        "Apologise": {"Type": "Pass", "End": true}}});
    let sm = e.create_state_machine("shop", &def.to_string(), "STANDARD", "role").unwrap();
    let w = e.clone();
    std::thread::spawn(move || loop {
        if let Some(t) = w.poll_task("render-reserve", Duration::from_secs(1)) {
            let answer = match t.retry_count {
                0 => TaskAnswer::Failure { error: "Stock.Busy".into(), cause: "the warehouse is busy".into() },
                _ => TaskAnswer::Success(json!({"reserved": true})),
            };
            let _ = w.answer_task(&t.token, answer);
        }
    });
    let r = e.start_execution(&sm.arn, Some("busy-then-declined"), json!({"amount": 900, "fail": true})).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while e.describe_execution(&r.arn).unwrap().status != Status::Succeeded {
        assert!(Instant::now() < deadline, "the execution never succeeded");
        std::thread::sleep(Duration::from_millis(20));
    }
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.key(Key::Enter, &api);
    let d = app.detail.as_ref().unwrap();
    let outcome = |name: &str| d.outcomes[name];
    assert_eq!(outcome("Reserve"), Outcome { mark: Mark::Succeeded, retries: 1 });
    assert_eq!(outcome("Charge"), Outcome { mark: Mark::Caught, retries: 0 });
    assert_eq!(outcome("Apologise").mark, Mark::Succeeded);
    assert_eq!(d.mark("Ship"), Mark::NotReached);
    // The state's JSON says what it was retried after, not an error that left it.
    let v = d.json();
    assert_eq!((v["state"].as_str(), v["retries"].as_u64()), (Some("Reserve"), Some(1)));
    assert_eq!(v["retriedAfter"]["error"], "Stock.Busy");
    assert!(v.get("error").is_none(), "{v}");
    let screen = render(&app, 120, 20);
    assert!(screen.contains("✓ Reserve Task · 1 retry") && screen.contains("↷ Charge"), "{screen}");
    snap!("retried_detail", screen);
    e.shutdown();
}
