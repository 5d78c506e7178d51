//! One engine per vhost and prefix: the engine's connection declares the exclusive queue
//! `<prefix>.engine`, which the broker lets one connection hold at a time and drops when
//! that connection closes (a clean stop, a crash or a kill alike). A second engine gets
//! RESOURCE_LOCKED and refuses to start, naming the holder, which each holder writes into
//! `<prefix>.engine.holder` (a queue of one message) when it takes the prefix.

use super::error::AmqpError;
use crate::bus::Names;
use crate::holder::Holder;
use lapin::options::{BasicGetOptions, BasicNackOptions, BasicPublishOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// How long a clean stop waits for the broker to confirm the connection's close.
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// This engine's hold on its vhost and prefix: the connection it runs on.
pub struct AmqpClaim {
    me: Holder,
    conn: Mutex<Option<Arc<Connection>>>,
    released: AtomicBool,
}

impl AmqpClaim {
    pub(super) fn new(me: Holder) -> AmqpClaim {
        AmqpClaim { me, conn: Mutex::new(None), released: AtomicBool::new(false) }
    }

    /// Who this engine says it is.
    pub fn holder(&self) -> &Holder {
        &self.me
    }

    /// Gives the prefix up (a clean shutdown): closes the connection that holds it, so
    /// another engine can start at once. The bridge does not connect again after this.
    pub async fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(c) = conn {
            // Bounded: a stop must not wait on a broker that does not answer the close;
            // the socket closes with the process and the broker drops the claim then.
            let close = c.close(200, "the engine stops".into());
            if tokio::time::timeout(RELEASE_WAIT, close).await.is_err() {
                tracing::warn!("RabbitMQ did not confirm the close within {RELEASE_WAIT:?}; stopping anyway");
            }
        }
    }

    pub(super) fn released(&self) -> bool {
        self.released.load(Ordering::SeqCst)
    }

    /// The connection that now holds the prefix, closed by [`AmqpClaim::release`].
    pub(super) fn held_by(&self, conn: Arc<Connection>) {
        *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some(conn);
    }
}

/// The AMQP connection name of an engine (in `rabbitmqctl list_connections
/// client_properties` and the management UI), so the holder of a prefix can be found.
pub(super) fn connection_name(me: &Holder, prefix: &str) -> String {
    format!("stepline engine on {} (pid {}), prefix {prefix}", me.host, me.pid)
}

/// Takes the prefix on `conn`, or says who holds it. Declaring again on the connection
/// that holds it is a no-op. `again`: a reconnection, where a holder that is this very
/// engine is its previous connection, not yet dropped by the broker.
pub(super) async fn take(
    conn: &Connection,
    names: &Names,
    vhost: &str,
    me: &Holder,
    again: bool,
) -> Result<(), AmqpError> {
    let queue = names.engine_queue();
    let ch = conn.create_channel().await.map_err(AmqpError::broker("open a channel"))?;
    let exclusive = QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() };
    match ch.queue_declare(queue.as_str().into(), exclusive, FieldTable::default()).await {
        Ok(_) => {}
        Err(e) if is_locked(&e) => {
            let holder = read_holder(conn, names).await;
            let prefix = names.prefix.clone();
            return Err(match holder {
                // Our own earlier connection, which the broker has not seen go yet.
                Some(h) if again && h.instance == me.instance => AmqpError::lost(format!(
                    "the prefix '{prefix}' is still held by this engine's previous connection; waiting for the broker to drop it"
                )),
                Some(h) => AmqpError::PrefixHeld { prefix, vhost: vhost.to_string(), holder: h.describe() },
                None => AmqpError::PrefixHeld {
                    prefix,
                    vhost: vhost.to_string(),
                    holder: "another engine (its connection holds the queue ".to_string() + &queue + ")",
                },
            });
        }
        Err(e) => return Err(AmqpError::Broker { what: format!("declare queue {queue}"), source: e }),
    }
    // Who holds it, for the next engine that asks.
    let record = names.holder_queue();
    ch.queue_declare(record.as_str().into(), durable(), one_message())
        .await
        .map_err(AmqpError::broker(format!("declare queue {record}")))?;
    let props = BasicProperties::default().with_delivery_mode(2).with_content_type("application/json".into());
    ch.basic_publish("".into(), record.as_str().into(), BasicPublishOptions::default(), &me.to_json(), props)
        .await
        .map_err(AmqpError::broker(format!("publish to {record}")))?;
    let _ = ch.close(200, "claimed".into()).await;
    Ok(())
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions { durable: true, ..Default::default() }
}

/// `x-max-length: 1`: the newest holder's record replaces the one before.
fn one_message() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert("x-max-length".into(), AMQPValue::LongInt(1));
    args
}

/// The holder's record, read and left in place.
async fn read_holder(conn: &Connection, names: &Names) -> Option<Holder> {
    let ch = conn.create_channel().await.ok()?;
    let record = names.holder_queue();
    ch.queue_declare(record.as_str().into(), durable(), one_message()).await.ok()?;
    let got = ch.basic_get(record.as_str().into(), BasicGetOptions { no_ack: false }).await.ok()??;
    let holder = Holder::from_json(&got.delivery.data);
    let _ = got.delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
    let _ = ch.close(200, "read".into()).await;
    holder
}

/// RESOURCE_LOCKED (405): an exclusive queue another connection holds.
fn is_locked(e: &lapin::Error) -> bool {
    match e.kind() {
        lapin::ErrorKind::ProtocolError(p) => {
            matches!(p.kind(), lapin::protocol::AMQPErrorKind::Soft(lapin::protocol::AMQPSoftError::RESOURCELOCKED))
        }
        _ => false,
    }
}
