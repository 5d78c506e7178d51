//! The dashboard drawn with ratatui's TestBackend over a real engine (a redb file of the
//! test's own, real workers on threads), every view and state snapshotted with insta.
//! Times and durations change from run to run and are masked in the snapshots.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use stepline_core::engine::{Engine, EngineConfig, TaskAnswer};
use stepline_core::interp::Status;
use stepline_tui::app::{App, Key, Modal, Screen};
use stepline_tui::InProcess;

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

const CHARGE: &str = "arn:aws:states:us-east-1:000000000000:activity:render-charge";

/// An engine with one machine whose `Charge` task a worker answers: an input with
/// `"fail": true` fails with `Card.Declined`; one with `"hold": true` is never answered.
fn engine(name: &str) -> Engine {
    let dir = std::env::temp_dir().join(format!("stepline-tui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }).unwrap();
    let def = json!({"StartAt": "Check", "States": {
        "Check": {"Type": "Pass", "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": CHARGE, "Next": "Ship"},
        "Ship": {"Type": "Pass", "End": true}}});
    engine.create_state_machine("orders", &def.to_string(), "STANDARD", "role").unwrap();
    let e = engine.clone();
    std::thread::spawn(move || loop {
        if let Some(t) = e.poll_task("render-charge", Duration::from_secs(1)) {
            if t.input["hold"] == true {
                continue;
            }
            let answer = if t.input["fail"] == true {
                TaskAnswer::Failure { error: "Card.Declined".into(), cause: "insufficient funds on card 4242".into() }
            } else {
                TaskAnswer::Success(json!({"charged": t.input["amount"]}))
            };
            let _ = e.answer_task(&t.token, answer);
        }
    });
    engine
}

fn start(engine: &Engine, name: &str, input: serde_json::Value, until: impl Fn(Status) -> bool) {
    let arn = "arn:aws:states:us-east-1:000000000000:stateMachine:orders";
    let r = engine.start_execution(arn, Some(name), input).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !until(engine.describe_execution(&r.arn).unwrap().status) {
        assert!(Instant::now() < deadline, "{name} never got there");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Three executions: one succeeded, one failed, one waiting on its task.
fn live(name: &str) -> Engine {
    let e = engine(name);
    start(&e, "paid", json!({"amount": 12}), |s| s == Status::Succeeded);
    start(&e, "declined", json!({"amount": 900, "fail": true}), |s| s == Status::Failed);
    // Give it time to reach its task.
    start(&e, "waiting", json!({"amount": 5, "hold": true}), |s| s == Status::Running);
    std::thread::sleep(Duration::from_millis(100));
    e
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| stepline_tui::ui::draw(f, app)).unwrap();
    t.backend().to_string()
}

/// The screen with what changes from run to run masked: clock times (`12:34:56`),
/// durations (`605ms`, `1.0s`, `2m03s`, `+300ms`) and sparkline bars.
fn masked(screen: &str) -> String {
    let chars: Vec<char> = screen.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let digit = |k: usize| chars.get(k).is_some_and(|c| c.is_ascii_digit());
        let starts_number = digit(i) && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '-'));
        if starts_number {
            if (0..8).all(|k| if k == 2 || k == 5 { chars.get(i + k) == Some(&':') } else { digit(i + k) }) {
                out.push_str("hh:mm:ss");
                i += 8;
                continue;
            }
            let mut j = i;
            while digit(j) || chars.get(j) == Some(&'.') || (chars.get(j) == Some(&'m') && digit(j + 1)) {
                j += 1;
            }
            let unit = match (chars.get(j), chars.get(j + 1)) {
                (Some('m'), Some('s')) => 2,
                (Some('s'), _) => 1,
                _ => 0,
            };
            let ends = !chars.get(j + unit).is_some_and(|c| c.is_alphanumeric());
            if unit > 0 && ends {
                // The value and the spaces after it keep their width, so the columns
                // after it stay where they are whatever the value's length.
                let mut k = j + unit;
                while chars.get(k) == Some(&' ') {
                    k += 1;
                }
                out.push_str(&format!("{:<1$}", "[t]", k - i));
                i = k;
                continue;
            }
        }
        // Sparkline bars depend on which second each start fell in.
        out.push(if "▁▂▃▄▅▆▇█".contains(chars[i]) { ' ' } else { chars[i] });
        i += 1;
    }
    out
}

macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::assert_snapshot!($name, masked(&$text));
    };
}

#[test]
fn the_empty_list_says_how_to_start() {
    let e = engine("empty");
    let api = InProcess(e.clone());
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
    let api = InProcess(e.clone());
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
    let api = InProcess(e.clone());
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
    let api = InProcess(e.clone());
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
