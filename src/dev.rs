//! `stepline dev`: everything in one process for a first look. The engine on the
//! embedded default (data in a temporary folder, or `--data`), the example state machines
//! and their workers (built into the binary, so it runs from any directory), a trickle of
//! executions (most succeed, some fail), the HTTP control API for the CLI, and the
//! dashboard.
//!
//! The worker of `publish-report` is broken while the file `DATA/report-store-down`
//! exists: executions of `nightly-report` fail in `Publish`. Delete the file ("fix the
//! worker"), then redrive them from the dashboard (`R`).

use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use stepline_core::engine::{Engine, EngineConfig, TaskAnswer};

#[derive(clap::Args)]
pub struct Args {
    /// Directory of the store [default: a new temporary directory].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Address of the HTTP control API, for the CLI beside the dashboard.
    #[arg(long, default_value = "127.0.0.1:8083")]
    listen: std::net::SocketAddr,
    /// Executions started per second.
    #[arg(long, default_value_t = 2.0)]
    rate: f64,
    /// Run without the dashboard (for scripts), until interrupted.
    #[arg(long)]
    headless: bool,
}

/// The example machines: name and definition.
const MACHINES: [(&str, &str); 4] = [
    ("order-flow", include_str!("../fixtures/order-flow/definition.json")),
    ("nightly-report", include_str!("../fixtures/dev/nightly-report.json")),
    ("fan-out", include_str!("../fixtures/fan-out/definition.json")),
    ("parallel", include_str!("../fixtures/parallel/definition.json")),
];

/// The file whose presence breaks the `publish-report` worker.
pub const BROKEN: &str = "report-store-down";

pub fn main(a: Args) -> Result<ExitCode> {
    if !(a.rate >= 0.0 && a.rate.is_finite()) {
        anyhow::bail!("--rate must be a number of executions per second (0 for none), not {}", a.rate);
    }
    let data =
        a.data.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("stepline-dev-{}", std::process::id())));
    std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
    // stderr is the dashboard's terminal, unless there is no dashboard.
    let console = if a.headless { crate::logging::Console::WarningsToo } else { crate::logging::Console::FilesOnly };
    let (logs, _guard) = crate::logging::to_files(&data, console);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    // Before anything starts: with the port taken, the CLI beside the dashboard would talk
    // to whatever holds it.
    let listener = rt
        .block_on(stepline_bridge::http::bind(a.listen))
        .with_context(|| format!("cannot listen on {} (--listen chooses another address)", a.listen))?;
    let listen = listener.local_addr()?;
    let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: data.clone(), ..EngineConfig::default() })
        .with_context(|| format!("cannot open the store in {}", data.display()))?;
    let machines = register_machines(&engine)?;
    std::fs::write(data.join(BROKEN), "delete this file to fix the publish-report worker\n")?;
    workers(&engine, &data);
    generator(&engine, machines, a.rate)?;
    let e = engine.clone();
    rt.spawn(async move {
        if let Err(err) = stepline_bridge::http::serve(e, listener).await {
            tracing::error!("the HTTP control API stopped: {err}");
        }
    });
    if a.headless {
        eprintln!(
            "stepline dev: control API on http://{listen} (data in {}, logs in {})",
            data.display(),
            logs.display()
        );
        rt.block_on(async { tokio::signal::ctrl_c().await })?;
    } else {
        let options = stepline_tui::Options {
            refresh: Duration::from_millis(500),
            audit_log: Some(data.join("audit.log")),
            data_dir: Some(data.clone()),
        };
        stepline_tui::run(&stepline_tui::InProcess(engine.clone()), options)?;
        eprintln!("stepline dev: data kept in {} (logs in {})", data.display(), logs.display());
    }
    engine.shutdown();
    Ok(ExitCode::SUCCESS)
}

/// Creates the example machines, or updates one whose definition is not the one built
/// in; one already up to date is left as it is (no new version for nothing).
fn register_machines(engine: &Engine) -> Result<Vec<(&'static str, String)>> {
    let stored = engine.list_state_machines()?;
    let mut arns = Vec::new();
    for (name, definition) in MACHINES {
        let arn = match stored.iter().find(|m| m.name == name) {
            Some(m) if m.definition == definition => m.arn.clone(),
            Some(m) => engine.update_state_machine(&m.arn, definition)?.arn,
            None => {
                engine.create_state_machine(name, definition, "STANDARD", "arn:aws:iam::000000000000:role/dev")?.arn
            }
        };
        arns.push((name, arn));
    }
    Ok(arns)
}

/// What a worker answers to a task's input.
type Work = Box<dyn Fn(&Value, u32) -> TaskAnswer + Send>;

