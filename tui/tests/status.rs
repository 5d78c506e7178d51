//! What the dashboard says and how it fits: the status line's hints and messages (which
//! go after a while, on the clock the refreshes are given), the help at 120 columns,
//! JSON panes scrolled sideways, counts in words, and the data folder of `stepline dev`.
//! Over a real engine, drawn with TestBackend.

mod common;

use common::{footer, live, now, render, start, Drive};
use serde_json::json;
use stepline_core::interp::Status;
use stepline_tui::state::{App, Key, Modal, Pane, MESSAGE_SECONDS};
use stepline_tui::{Conn, InProcess};

#[test]
fn the_help_fits_120_columns_with_every_line_whole() {
    let e = live("help-fit");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.key(Key::Char('?'), &api);
    let screen = render(&app, 120, 24);
    // The longest lines end inside the box, before its border.
    for end in ["w  save the JSON to a file │", "N new execution of the machine", "now on: the executions"] {
        assert!(screen.contains(end), "{end:?} is cut:\n{screen}");
    }
    assert!(screen.lines().any(|l| l.contains("└─") && l.contains("─┘")), "{screen}");
    snap!("help_executions", screen);
    e.shutdown();
}

#[test]
fn the_status_line_shows_the_message_then_whole_hints_only() {
    let e = live("footer");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    let all = footer(&render(&app, 120, 16));
    assert!(all.starts_with("Enter open") && all.ends_with("N new"), "{all}");
    // N with no machine chosen says so.
    app.key(Key::Char('N'), &api);
    let said = app.message.clone().unwrap();
    let line = footer(&render(&app, 120, 16));
    assert!(line.starts_with(&said), "{line}");
    let hints = line[said.len()..].trim_start();
    // A prefix of the hints, cut between two of them, never inside one.
    assert!(!hints.is_empty() && all.starts_with(hints), "{hints:?} is not a prefix of {all:?}");
    assert!(all[hints.len()..].starts_with("  "), "a hint is cut: {hints:?}");
    e.shutdown();
}

#[test]
fn a_message_goes_after_a_few_seconds_on_the_refreshes_clock() {
    let e = live("expire");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    let t0 = now();
    app.refresh(&api, t0);
    app.key(Key::Char('N'), &api);
    let said = app.message.clone().expect("N with no machine says why");
    // Its time starts when it is first shown.
    app.refresh(&api, t0 + 1.0);
    app.refresh(&api, t0 + 1.0 + MESSAGE_SECONDS - 0.5);
    assert_eq!(app.message.as_deref(), Some(said.as_str()));
    assert!(footer(&render(&app, 120, 16)).starts_with(&said));
    app.refresh(&api, t0 + 1.0 + MESSAGE_SECONDS);
    assert_eq!(app.message, None);
    assert!(footer(&render(&app, 120, 16)).starts_with("Enter open"));
    // A new message has its own time, even when it says the same again.
    app.key(Key::Char('N'), &api);
    app.expire(t0 + 20.0);
    app.key(Key::Char('N'), &api);
    app.expire(t0 + 20.0 + MESSAGE_SECONDS - 1.0);
    assert!(app.message.is_some());
    app.key(Key::Char('N'), &api);
    app.expire(t0 + 20.0 + MESSAGE_SECONDS + 1.0);
    assert!(app.message.is_some(), "said again, it starts again");
    app.expire(t0 + 20.0 + 2.0 * MESSAGE_SECONDS + 1.0);
    assert_eq!(app.message, None);
    e.shutdown();
}

