//! Execution logs published on a bus: each line to `<subject>.<machine>` on NATS, or to
//! an AMQP topic exchange with the machine's name as routing key. The engine thread only
//! queues a line; a task publishes it. A bus that is away drops lines once the queue is
//! full (and says so), never stalling the engine.

use crate::amqp::AmqpPublisher;
use crate::amqp::AmqpSettings;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use stepline_core::engine::exec_logs::sink::ExecutionLogSink;
use tokio::sync::mpsc;

/// Lines waiting to be published, at most.
const QUEUE: usize = 100_000;

pub struct BusLogSink {
    tx: mpsc::Sender<(String, String)>,
    /// Lines dropped because the queue was full.
    pub dropped: Arc<AtomicU64>,
}

impl ExecutionLogSink for BusLogSink {
    fn write(&self, machine: &str, line: &str) {
        if self.tx.try_send((machine.to_string(), line.to_string())).is_err()
            && self.dropped.fetch_add(1, Ordering::Relaxed).is_multiple_of(10_000)
        {
            tracing::warn!("execution logs: the bus does not keep up; lines are dropped");
        }
    }
}

impl BusLogSink {
    /// Publishes to `<subject>.<machine>` with `client`.
    pub fn nats(client: async_nats::Client, subject: String, rt: &tokio::runtime::Handle) -> Arc<BusLogSink> {
        let (tx, mut rx) = mpsc::channel::<(String, String)>(QUEUE);
        rt.spawn(async move {
            while let Some((machine, line)) = rx.recv().await {
                if let Err(e) = client.publish(format!("{subject}.{machine}"), line.into()).await {
                    tracing::warn!("execution logs: publishing to NATS failed: {e}");
                }
            }
        });
        Arc::new(BusLogSink { tx, dropped: Arc::default() })
    }

    /// Publishes to the topic exchange `exchange` (declared durable if missing), the
    /// machine's name as routing key, over a confirmed connection of its own.
    pub fn amqp(settings: AmqpSettings, exchange: String, rt: &tokio::runtime::Handle) -> Arc<BusLogSink> {
        let (tx, mut rx) = mpsc::channel::<(String, String)>(QUEUE);
        rt.spawn(async move {
            let publisher = AmqpPublisher::new(settings);
            let mut declared = false;
            while let Some((machine, line)) = rx.recv().await {
                if !declared {
                    declared = publisher.declare_topic_exchange(&exchange).await.is_ok();
                }
                if let Err(e) = publisher.publish_unrouted(&exchange, &machine, line.as_bytes()).await {
                    tracing::warn!("execution logs: publishing to AMQP failed: {} {}", e.error, e.cause);
                }
            }
        });
        Arc::new(BusLogSink { tx, dropped: Arc::default() })
    }
}
