//! `stepline serve`: the durable engine with the embedded default (redb under `--data`,
//! in-process task queues) and the control API over HTTP (AWS JSON 1.0).

use crate::workers::{self, CommandWorkers};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use stepline_bridge::amqp::{AmqpBridge, AmqpSettings};
use stepline_bridge::bus::Bus;
use stepline_bridge::embedded::TaskQueues;
use stepline_bridge::nats::{NatsBridge, NatsSettings};
use stepline_bridge::not_configured::NotConfigured;
use stepline_core::engine::{Engine, EngineConfig, Routes, TaskAnswer};

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
    #[command(flatten)]
    worker: crate::worker_args::WorkerArgs,
    /// Largest execution input, state output or task result in bytes [default: 262144].
    #[arg(long)]
    max_payload_bytes: Option<usize>,
    /// A NATS server (with JetStream): every activity's tasks, the control API and status
    /// events go over it with default settings (`[nats]` in the config for more).
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// An AMQP broker (RabbitMQ): every activity's tasks and status events go over it
    /// with default settings (`[amqp]` in the config for more).
    #[arg(long, value_name = "URI")]
    amqp: Option<String>,
    /// AWS Step Functions Local's mock config (MockConfigFile JSON): StartExecution on
    /// `<stateMachineArn>#<TestCaseName>` runs that test case with its mocked responses.
    #[arg(long, value_name = "FILE", env = "SFN_MOCK_CONFIG")]
    mock_config: Option<PathBuf>,
    /// Wait states and Retry intervals last this many times as long, e.g. 0.01 for test
    /// suites (Step Functions Local's WAIT_TIME_SCALE) [default: 1].
    #[arg(long, value_name = "FACTOR", env = "WAIT_TIME_SCALE")]
    wait_time_scale: Option<f64>,
    /// The region in every ARN [default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// The account in every ARN [default: AWS_ACCOUNT_ID, 000000000000].
    #[arg(long)]
    account: Option<String>,
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
    a.worker.commands.extend(file.workers.iter().map(|w| format!("{}={}", w.activity, w.command)));
    let defaults = EngineConfig::default();
    let (region, account) = crate::identity::resolve(
        (a.region.take(), a.account.take()),
        (file.server.region.clone(), file.server.account.clone()),
        &|k| std::env::var(k).ok(),
    )?;
    let engine_config = EngineConfig {
        data_dir: data.clone(),
        region,
        account,
        max_payload: a.max_payload_bytes.or(file.server.max_payload_bytes).unwrap_or(defaults.max_payload),
        express_summaries: file.server.express_summaries.unwrap_or(defaults.express_summaries),
        max_history_events: file.server.max_history_events.unwrap_or(defaults.max_history_events),
        max_standard_seconds: file.server.max_standard_seconds.unwrap_or(defaults.max_standard_seconds),
        max_express_seconds: file.server.max_express_seconds.unwrap_or(defaults.max_express_seconds),
        buckets_dir: file.buckets.as_ref().and_then(|b| b.dir.clone()),
        object_store: crate::object_store::resolve(file.object_store.as_ref(), &|k| std::env::var(k).ok())?,
        retention: retention(file.server.retention_days, file.server.retention_max_executions),
        wait_scale: match a.wait_time_scale {
            Some(s) if !(s.is_finite() && s >= 0.0) => {
                anyhow::bail!("--wait-time-scale (WAIT_TIME_SCALE) must be a number of 0 or more, not {s}")
            }
            Some(s) => s,
            None => 1.0,
        },
        mock_config: match &a.mock_config {
            Some(p) => Some(std::sync::Arc::new(load_mock_config(p)?)),
            None => None,
        },
        ..defaults
    };
    let nats = match (a.nats.as_deref(), file.nats) {
        (Some(url), _) => Some(NatsSettings::with_url(url)),
        (None, n) => n,
    };
    let amqp = match (a.amqp.as_deref(), file.amqp) {
        (Some(uri), _) => Some(AmqpSettings::with_uri(uri)),
        (None, s) => s,
    };
    if nats.as_ref().is_some_and(|n| n.bus.all_activities()) && amqp.as_ref().is_some_and(|a| a.bus.all_activities()) {
        anyhow::bail!(
            "both NATS and AMQP are set to take every activity: list the activities of one of them (activities = [...] under [nats] or [amqp])"
        );
    }
    let (connections, lambda_settings, messaging) = (file.connections, file.lambda, file.messaging);
    let execution_logs = file.execution_logs;
    let a = Resolved { data, listen, workers: a.worker.commands };
    // The dashboard runs in a terminal of its own (`stepline tui`): this one is the
    // operator's console, where warnings and errors belong as well as in the files.
    let (logs, _guard) = crate::logging::to_files(&a.data, crate::logging::Console::WarningsToo);
    let pool = CommandWorkers::parse(&a.workers)?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    // Bus objects are dropped inside the runtime, whichever way this returns.
    let _in_runtime = rt.enter();

    // Each bus prefix is claimed before the store opens: a second engine on a prefix
    // already held stops here, naming the holder.
    let me = stepline_bridge::holder::Holder::this_process(Some(&a.data));
    let mut claims = Claims::default();
    let bridge = match nats {
        Some(settings) => {
            let b = rt.block_on(NatsBridge::connect_as(settings, me.clone())).context("cannot set up NATS")?;
            claims.nats = Some(b.claim());
            Some(b)
        }
        None => None,
    };
    let amqp_bridge = match amqp {
        Some(settings) => match rt.block_on(AmqpBridge::connect_as(settings, me)) {
            Ok(b) => {
                claims.amqp = Some(b.claim());
                Some(b)
            }
            Err(e) => {
                rt.block_on(claims.release());
                return Err(anyhow::Error::new(e).context("cannot set up AMQP"));
            }
        },
        None => None,
    };
    let served = (|| {
        let links = stepline_bridge::integrations::builtin::BusLinks {
            nats: bridge.as_ref().map(|b| b.client.clone()),
            amqp: amqp_bridge.as_ref().map(|b| b.settings.clone()),
        };
        let builtin = stepline_bridge::integrations::builtin::Builtin::new(
            &connections,
            lambda_settings.as_ref(),
            messaging.as_ref(),
            links,
            rt.handle().clone(),
            &|k| std::env::var(k).ok(),
        )
        .context("cannot set up the built-in integrations")?;
        let local: Vec<String> = pool.commands.keys().cloned().collect();
        let (no_nats, no_amqp) = (Arc::new(NotConfigured::nats()), Arc::new(NotConfigured::amqp()));
        let buses = Buses {
            nats: bridge.as_ref(),
            amqp: amqp_bridge.as_ref(),
            no_nats: no_nats.clone(),
            no_amqp: no_amqp.clone(),
        };
        // The listener answers health and metrics while the store opens and running
        // executions are replayed; the control API once the engine is ready.
        let listener = rt
            .block_on(stepline_bridge::http::bind(a.listen))
            .with_context(|| format!("cannot listen on {}", a.listen))?;
        let address = listener.local_addr()?;
        let served = stepline_bridge::http::Served::new(metric_sources(bridge.as_ref(), amqp_bridge.as_ref()));
        let http = rt.spawn(stepline_bridge::http::serve_with(served.clone(), listener));
        let queues = Arc::new(TaskQueues::default());
        let mut routes = routes(queues, &buses, &local, &builtin);
        let log_dir = execution_logs.dir.clone().unwrap_or_else(|| a.data.join("logs"));
        routes = routes.on_execution_log(crate::execution_logs::FileSink::start(&log_dir));
        if let Some(subject) = &execution_logs.nats_subject {
            let client =
                bridge.as_ref().map(|b| b.client.clone()).context("[execution_logs] nats_subject needs [nats]")?;
            routes = routes.on_execution_log(stepline_bridge::bus::exec_logs::BusLogSink::nats(
                client,
                subject.clone(),
                rt.handle(),
            ));
        }
        if let Some(exchange) = &execution_logs.amqp_exchange {
            let settings = amqp_bridge
                .as_ref()
                .map(|b| b.settings.clone())
                .context("[execution_logs] amqp_exchange needs [amqp]")?;
            routes = routes.on_execution_log(stepline_bridge::bus::exec_logs::BusLogSink::amqp(
                settings,
                exchange.clone(),
                rt.handle(),
            ));
        }
        let engine = Engine::open(engine_config, routes)
            .with_context(|| format!("cannot open the store in {}", a.data.display()))?;
        served.ready(engine.clone());
        crate::store_cmd::announce(&a.data, address);
        builtin.attach(&engine);
        no_nats.attach(engine.clone());
        no_amqp.attach(engine.clone());
        for (name, cmd) in pool.commands {
            spawn_worker(engine.clone(), name, cmd);
        }
        let served = rt.block_on(async {
            eprintln!(
                "stepline: serving the control API on http://{} (data in {}, logs in {}; /metrics, /healthz, /readyz)",
                address,
                a.data.display(),
                logs.display()
            );
            let nats = async {
                match bridge {
                    Some(b) => {
                        let api = if b.settings.api { "; the control API" } else { "" };
                        eprintln!(
                            "stepline: over NATS ({}): {}{api}; status events",
                            b.settings.urls.join(","),
                            tasks_of(b.settings.bus.all_activities(), &b.settings.bus.activities)
                        );
                        b.run(engine.clone()).await.context("the NATS bridge stopped")
                    }
                    None => std::future::pending().await,
                }
            };
            let amqp = async {
                match amqp_bridge {
                    Some(b) => {
                        eprintln!(
                            "stepline: over AMQP ({} queues): {}; status events",
                            b.names.prefix,
                            tasks_of(b.settings.bus.all_activities(), &b.settings.bus.activities)
                        );
                        b.run(engine.clone()).await.context("the AMQP bridge stopped")
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                r = amqp => r,
                r = http => match r {
                    Ok(r) => r.context("the HTTP server stopped"),
                    Err(e) => Err(anyhow::anyhow!("the HTTP server stopped: {e}")),
                },
                r = nats => r,
                _ = stop_signal() => Ok(()),
            }
        });
        engine.shutdown();
        crate::store_cmd::withdraw(&a.data);
        served
    })();
    // A stop, clean or not, gives the prefixes up, so the next engine on them starts at once.
    rt.block_on(claims.release());
    served?;
    Ok(ExitCode::SUCCESS)
}

/// History retention from `[server]`: 90 days unless set; 0 days and no count keeps all.
fn retention(days: Option<u64>, max: Option<u64>) -> Option<stepline_core::engine::Retention> {
    let max_age_days = match days {
        Some(0) => None,
        Some(d) => Some(d),
        None => Some(90),
    };
    (max_age_days.is_some() || max.is_some()).then(|| stepline_core::engine::Retention {
        max_age_days,
        max_ended: max,
        ..Default::default()
    })
}

/// What `/metrics` reads besides the engine: each bus configured.
fn metric_sources(
    nats: Option<&NatsBridge>,
    amqp: Option<&AmqpBridge>,
) -> stepline_bridge::metrics::sources::MetricsSources {
    use stepline_bridge::metrics::sources::{amqp_gauge, nats_gauge, MetricsSources};
    let mut sources = MetricsSources::default();
    if let Some(b) = nats {
        sources = sources.with_bus(nats_gauge(b));
    }
    if let Some(b) = amqp {
        sources = sources.with_bus(amqp_gauge(b));
    }
    sources
}

/// Which tasks a bus takes, for its start-up line.
fn tasks_of(all: bool, activities: &[String]) -> String {
    if all {
        "tasks of every activity".into()
    } else {
        match activities {
            [one] => format!("tasks of the activity {one}"),
            many => format!("tasks of the activities {}", many.join(", ")),
        }
    }
}

/// The bus prefixes this engine holds.
#[derive(Default)]
struct Claims {
    nats: Option<Arc<stepline_bridge::nats::PrefixClaim>>,
    amqp: Option<Arc<stepline_bridge::amqp::AmqpClaim>>,
}

impl Claims {
    async fn release(&self) {
        if let Some(c) = &self.nats {
            c.release().await;
        }
        if let Some(c) = &self.amqp {
            c.release().await;
        }
    }
}

/// Ctrl-C, or (on Unix) SIGTERM as a service manager sends it: both stop the server
/// cleanly.
async fn stop_signal() {
    #[cfg(unix)]
    {
        if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The buses configured, and what takes a bus's integration tasks when it is not.
struct Buses<'a> {
    nats: Option<&'a NatsBridge>,
    amqp: Option<&'a AmqpBridge>,
    no_nats: Arc<NotConfigured>,
    no_amqp: Arc<NotConfigured>,
}

/// Where tasks go: HTTP Tasks (and Lambda functions, when an endpoint is set) are made by
/// the engine's own integrations; activities with a command worker stay in process;
/// activities a bus names go over it (a bus that names `http:invoke` takes it from the
/// integration); the others go to the bus that takes every activity, else to the
/// in-process queues (`GetActivityTask`).
fn routes(
    queues: Arc<TaskQueues>,
    buses: &Buses,
    local: &[String],
    builtin: &stepline_bridge::integrations::builtin::Builtin,
) -> Routes {
    use stepline_bridge::{amqp::AMQP_PUBLISH, nats::NATS_PUBLISH};
    let mut r = Routes::local(queues.clone());
    let configured: [(Option<&dyn Bus>, &'static str, &Arc<NotConfigured>); 2] = [
        (buses.nats.map(|b| b as &dyn Bus), NATS_PUBLISH, &buses.no_nats),
        (buses.amqp.map(|b| b as &dyn Bus), AMQP_PUBLISH, &buses.no_amqp),
    ];
    for (bus, publish, absent) in configured {
        let Some(b) = bus else {
            r = r.route(publish, absent.clone());
            continue;
        };
        r = r.on_status_change(b.status_listener()).route(b.publish_activity(), b.task_dispatcher());
        if b.bus_settings().all_activities() {
            r = r.otherwise(b.task_dispatcher());
        } else {
            for activity in &b.bus_settings().activities {
                r = r.route(activity, b.task_dispatcher());
            }
        }
    }
    for activity in local {
        r = r.route(activity, queues.clone());
    }
    builtin.route(r)
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

/// Reads a MockConfigFile; a mistake is reported with where it is, before the server starts.
fn load_mock_config(path: &std::path::Path) -> Result<stepline_core::testing::MockConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the mock config {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("the mock config {} is not JSON", path.display()))?;
    stepline_core::testing::MockConfig::parse(&value).with_context(|| format!("in {}", path.display()))
}
