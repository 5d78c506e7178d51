//! What the dashboard tests share: a real engine on a redb file of the test's own with a
//! worker thread, executions in known states, and the screen drawn with ratatui's
//! TestBackend with what changes from run to run masked.
// Not every test file uses every helper.
#![allow(dead_code)]

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use stepline_core::engine::{Engine, EngineConfig, TaskAnswer};
use stepline_core::interp::Status;
use stepline_tui::state::{Action, App, Edit, Effect, Key};
use stepline_tui::Conn;

pub fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

pub const CHARGE: &str = "arn:aws:states:us-east-1:000000000000:activity:render-charge";

/// An engine with one machine whose `Charge` task a worker answers: an input with
/// `"fail": true` fails with `Card.Declined`; one with `"hold": true` is never answered.
pub fn engine(name: &str) -> Engine {
    let dir = std::env::temp_dir().join(format!("stepline-tui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }).unwrap();
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

pub fn start(engine: &Engine, name: &str, input: serde_json::Value, until: impl Fn(Status) -> bool) {
    let arn = "arn:aws:states:us-east-1:000000000000:stateMachine:orders";
    let r = engine.start_execution(arn, Some(name), input).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !until(engine.describe_execution(&r.arn).unwrap().status) {
        assert!(Instant::now() < deadline, "{name} never got there");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Three executions: one succeeded, one failed, one waiting on its task.
pub fn live(name: &str) -> Engine {
    let e = engine(name);
    start(&e, "paid", json!({"amount": 12}), |s| s == Status::Succeeded);
    start(&e, "declined", json!({"amount": 900, "fail": true}), |s| s == Status::Failed);
    // Give it time to reach its task.
    start(&e, "waiting", json!({"amount": 5, "hold": true}), |s| s == Status::Running);
    std::thread::sleep(Duration::from_millis(100));
    e
}

/// The dashboard driven as the terminal drives it: each action fed to the state and its
/// effects carried out over the real API.
pub trait Drive {
    fn refresh(&mut self, conn: &Conn, now: f64) -> Vec<Effect>;
    /// A key; the effects only the terminal carries out (an edit, quitting).
    fn key(&mut self, key: Key, conn: &Conn) -> Vec<Effect>;
    /// Advances a search or a bulk command; true while one is under way.
    fn tick(&mut self, conn: &Conn) -> bool;
}

impl Drive for App {
    fn refresh(&mut self, conn: &Conn, now: f64) -> Vec<Effect> {
        conn.dispatch(self, Action::Refresh { now })
    }

    fn key(&mut self, key: Key, conn: &Conn) -> Vec<Effect> {
        conn.dispatch(self, Action::Press(key))
    }

    fn tick(&mut self, conn: &Conn) -> bool {
        conn.dispatch(self, Action::Tick);
        self.busy()
    }
}

/// The text a key asked to edit in `$EDITOR`.
pub fn edit_in(effects: Vec<Effect>) -> Option<Edit> {
    effects.into_iter().find_map(|e| match e {
        Effect::Edit(edit) => Some(edit),
        _ => None,
    })
}

/// Draws the screen as the run loop does, the list's place handed to the state.
pub fn render_hits(app: &mut App, conn: &Conn, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut hits = None;
    t.draw(|f| hits = stepline_tui::view::draw(f, app)).unwrap();
    if let Some(hits) = hits {
        conn.dispatch(app, Action::Drawn(hits));
    }
}

pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        stepline_tui::view::draw(f, app);
    })
    .unwrap();
    t.backend().to_string()
}

/// The screen's lines drawn highlighted across the width of a list (the selection), as
/// text.
pub fn highlighted(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        stepline_tui::view::draw(f, app);
    })
    .unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .filter(|y| (1..w / 2).all(|x| buf[(x, *y)].modifier.contains(ratatui::style::Modifier::REVERSED)))
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect()
}

/// The last line of the screen: the status line.
pub fn footer(screen: &str) -> String {
    screen.lines().last().unwrap_or_default().trim_matches('"').trim_end().to_string()
}

/// The screen with what changes from run to run masked: clock times (`12:34:56`),
/// durations (`605ms`, `1.0s`, `2m03s`, `+300ms`) and sparkline bars.
pub fn masked(screen: &str) -> String {
    let chars: Vec<char> = screen.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let digit = |k: usize| chars.get(k).is_some_and(|c| c.is_ascii_digit());
        // A clock cut by an overlay (`:49:20`).
        let colon = |k: usize| chars.get(k) == Some(&':');
        if colon(i)
            && (i == 0 || !digit(i - 1))
            && digit(i + 1)
            && digit(i + 2)
            && colon(i + 3)
            && digit(i + 4)
            && digit(i + 5)
        {
            out.push_str(":mm:ss");
            i += 6;
            continue;
        }
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

#[macro_export]
macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::assert_snapshot!($name, $crate::common::masked(&$text));
    };
}
