//! Messages published on behalf of state machines (AWS messaging mapped onto AMQP): a
//! connection of its own, opened when first needed and again after it is lost, each
//! message confirmed by the broker and refused when no queue takes it.

use super::connect::connect_named;
use super::dispatch::header_value;
use super::settings::AmqpSettings;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Confirmation, Connection};
use serde_json::Value;

pub struct AmqpPublisher {
    settings: AmqpSettings,
    open: tokio::sync::Mutex<Option<(Connection, Channel)>>,
}

/// Why a message was not published: the error name the task fails with, and a cause.
#[derive(Debug, Clone, PartialEq)]
pub struct NotPublished {
    pub error: &'static str,
    pub cause: String,
}

impl AmqpPublisher {
    pub fn new(settings: AmqpSettings) -> AmqpPublisher {
        AmqpPublisher { settings, open: tokio::sync::Mutex::new(None) }
    }

    /// Publishes one persistent message and waits for the broker's confirm.
    pub async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        body: &[u8],
        content_type: Option<&str>,
        headers: &[(String, Value)],
    ) -> Result<(), NotPublished> {
        let mut props = BasicProperties::default().with_delivery_mode(2);
        if let Some(ct) = content_type {
            props = props.with_content_type(ct.into());
        }
        if !headers.is_empty() {
            let mut table = FieldTable::default();
            for (k, v) in headers {
                table.insert(k.as_str().into(), header_value(v));
            }
            props = props.with_headers(table);
        }
        self.send(exchange, routing_key, body, props, true).await
    }

    /// Publishes one message that may go nowhere (no queue bound: dropped, as an
    /// exchange drops it), confirmed by the broker: execution logs.
    pub async fn publish_unrouted(&self, exchange: &str, routing_key: &str, body: &[u8]) -> Result<(), NotPublished> {
        let props = BasicProperties::default().with_delivery_mode(2).with_content_type("application/json".into());
        self.send(exchange, routing_key, body, props, false).await
    }

    /// Declares a durable topic exchange (nothing changes if it exists so).
    pub async fn declare_topic_exchange(&self, name: &str) -> Result<(), NotPublished> {
        let ch = self.channel().await?;
        let options = lapin::options::ExchangeDeclareOptions { durable: true, ..Default::default() };
        ch.exchange_declare(name.into(), lapin::ExchangeKind::Topic, options, FieldTable::default())
            .await
            .map_err(|e| NotPublished { error: "AMQP.PublishFailed", cause: e.to_string() })
    }

    async fn send(
        &self,
        exchange: &str,
        routing_key: &str,
        body: &[u8],
        props: BasicProperties,
        mandatory: bool,
    ) -> Result<(), NotPublished> {
        // Once more on a fresh connection when the one held was lost.
        let mut last = None;
        for _ in 0..2 {
            let channel = match self.channel().await {
                Ok(c) => c,
                Err(e) => {
                    last = Some(e);
                    continue;
                }
            };
            let options = BasicPublishOptions { mandatory, ..Default::default() };
            let sent = channel.basic_publish(exchange.into(), routing_key.into(), options, body, props.clone()).await;
            let outcome = match sent {
                Ok(confirm) => confirm.await,
                Err(e) => Err(e),
            };
            return match outcome {
                Ok(Confirmation::Ack(None)) | Ok(Confirmation::NotRequested) => Ok(()),
                Ok(Confirmation::Ack(Some(r))) => Err(NotPublished {
                    error: "AMQP.Unroutable",
                    cause: format!(
                        "no queue is bound to exchange \"{exchange}\" with routing key \"{routing_key}\" ({})",
                        r.reply_text
                    ),
                }),
                Ok(Confirmation::Nack(_)) => {
                    Err(NotPublished { error: "AMQP.PublishFailed", cause: "the broker refused the message".into() })
                }
                Err(e) => {
                    *self.open.lock().await = None;
                    last = Some(NotPublished { error: "AMQP.PublishFailed", cause: e.to_string() });
                    continue;
                }
            };
        }
        Err(last.unwrap_or(NotPublished { error: "AMQP.PublishFailed", cause: "no connection".into() }))
    }

    async fn channel(&self) -> Result<Channel, NotPublished> {
        let mut open = self.open.lock().await;
        if let Some((conn, ch)) = open.as_ref() {
            if conn.status().connected() && ch.status().connected() {
                return Ok(ch.clone());
            }
        }
        let failed = |e: String| NotPublished { error: "AMQP.PublishFailed", cause: e };
        let (conn, _) = connect_named(&self.settings, "stepline-messaging").await.map_err(|e| failed(e.to_string()))?;
        let ch = conn.create_channel().await.map_err(|e| failed(e.to_string()))?;
        ch.confirm_select(ConfirmSelectOptions::default()).await.map_err(|e| failed(e.to_string()))?;
        *open = Some((conn, ch.clone()));
        Ok(ch)
    }
}
