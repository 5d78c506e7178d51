//! `stepline bench --http`: HTTP Tasks through the durable engine against an HTTP server
//! started here on loopback, beside a bare loop of the same client at the same
//! concurrency against the same server: the ceiling. Then the engine again, open loop at
//! half its rate, for the latency a task sees when the engine is not saturated; and the
//! engine's own ceiling: the same machine with its task answered in process, no HTTP.

use crate::args::Args;
use crate::report::{quantile, sort_ms};
use anyhow::{bail, Result};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::json;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepline_bridge::integrations::builtin::{Builtin, BusLinks};
use stepline_bridge::integrations::calls::{CallFuture, Caller, Calls};
use stepline_bridge::integrations::client::pool::{HttpClient, OutRequest};
use stepline_bridge::integrations::client::tls::TlsFiles;
use stepline_core::engine::{Engine, EngineConfig, StatusListener, TaskAnswer, TaskEnvelope};
use stepline_core::interp::Status;
use stepline_core::store::ExecutionRecord;

/// Clients waiting for their executions to end, each told alone.
#[derive(Default)]
struct Ends {
    waiting: Mutex<HashMap<String, std::sync::mpsc::SyncSender<(Instant, bool)>>>,
}

impl StatusListener for Ends {
    fn status_changed(&self, r: &ExecutionRecord) {
        if r.status != Status::Running {
            if let Some(tx) = self.waiting.lock().ok().and_then(|mut w| w.remove(&r.arn)) {
                let _ = tx.send((Instant::now(), r.status == Status::Succeeded));
            }
        }
    }
}

impl Ends {
    /// Registers `arn` before it starts, so its end cannot be missed.
    fn expect(&self, arn: &str) -> std::sync::mpsc::Receiver<(Instant, bool)> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(arn.to_string(), tx);
        }
        rx
    }
}

/// The ceiling of the engine itself: the same one-task machine, its task answered in
/// process at once, through the same off-thread path, with no HTTP.
struct Answered;

impl Caller for Answered {
    fn call(self: Arc<Self>, _task: TaskEnvelope) -> CallFuture {
        Box::pin(async { Some(TaskAnswer::Success(json!({"ok": true}))) })
    }
}

