//! `stepline bench --dashboard --data DIR`: the dashboard over a store as it is (fill it
//! first, e.g. with a million executions from `stepline bench --standard`), while new
//! executions of FILE arrive at `--rate` per second. Reports how long the dashboard takes
//! to read what it shows (a refresh), to draw a frame, and to answer the keys that read
//! (open an execution, filter by status, search the whole store, switch views).

use crate::args::{Args, Readers};
use anyhow::Result;
use serde_json::json;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use stepline_core::engine::EngineConfig;
use stepline_tui::ratatui::backend::TestBackend;
use stepline_tui::ratatui::Terminal;
use stepline_tui::state::{Action, App, Key};
use stepline_tui::{Conn, InProcess};

/// The wall clock in seconds, for refresh intervals and elapsed times on screen.
fn now() -> f64 {
    stepline_core::clock::Clock::now(&stepline_core::clock::SystemClock) as f64 / 1000.0
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

pub fn run(a: Args, read: Readers) -> Result<ExitCode> {
    let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: a.data.clone(), ..EngineConfig::default() })?;
    let text = std::fs::read_to_string(&a.file)?;
    let input = (read.input)(&a.input)?;
    let sm =
        engine.create_state_machine("dashboard-load", &text, "STANDARD", "arn:aws:iam::000000000000:role/bench")?;
    let rate = a.rate.unwrap_or(0.0);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    if rate > 0.0 {
        let (engine, stop) = (engine.clone(), stop.clone());
        let arn = sm.arn.clone();
        std::thread::spawn(move || {
            let begin = Instant::now();
            for i in 0u64.. {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let due = begin + Duration::from_secs_f64(i as f64 / rate);
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let _ = engine.start_execution(&arn, None, input.clone());
            }
        });
    }
    let server = InProcess(engine.clone());
    let api = Conn::new(&server, None);
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    let mut app = App::default();
    let (mut refresh, mut draw, mut open, mut filter) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut search, mut views, mut read) = (Vec::new(), Vec::new(), Vec::new());
    let (mut steps, mut search_whole) = (Vec::new(), Vec::new());
    let rounds = a.executions.max(10);
    for i in 0..rounds {
        let t = Instant::now();
        api.dispatch(&mut app, Action::Refresh { now: now() });
        refresh.push(ms(t));
        let t = Instant::now();
        terminal.draw(|f| {
            stepline_tui::view::draw(f, &app);
        })?;
        draw.push(ms(t));
        if i % 5 == 0 {
            let t = Instant::now();
            api.dispatch(&mut app, Action::Press(Key::Enter));
            terminal.draw(|f| {
                stepline_tui::view::draw(f, &app);
            })?;
            open.push(ms(t));
            api.dispatch(&mut app, Action::Press(Key::Esc));
            let t = Instant::now();
            api.dispatch(&mut app, Action::Press(Key::Char(if i % 10 == 0 { '2' } else { '0' })));
            terminal.draw(|f| {
                stepline_tui::view::draw(f, &app);
            })?;
            filter.push(ms(t));
        }
        if i % 10 == 5 {
            // A search over the whole store for a name nothing has: the worst case, it
            // reads as much as its time budget allows.
            api.dispatch(&mut app, Action::Press(Key::Char('/')));
            for c in "no-such-order".chars() {
                api.dispatch(&mut app, Action::Press(Key::Char(c)));
            }
            // The key's answer (the first step, drawn), then each step between keys, to
            // the end of the search.
            let t = Instant::now();
            api.dispatch(&mut app, Action::Press(Key::Enter));
            terminal.draw(|f| {
                stepline_tui::view::draw(f, &app);
            })?;
            search.push(ms(t));
            let whole = Instant::now();
            loop {
                let step = Instant::now();
                api.dispatch(&mut app, Action::Tick);
                let more = app.busy();
                terminal.draw(|f| {
                    stepline_tui::view::draw(f, &app);
                })?;
                steps.push(ms(step));
                if !more {
                    break;
                }
            }
            search_whole.push(ms(whole) + search.last().copied().unwrap_or(0.0));
            read.push(app.scanned.unwrap_or(0) as f64);
            api.dispatch(&mut app, Action::Press(Key::Esc));
            let t = Instant::now();
            for k in ['S', 'W', 'E'] {
                api.dispatch(&mut app, Action::Press(Key::Char(k)));
                terminal.draw(|f| {
                    stepline_tui::view::draw(f, &app);
                })?;
            }
            views.push(ms(t) / 3.0);
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|x, y| x.total_cmp(y));
        v.get(((v.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0)
    };
    let result = json!({
        "rate": rate,
        "refresh_ms": {"p50": q(&mut refresh, 0.5), "p99": q(&mut refresh, 0.99)},
        "draw_ms": {"p50": q(&mut draw, 0.5), "p99": q(&mut draw, 0.99)},
        "open_execution_ms": {"p50": q(&mut open, 0.5), "p99": q(&mut open, 0.99)},
        "filter_ms": {"p50": q(&mut filter, 0.5), "p99": q(&mut filter, 0.99)},
        "store_search_key_ms": {"p50": q(&mut search, 0.5), "p99": q(&mut search, 0.99)},
        "store_search_step_ms": {"p50": q(&mut steps, 0.5), "p99": q(&mut steps, 0.99)},
        "store_search_whole_ms": {"p50": q(&mut search_whole, 0.5), "p99": q(&mut search_whole, 0.99)},
        "store_search_records_read": {"p50": q(&mut read, 0.5), "p99": q(&mut read, 0.99)},
        "switch_view_ms": {"p50": q(&mut views, 0.5), "p99": q(&mut views, 0.99)},
    });
    if a.json {
        println!("{result}");
    } else {
        println!("dashboard over {} ({rounds} refreshes, {rate} executions/s arriving)", a.data.display());
        for k in [
            "refresh_ms",
            "draw_ms",
            "open_execution_ms",
            "filter_ms",
            "store_search_key_ms",
            "store_search_step_ms",
            "store_search_whole_ms",
            "store_search_records_read",
            "switch_view_ms",
        ] {
            println!(
                "{k:>18}: p50 {:.2}  p99 {:.2}",
                result[k]["p50"].as_f64().unwrap_or(0.0),
                result[k]["p99"].as_f64().unwrap_or(0.0)
            );
        }
    }
    engine.shutdown();
    Ok(ExitCode::SUCCESS)
}
