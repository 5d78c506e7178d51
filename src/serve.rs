//! `stepline serve`: the durable engine with the embedded default (redb under `--data`,
//! in-process task queues) and the control API over HTTP (AWS JSON 1.0).

use crate::workers::{self, CommandWorkers};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use stepline_core::engine::{Engine, EngineConfig, TaskAnswer};

#[derive(clap::Args)]
pub struct Args {
    /// Settings file (`stepline.toml`); flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Directory of the store, created if missing [default: data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Address of the HTTP control API [default: 127.0.0.1:8083].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// A worker for an activity or function: NAME=COMMAND (task input on stdin, result on stdout).
    #[arg(long = "worker", value_name = "NAME=COMMAND")]
    workers: Vec<String>,
    /// Largest execution input, state output or task result in bytes [default: 262144].
    #[arg(long)]
    max_payload_bytes: Option<usize>,
}

pub fn main(mut a: Args) -> Result<ExitCode> {
    let file = match &a.config {
        Some(p) => crate::config::Config::load(p)?,
        None if std::path::Path::new("stepline.toml").exists() => {
            crate::config::Config::load(std::path::Path::new("stepline.toml"))?
        }
        None => crate::config::Config::default(),
    };
    let data = a.data.take().or(file.server.data).unwrap_or_else(|| PathBuf::from("data"));
    let listen = a.listen.or(file.server.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8083)));
    a.workers.extend(file.workers.iter().map(|w| format!("{}={}", w.activity, w.command)));
    let defaults = EngineConfig::default();
    let engine_config = EngineConfig {
        data_dir: data.clone(),
        max_payload: a.max_payload_bytes.or(file.server.max_payload_bytes).unwrap_or(defaults.max_payload),
        express_summaries: file.server.express_summaries.unwrap_or(defaults.express_summaries),
        ..defaults
    };
    let a = Resolved { data, listen, workers: a.workers };
    // Logs go to daily files under DATA/logs, never to a terminal a dashboard may own.
    let appender = tracing_appender::rolling::daily(a.data.join("logs"), "stepline.log");
    let (writer, _guard) = tracing_appender::non_blocking(appender);
    let _ =
        tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_max_level(tracing::Level::INFO).try_init();
    let engine =
        Engine::open(engine_config).with_context(|| format!("cannot open the store in {}", a.data.display()))?;
    let pool = CommandWorkers::parse(&a.workers)?;
    for (name, cmd) in pool.commands {
        spawn_worker(engine.clone(), name, cmd);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async {
        let listener =
            stepline_bridge::http::bind(a.listen).await.with_context(|| format!("cannot listen on {}", a.listen))?;
        eprintln!(
            "stepline: serving the control API on http://{} (data in {})",
            listener.local_addr()?,
            a.data.display()
        );
        tokio::select! {
            r = stepline_bridge::http::serve(engine.clone(), listener) => r.context("the HTTP server stopped"),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })?;
    engine.shutdown();
    Ok(ExitCode::SUCCESS)
}

/// The settings in force after flags, file and defaults.
struct Resolved {
    data: PathBuf,
    listen: SocketAddr,
    workers: Vec<String>,
}

/// A command worker: takes tasks of one activity and answers them.
fn spawn_worker(engine: Engine, activity: String, cmd: String) {
    std::thread::spawn(move || loop {
        let Some(task) = engine.poll_task(&activity, Duration::from_secs(30)) else { continue };
        let answer = match workers::run_command(&cmd, &task.input) {
            Ok(out) => TaskAnswer::Success(out),
            Err((error, cause)) => TaskAnswer::Failure { error, cause },
        };
        if let Err(e) = engine.answer_task(&task.token, answer) {
            tracing::warn!(%activity, error = %e, "the worker's answer was refused");
        }
    });
}