/// A server that answers every request with a small JSON body.
async fn serve() -> Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_req| async {
                    let body = Full::new(Bytes::from_static(br#"{"ok":true}"#));
                    hyper::Response::builder().header("content-type", "application/json").body(body)
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    Ok(addr)
}

/// `n` requests from `clients` loops, each waiting for its answer before the next.
async fn bare(client: Arc<HttpClient>, url: String, n: u64, clients: usize) -> Result<(f64, Vec<f64>)> {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let t = Instant::now();
                let req =
                    OutRequest { method: hyper::Method::GET, url: url.clone(), headers: vec![], body: Bytes::new() };
                let res = client.send(req, Duration::from_secs(60)).await?;
                if res.status != 200 {
                    bail!("the server answered {}", res.status);
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((start.elapsed().as_secs_f64(), all))
}

/// `n` executions of the one-task machine from `clients` threads; with `rate`, started on
/// a schedule (latency from the scheduled time), else each after the last ended.
fn through_engine(
    (engine, ends): (&Engine, &Arc<Ends>),
    machine: &str,
    n: u64,
    clients: usize,
    rate: Option<f64>,
    label: &'static str,
    input: &serde_json::Value,
) -> Result<(f64, Vec<f64>)> {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (engine, ends, machine, next, input) =
                (engine.clone(), ends.clone(), machine.to_string(), next.clone(), input.clone());
            std::thread::spawn(move || -> Result<Vec<f64>> {
                let mut lat = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return Ok(lat);
                    }
                    let began = match rate {
                        Some(r) => {
                            let at = start + Duration::from_secs_f64(i as f64 / r);
                            std::thread::sleep(at.saturating_duration_since(Instant::now()));
                            at
                        }
                        None => Instant::now(),
                    };
                    let name = format!("{label}-{i}");
                    let arn = format!("{}:{name}", machine.replace(":stateMachine:", ":execution:"));
                    let end = ends.expect(&arn);
                    engine.start_execution(&machine, Some(&name), input.clone())?;
                    let Ok((ended, ok)) = end.recv_timeout(Duration::from_secs(60)) else { bail!("{arn} did not end") };
                    if !ok {
                        let r = engine.describe_execution(&arn)?;
                        bail!("{arn} ended {:?}: {:?} {:?}", r.status, r.error, r.cause);
                    }
                    lat.push(ended.duration_since(began).as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in threads {
        all.extend(t.join().map_err(|_| anyhow::anyhow!("a client thread panicked"))??);
    }
    Ok((start.elapsed().as_secs_f64(), all))
}

fn line(label: &str, n: u64, secs: f64, mut lat: Vec<f64>) -> serde_json::Value {
    sort_ms(&mut lat);
    let (p50, p99) = (quantile(&lat, 0.5), quantile(&lat, 0.99));
    let rate = n as f64 / secs.max(1e-9);
    json!({"mode": label, "requests": n, "seconds": secs, "per_s": rate, "p50_ms": p50, "p99_ms": p99})
}

pub fn run(a: Args) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let addr = rt.block_on(serve())?;
    let url = format!("http://{addr}/ping");
    let (n, clients) = (a.executions, a.concurrency.max(1));
    let client = Arc::new(HttpClient::new(&TlsFiles::default(), 1 << 20)?);
    // Warm both paths' connections, then the ceiling.
    rt.block_on(bare(client.clone(), url.clone(), clients as u64, clients))?;
    let (secs, lat) = rt.block_on(bare(client, url.clone(), n, clients))?;
    let bare_line = line("bare-http-loop", n, secs, lat);

    let builtin = Builtin::new(&[], None, None, BusLinks::default(), rt.handle().clone(), &|_| None)?;
    let ends = Arc::new(Ends::default());
    let answered = Arc::new(Calls::new(Answered, rt.handle().clone()));
    let routes = builtin.route(stepline_bridge::embedded::routes()).route("bench:answered", answered.clone());
    let engine = Engine::open(
        EngineConfig { data_dir: a.data.clone(), ..EngineConfig::default() },
        routes.on_status_change(ends.clone()),
    )?;
    builtin.attach(&engine);
    answered.attach(engine.clone());
    let role = "arn:aws:iam::000000000000:role/bench";
    let ceiling = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::bench:answered",
        "End": true}}});
    let name = format!("bench-answered-{}", std::process::id());
    let sm = engine.create_state_machine(&name, &ceiling.to_string(), "STANDARD", role)?;
    through_engine((&engine, &ends), &sm.arn, clients as u64, clients, None, "warm", &json!({}))?;
    let (secs, lat) = through_engine((&engine, &ends), &sm.arn, n, clients, None, "closed", &json!({}))?;
    let ceiling_line = line("tasks-answered-in-process", n, secs, lat);
    let definition = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {"ApiEndpoint": url, "Method": "GET"}, "End": true}}});
    let name = format!("bench-http-{}", std::process::id());
    let sm = engine.create_state_machine(&name, &definition.to_string(), "STANDARD", role)?;
    through_engine((&engine, &ends), &sm.arn, clients as u64, clients, None, "warm", &json!({}))?;
    let (secs, lat) = through_engine((&engine, &ends), &sm.arn, n, clients, None, "closed", &json!({}))?;
    let engine_line = line("http-tasks-through-the-engine", n, secs, lat);
    let half = engine_line["per_s"].as_f64().unwrap_or(1.0) / 2.0;
    let open_n = (half * 10.0).clamp(100.0, n as f64) as u64;
    let (secs, lat) = through_engine((&engine, &ends), &sm.arn, open_n, clients, Some(half), "open", &json!({}))?;
    let mut half_line = line("http-tasks-at-half-rate", open_n, secs, lat);
    half_line["offered_per_s"] = json!(half);
    // Many HTTP Tasks per execution (an inline Map, `per` at once): the execution's start
    // and end shared by its tasks, the same number of requests in flight.
    let per = clients.min(32) as u64;
    let fan = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "MaxConcurrency": 0, "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": url, "Method": "GET"}, "ResultSelector": {"s.$": "$.StatusCode"}, "End": true}}},
        "End": true}}});
    let name = format!("bench-http-map-{}", std::process::id());
    let sm = engine.create_state_machine(&name, &fan.to_string(), "STANDARD", role)?;
    let items = json!({"items": (0..per).collect::<Vec<_>>()});
    let executions = (n / per).max(1);
    let fan_clients = (clients as u64 / per).max(1) as usize;
    let (secs, lat) = through_engine((&engine, &ends), &sm.arn, executions, fan_clients, None, "map", &items)?;
    let mut map_line = line("http-tasks-in-maps", executions * per, secs, lat);
    map_line["tasks_per_execution"] = json!(per);
    engine.shutdown();
    let per_s = |l: &serde_json::Value| l["per_s"].as_f64().unwrap_or(0.0).max(1e-9);
    let ratio = per_s(&engine_line) / per_s(&bare_line);
    let of_ceiling = per_s(&engine_line) / per_s(&ceiling_line);
    if a.json {
        println!(
            "{}",
            json!({"bare": bare_line, "engine": engine_line, "half_rate": half_line, "engine_ceiling": ceiling_line,
                   "in_maps": map_line, "engine_over_bare": ratio, "engine_over_ceiling": of_ceiling,
                   "in_maps_over_bare": per_s(&map_line) / per_s(&bare_line)})
        );
    } else {
        for l in [&bare_line, &ceiling_line, &engine_line, &half_line, &map_line] {
            println!(
                "{:<32} {:>6} in {:>6.2} s: {:>8.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
                l["mode"].as_str().unwrap_or(""),
                l["requests"],
                l["seconds"].as_f64().unwrap_or(0.0),
                l["per_s"].as_f64().unwrap_or(0.0),
                l["p50_ms"].as_f64().unwrap_or(0.0),
                l["p99_ms"].as_f64().unwrap_or(0.0)
            );
        }
        println!(
            "HTTP Tasks / bare loop: {:.0}%; HTTP Tasks / the engine's own ceiling (tasks answered in process): {:.0}% (concurrency {clients}; each is one durable execution)",
            ratio * 100.0,
            of_ceiling * 100.0
        );
        println!(
            "{per} HTTP Tasks per execution (an inline Map): {:.0}% of the bare loop (latencies there are per execution)",
            per_s(&map_line) / per_s(&bare_line) * 100.0
        );
    }
    Ok(ExitCode::SUCCESS)
}