#[test]
fn json_panes_scroll_sideways_with_a_mark_where_lines_go_on() {
    let e = live("sideways");
    let long = format!("start-{}-end", "x".repeat(150));
    start(&e, "long-note", json!({"amount": 3, "note": long}), |s| s == Status::Succeeded);
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.selected = app.rows.iter().position(|r| r.name == "long-note").unwrap();
    // The JSON of the history's first event: the execution's input.
    app.key(Key::Enter, &api);
    app.key(Key::Tab, &api);
    app.key(Key::Tab, &api);
    assert_eq!(app.detail.as_ref().unwrap().pane, Pane::Json);
    let screen = render(&app, 120, 24);
    let note =
        |s: &str| s.lines().find(|l| l.contains("\"note\"") || l.contains("-end")).unwrap_or_default().to_string();
    assert!(note(&screen).contains("\"note\": \"start-xxx") && note(&screen).contains("x›│"), "{screen}");
    // Scrolled: marked on both sides while it goes on, then its end.
    for _ in 0..10 {
        app.key(Key::Char('>'), &api);
    }
    let screen = render(&app, 120, 24);
    assert!(screen.lines().any(|l| l.contains("││‹xxxx") && l.ends_with("x›│\"")), "{screen}");
    snap!("json_sideways", screen);
    for _ in 0..10 {
        app.key(Key::Char('>'), &api);
    }
    let screen = render(&app, 120, 24);
    assert!(screen.lines().any(|l| l.contains("││‹xxxx") && l.contains("-end\"")), "{screen}");
    // Back to the left edge.
    for _ in 0..40 {
        app.key(Key::Char('<'), &api);
    }
    assert_eq!(app.detail.as_ref().unwrap().json_hscroll, 0);

    // A machine's definition scrolls sideways too.
    app.key(Key::Char('S'), &api);
    let before = render(&app, 120, 20);
    app.key(Key::Char('>'), &api);
    let after = render(&app, 120, 20);
    assert!(before.contains("\"Resource\": \"arn:aws:states") && !after.contains("\"Resource\": \"arn"), "{after}");
    assert!(after.contains("‹"), "{after}");
    e.shutdown();
}

#[test]
fn counts_of_one_are_said_in_the_singular() {
    let e = live("singular");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    // One failed execution: preview, confirm and outcome of a bulk redrive of it.
    app.key(Key::Char('3'), &api);
    app.key(Key::Char('B'), &api);
    assert!(matches!(&app.modal, Modal::BulkPreview(t) if t.len() == 1));
    let screen = render(&app, 120, 24);
    assert!(screen.contains(" Bulk action on 1 execution "), "{screen}");
    app.key(Key::Char('R'), &api);
    let screen = render(&app, 120, 24);
    assert!(screen.contains("Redrive the execution listed?"), "{screen}");
    app.key(Key::Char('y'), &api);
    while app.tick(&api) {}
    assert_eq!(app.message.as_deref(), Some("redrive done: 1 execution"));
    // Several: the plural.
    app.key(Key::Char('0'), &api);
    app.key(Key::Char('B'), &api);
    assert!(render(&app, 120, 24).contains(" Bulk action on 3 executions "));
    e.shutdown();
}

#[test]
fn the_data_folder_of_stepline_dev_is_shown_at_the_top_and_in_the_help() {
    let e = live("data-dir");
    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let dir = std::path::PathBuf::from("/var/lib/stepline-dev-4242");
    let mut app = App { data_dir: Some(dir.clone()), ..App::default() };
    app.refresh(&api, now());
    let screen = render(&app, 120, 16);
    let top = screen.lines().next().unwrap();
    assert!(top.contains(&format!("data: {}", dir.display())), "{top}");
    snap!("data_dir", screen);
    // A narrower terminal keeps the folder's name, then its end.
    let top = render(&app, 95, 16).lines().next().unwrap().to_string();
    assert!(top.contains("data: …/stepline-dev-4242 "), "{top}");
    let top = render(&app, 90, 16).lines().next().unwrap().to_string();
    assert!(top.contains("data: …") && top.contains("-dev-4242 "), "{top}");
    app.key(Key::Char('?'), &api);
    let help = render(&app, 120, 24);
    assert!(help.contains(&format!("Data, logs and the audit log: {}", dir.display())), "{help}");
    // Without it (against a server), nothing is said of a folder.
    let app = App::default();
    assert!(!render(&app, 120, 16).contains("data:"));
    e.shutdown();
}
