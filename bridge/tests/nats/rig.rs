//! A Stepline engine with the NATS bridge against a real nats-server with JetStream
//! (127.0.0.1:4222, or `STEPLINE_TEST_NATS`), under a subject prefix of the test's own so
//! tests share the server without seeing each other; its streams go with it.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stepline_bridge::holder::Holder;
use stepline_bridge::nats::{Names, NatsBridge, NatsSettings, PrefixClaim, Stats, TriggerSettings};
use stepline_core::engine::{Engine, EngineConfig};
use stepline_core::interp::Status;
use stepline_core::store::ExecutionRecord;

pub fn url() -> String {
    std::env::var("STEPLINE_TEST_NATS").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

pub fn unique(name: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("t{}{}{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed), name)
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub struct Rig {
    pub engine: Engine,
    pub prefix: String,
    pub stats: Arc<Stats>,
    pub client: async_nats::Client,
    pub claim: Arc<PrefixClaim>,
    pub dir: PathBuf,
    workers: Vec<Child>,
    bridge: Option<tokio::task::JoinHandle<()>>,
    /// Keep the streams when dropped (a test that starts the engine again on them).
    pub keep: bool,
}

impl Drop for Rig {
    fn drop(&mut self) {
        for w in &mut self.workers {
            let _ = w.kill();
            let _ = w.wait();
        }
        if let Some(b) = self.bridge.take() {
            b.abort();
        }
        self.engine.shutdown();
        // The test's streams go with it; the server is shared.
        let (client, prefix, claim, keep) = (self.client.clone(), self.prefix.clone(), self.claim.clone(), self.keep);
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            // Bounded: a server that does not answer must not hang the test run.
            let cleanup = async {
                claim.release().await;
                if !keep {
                    Names { prefix }.delete_streams(&async_nats::jetstream::new(client)).await
                }
            };
            if rt.block_on(async { tokio::time::timeout(std::time::Duration::from_secs(30), cleanup).await }).is_err() {
                eprintln!("the rig's cleanup on NATS did not finish in 30 s");
            }
        })
        .join();
    }
}

pub async fn rig(name: &str, url: &str, triggers: Vec<TriggerSettings>) -> Rig {
    let prefix = unique(name);
    let dir = std::env::temp_dir().join(format!("stepline-nats-{prefix}"));
    let _ = std::fs::remove_dir_all(&dir);
    rig_at(&prefix, &dir, url, triggers).await
}

/// An engine on `prefix` with its store in `dir` (kept as it is: a restart).
pub async fn rig_at(prefix: &str, dir: &std::path::Path, url: &str, triggers: Vec<TriggerSettings>) -> Rig {
    let mut settings = NatsSettings::with_url(url);
    settings.bus.prefix = prefix.to_string();
    settings.triggers = triggers;
    let me = Holder::this_process(Some(dir));
    let bridge = NatsBridge::connect_as(settings, me).await.expect("NATS with JetStream is running");
    let stats = bridge.stats.clone();
    let client = bridge.client.clone();
    let claim = bridge.claim();
    let (dispatcher, events) = (bridge.dispatcher(), bridge.events());
    let config = EngineConfig { data_dir: dir.to_path_buf(), ..EngineConfig::default() };
    let engine = tokio::task::block_in_place(|| {
        Engine::open(config, stepline_bridge::embedded::routes().otherwise(dispatcher).on_status_change(events))
    })
    .unwrap();
    let e = engine.clone();
    let bridge = Some(tokio::spawn(async move {
        let _ = bridge.run(e).await;
    }));
    Rig {
        engine,
        prefix: prefix.to_string(),
        stats,
        client,
        claim,
        dir: dir.to_path_buf(),
        workers: Vec::new(),
        bridge,
        keep: false,
    }
}

impl Rig {
    pub fn machine(&self, name: &str, definition: Value) -> String {
        let e = self.engine.clone();
        tokio::task::block_in_place(|| e.create_state_machine(name, &definition.to_string(), "STANDARD", "role"))
            .unwrap()
            .arn
    }

    pub fn python(&mut self, activity: &str, url: &str) {
        let script = repo().join("fixtures/workers/nats_worker.py");
        let child = Command::new("python3")
            .arg(script)
            .arg(activity)
            .args(["--url", url, "--prefix", &self.prefix])
            .spawn()
            .expect("python3 with nats-py");
        self.workers.push(child);
    }

    /// The Rust example worker (`fixtures/workers/nats_worker.rs`), built with the tests.
    pub fn rust(&mut self, activity: &str, url: &str) {
        let exe = std::env::current_exe().unwrap();
        let examples = exe.parent().unwrap().parent().unwrap().join("examples/nats_worker");
        let child = Command::new(examples).args([activity, url, &self.prefix]).spawn().expect("the example worker");
        self.workers.push(child);
    }

    pub fn node(&mut self, activity: &str, url: &str) {
        let script = repo().join("fixtures/workers/nats_worker.mjs");
        let child = Command::new("node").arg(script).args([activity, url, &self.prefix]).spawn().expect("node");
        self.workers.push(child);
    }

    pub async fn wait_for(&self, arn: &str, done: impl Fn(&ExecutionRecord) -> bool) -> ExecutionRecord {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let e = self.engine.clone();
            let a = arn.to_string();
            let r = tokio::task::spawn_blocking(move || e.describe_execution(&a)).await.unwrap();
            if let Ok(r) = &r {
                if done(r) {
                    return r.clone();
                }
            }
            assert!(Instant::now() < deadline, "timed out waiting for {arn}: {r:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn finished(&self, arn: &str) -> ExecutionRecord {
        self.wait_for(arn, |r| r.status != Status::Running).await
    }

    pub async fn start(&self, machine: &str, name: &str, input: Value) -> String {
        let e = self.engine.clone();
        let (m, n) = (machine.to_string(), name.to_string());
        tokio::task::spawn_blocking(move || e.start_execution(&m, Some(&n), input)).await.unwrap().unwrap().arn
    }
}

pub fn task(activity: &str) -> String {
    format!("arn:aws:states:us-east-1:000000000000:activity:{activity}")
}
