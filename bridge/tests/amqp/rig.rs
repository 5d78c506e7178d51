//! A Stepline engine with the AMQP bridge against the real broker (127.0.0.1:5672, or
//! `STEPLINE_TEST_AMQP`), under a name prefix of the test's own so tests share the broker
//! without seeing each other; everything the test declared is deleted with it.

use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions, ExchangeDeleteOptions,
    QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stepline_bridge::amqp::{AmqpBridge, AmqpClaim, AmqpSettings, AmqpTrigger, Names, Stats};
use stepline_core::engine::{Engine, EngineConfig};
use stepline_core::interp::Status;
use stepline_core::store::ExecutionRecord;

pub fn uri() -> String {
    std::env::var("STEPLINE_TEST_AMQP").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

pub fn unique(name: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("t{}{}{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed), name)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn task(activity: &str) -> String {
    format!("arn:aws:states:us-east-1:000000000000:activity:{activity}")
}

pub struct Rig {
    pub engine: Engine,
    pub names: Names,
    pub stats: Arc<Stats>,
    /// The test's own connection, as another service or a worker would have.
    pub conn: Connection,
    pub ch: Channel,
    workers: Vec<Child>,
    /// Queues and exchanges to delete at the end.
    pub queues: Vec<String>,
    pub exchanges: Vec<String>,
    pub claim: Arc<AmqpClaim>,
    bridge: Option<tokio::task::JoinHandle<()>>,
    pub dir: PathBuf,
    /// Keep the queues and exchanges when dropped (a test that starts the engine again).
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
        let n = &self.names;
        let mut queues = self.queues.clone();
        queues.extend([n.results_queue(), n.dead_letter(), n.holder_queue()]);
        let (claim, keep) = (self.claim.clone(), self.keep);
        let mut exchanges = self.exchanges.clone();
        exchanges.extend([n.tasks_exchange(), n.events_exchange(), n.dead_letter()]);
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            // Bounded: a broker that does not answer a close must not hang the test run.
            let cleanup = async {
                claim.release().await;
                if keep {
                    return;
                }
                let Ok(conn) = Connection::connect(&uri(), ConnectionProperties::default()).await else { return };
                let Ok(ch) = conn.create_channel().await else { return };
                for q in queues {
                    let _ = ch.queue_delete(q.as_str().into(), QueueDeleteOptions::default()).await;
                }
                for e in exchanges {
                    let _ = ch.exchange_delete(e.as_str().into(), ExchangeDeleteOptions::default()).await;
                }
                let _ = conn.close(200, "done".into()).await;
            };
            if rt.block_on(async { tokio::time::timeout(Duration::from_secs(30), cleanup).await }).is_err() {
                eprintln!("the rig's cleanup on RabbitMQ did not finish in 30 s");
            }
        })
        .join();
    }
}

pub async fn rig(name: &str, triggers: Vec<AmqpTrigger>) -> Rig {
    let prefix = unique(name);
    let dir = std::env::temp_dir().join(format!("stepline-amqp-{prefix}"));
    let _ = std::fs::remove_dir_all(&dir);
    rig_at(&prefix, &dir, triggers).await
}