/// Workers for the example activities, each on its own thread.
fn workers(engine: &Engine, data: &Path) {
    let broken = data.join(BROKEN);
    let work: Vec<(&str, Work)> = vec![
        (
            "validate-order",
            Box::new(|input: &Value, _| {
                let items = input["items"].as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    return failure("Order.Invalid", "the order has no items");
                }
                let total: f64 =
                    items.iter().map(|i| i["qty"].as_f64().unwrap_or(0.0) * i["price"].as_f64().unwrap_or(0.0)).sum();
                TaskAnswer::Success(json!({"valid": true, "total": total}))
            }),
        ),
        (
            "charge-card",
            Box::new(|input: &Value, _| {
                let amount = input["amount"].as_f64().unwrap_or(0.0);
                match input["attempt"].as_u64() {
                    _ if amount > 500.0 => failure("Payment.Declined", &format!("the card was declined for {amount}")),
                    Some(0) if amount > 60.0 => failure("Payment.Unavailable", "the payment service timed out"),
                    _ => TaskAnswer::Success(json!({"chargeId": format!("ch_{}", (amount * 100.0) as u64)})),
                }
            }),
        ),
        (
            "gather-numbers",
            Box::new(|input: &Value, _| TaskAnswer::Success(json!({"orders": 42, "day": input["day"]}))),
        ),
        (
            "publish-report",
            Box::new(move |_: &Value, _| {
                if broken.exists() {
                    store_down(&broken)
                } else {
                    TaskAnswer::Success(json!({"url": "https://reports.example/daily"}))
                }
            }),
        ),
    ];
    for (activity, answer) in work {
        let engine = engine.clone();
        std::thread::spawn(move || loop {
            if let Some(t) = engine.poll_task(activity, Duration::from_secs(1)) {
                // A little work time, so running executions show up as running.
                std::thread::sleep(Duration::from_millis(300));
                if let Err(e) = engine.answer_task(&t.token, answer(&t.input, t.retry_count)) {
                    tracing::warn!(activity, "the worker's answer was refused: {e}");
                }
            }
        });
    }
}

fn failure(error: &str, cause: &str) -> TaskAnswer {
    TaskAnswer::Failure { error: error.into(), cause: cause.into() }
}

/// The number after which the trickle's names go on: the highest `<machine>-<n>` among
/// the stored executions of the example machines, so a second run on the same store never
/// reuses a name (a reused name with the same input would only find the old execution).
fn last_number(engine: &Engine, machines: &[(&'static str, String)]) -> Result<Option<u64>> {
    let mut last = None;
    for (name, arn) in machines {
        let prefix = format!("{name}-");
        let query = stepline_core::store::ScanQuery {
            machine: Some(arn),
            status: None,
            oldest_first: false,
            after: None,
            limit: usize::MAX,
            max_scanned: usize::MAX,
        };
        engine.scan_executions(&query, &mut |facts| {
            if let Some(n) = facts.name.strip_prefix(&prefix).and_then(|n| n.parse::<u64>().ok()) {
                last = last.max(Some(n));
            }
            false
        })?;
    }
    Ok(last)
}

/// Starts executions of the example machines in turn, with inputs that make some fail.
fn generator(engine: &Engine, machines: Vec<(&'static str, String)>, rate: f64) -> Result<()> {
    if rate <= 0.0 {
        return Ok(());
    }
    let first = last_number(engine, &machines)?.map_or(0, |n| n + 1);
    let engine = engine.clone();
    std::thread::spawn(move || {
        let fan_out: Value = serde_json::from_str(include_str!("../fixtures/fan-out/input.json")).unwrap_or_default();
        let parallel: Value = serde_json::from_str(include_str!("../fixtures/parallel/input.json")).unwrap_or_default();
        for i in first.. {
            let (name, arn) = &machines[(i % machines.len() as u64) as usize];
            let input = match *name {
                "order-flow" => {
                    let price = [12.5, 40.0, 0.0, 80.0, 700.0][(i / 4 % 5) as usize];
                    let items =
                        if price == 0.0 { json!([]) } else { json!([{"sku": "A-1", "qty": 1, "price": price}]) };
                    json!({"orderId": format!("ord-{i}"), "items": items})
                }
                "nightly-report" => json!({"day": format!("day-{i}")}),
                "fan-out" => fan_out.clone(),
                _ => parallel.clone(),
            };
            if let Err(e) = engine.start_execution(arn, Some(&format!("{name}-{i}")), input) {
                tracing::warn!("the trickle could not start {name}-{i}: {e}");
            }
            std::thread::sleep(Duration::from_secs_f64(1.0 / rate));
        }
    });
    Ok(())
}

/// The broken worker's answer: its cause names the file to delete where it is, since
/// the data folder is a new temporary one unless `--data` says otherwise.
fn store_down(broken: &Path) -> TaskAnswer {
    failure("Report.StoreDown", &format!("the report store is down (delete {} to fix)", broken.display()))
}
