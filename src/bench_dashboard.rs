//! `stepline bench --dashboard --data DIR`: the dashboard over a store as it is (fill it
//! first, e.g. with a million executions from `stepline bench --standard`), while new
//! executions of FILE arrive at `--rate` per second. Reports how long the dashboard takes
//! to read what it shows (a refresh), to draw a frame, and to answer the keys that read
//! (open an execution, filter by status).

use crate::bench::Args;
use crate::definition;
use anyhow::Result;
use serde_json::json;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use stepline_core::engine::{Engine, EngineConfig};
use stepline_tui::app::{App, Key};
use stepline_tui::ratatui::backend::TestBackend;
use stepline_tui::ratatui::Terminal;
use stepline_tui::InProcess;

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

pub fn run(a: Args) -> Result<ExitCode> {
    let engine = Engine::open(EngineConfig { data_dir: a.data.clone(), ..EngineConfig::default() })?;
    let text = std::fs::read_to_string(&a.file)?;
    let input = definition::input(&a.input)?;
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
    let api = InProcess(engine.clone());
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    let mut app = App::default();
    let (mut refresh, mut draw, mut open, mut filter) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let rounds = a.executions.max(10);
    for i in 0..rounds {
        let t = Instant::now();
        app.refresh(&api, now());
        refresh.push(ms(t));
        let t = Instant::now();
        terminal.draw(|f| stepline_tui::ui::draw(f, &app))?;
        draw.push(ms(t));
        if i % 5 == 0 {
            let t = Instant::now();
            app.key(Key::Enter, &api);
            terminal.draw(|f| stepline_tui::ui::draw(f, &app))?;
            open.push(ms(t));
            app.key(Key::Esc, &api);
            let t = Instant::now();
            app.key(Key::Char(if i % 10 == 0 { '2' } else { '0' }), &api);
            terminal.draw(|f| stepline_tui::ui::draw(f, &app))?;
            filter.push(ms(t));
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
    });
    if a.json {
        println!("{result}");
    } else {
        println!("dashboard over {} ({rounds} refreshes, {rate} executions/s arriving)", a.data.display());
        for k in ["refresh_ms", "draw_ms", "open_execution_ms", "filter_ms"] {
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