/// An engine on `prefix` with its store in `dir` (kept as it is: a restart).
pub async fn rig_at(prefix: &str, dir: &std::path::Path, triggers: Vec<AmqpTrigger>) -> Rig {
    let dir = dir.to_path_buf();
    let mut settings = AmqpSettings::with_uri(&uri());
    settings.bus.prefix = prefix.to_string();
    let queues = triggers.iter().map(|t| t.queue.clone()).collect();
    settings.triggers = triggers;
    let bridge = AmqpBridge::connect(settings).await.expect("RabbitMQ is running");
    let stats = bridge.stats.clone();
    let claim = bridge.claim();
    let names = bridge.names.clone();
    let (dispatcher, events) = (bridge.dispatcher(), bridge.events());
    let config = EngineConfig { data_dir: dir.clone(), ..EngineConfig::default() };
    let engine = tokio::task::block_in_place(|| {
        Engine::open(config, stepline_bridge::embedded::routes().otherwise(dispatcher).on_status_change(events))
    })
    .unwrap();
    let e = engine.clone();
    let bridge = Some(tokio::spawn(async move {
        let _ = bridge.run(e).await;
    }));
    let conn = Connection::connect(&uri(), ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
    Rig {
        engine,
        names,
        stats,
        conn,
        ch,
        workers: Vec::new(),
        queues,
        exchanges: Vec::new(),
        claim,
        bridge,
        dir,
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

    pub fn python(&mut self, activity: &str) {
        self.queues.push(self.names.task_queue(activity));
        let child = Command::new("python3")
            .arg(repo().join("fixtures/workers/amqp_worker.py"))
            .args([activity, "--uri", &uri(), "--prefix", &self.names.prefix])
            .spawn()
            .expect("python3 with pika");
        self.workers.push(child);
    }

    pub fn node(&mut self, activity: &str) {
        self.queues.push(self.names.task_queue(activity));
        let child = Command::new("node")
            .arg(repo().join("fixtures/workers/amqp_worker.mjs"))
            .args([activity, &uri(), &self.names.prefix])
            .spawn()
            .expect("node with amqplib");
        self.workers.push(child);
    }

    /// A durable queue of the test's own, bound to `exchange` with `key`.
    pub async fn bound_queue(&mut self, exchange: &str, key: &str) -> String {
        let q = unique("q");
        self.ch
            .queue_declare(
                q.as_str().into(),
                QueueDeclareOptions { durable: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .unwrap();
        self.ch
            .queue_bind(
                q.as_str().into(),
                exchange.into(),
                key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        self.queues.push(q.clone());
        q
    }

    /// Publishes a persistent message to the default exchange (that is, to `queue`) and
    /// waits for the broker's confirm.
    pub async fn send(&self, queue: &str, body: &[u8], props: BasicProperties) {
        let props = props.with_delivery_mode(2);
        let c =
            self.ch.basic_publish("".into(), queue.into(), BasicPublishOptions::default(), body, props).await.unwrap();
        assert!(c.await.unwrap().is_ack());
    }

    /// The next message on `queue` (acked), within 20 s.
    pub async fn next(&self, queue: &str) -> lapin::message::Delivery {
        let ch = self.conn.create_channel().await.unwrap();
        let mut c = ch
            .basic_consume(queue.into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .unwrap();
        let d = tokio::time::timeout(Duration::from_secs(20), c.next())
            .await
            .unwrap_or_else(|_| panic!("nothing arrived on {queue}"))
            .unwrap()
            .unwrap();
        d.ack(BasicAckOptions::default()).await.unwrap();
        let _ = ch.close(200, "done".into()).await;
        d
    }

    pub async fn wait_for(&self, arn: &str, done: impl Fn(&ExecutionRecord) -> bool) -> ExecutionRecord {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (e, a) = (self.engine.clone(), arn.to_string());
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
        let (e, m, n) = (self.engine.clone(), machine.to_string(), name.to_string());
        tokio::task::spawn_blocking(move || e.start_execution(&m, Some(&n), input)).await.unwrap().unwrap().arn
    }

    /// Waits until `counter` reaches `n` (10 s at most) and returns it.
    pub async fn count(&self, counter: impl Fn(&Stats) -> u64, n: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(10);
        while counter(&self.stats) < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        counter(&self.stats)
    }
}

/// A header's text.
pub fn header(d: &lapin::message::Delivery, name: &str) -> Option<String> {
    match d.properties.headers().as_ref()?.inner().get(name)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

/// A table with one text header.
pub fn headers(name: &str, value: &str) -> FieldTable {
    let mut t = FieldTable::default();
    t.insert(name.into(), AMQPValue::LongString(value.into()));
    t
}
