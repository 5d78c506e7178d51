//! `sqs:sendMessage`, `sns:publish` and `events:putEvents` published on the buses their
//! destinations are mapped to; tasks whose destination is not mapped go to their workers.

use super::mapping::{Destination, Mappings};
use super::shapes::{mapped, plan, Message, Plan};
use crate::amqp::AmqpPublisher;
use crate::integrations::calls::{CallFuture, Caller};
use std::sync::Arc;
use stepline_core::engine::{TaskAnswer, TaskEnvelope};

pub struct Messaging {
    pub mappings: Mappings,
    pub nats: Option<async_nats::Client>,
    pub amqp: Option<AmqpPublisher>,
}

/// One of the three activities, sharing the mappings and connections.
pub struct MessagingCaller(pub Arc<Messaging>);

impl Messaging {
    async fn send(&self, m: &Message) -> Result<(), (String, String)> {
        match &m.destination {
            Destination::Nats { subject } => {
                let Some(client) = &self.nats else {
                    return Err((
                        "NATS.NotConfigured".into(),
                        "[messaging] maps this to NATS, which is not configured".into(),
                    ));
                };
                let mut headers = async_nats::HeaderMap::new();
                for (k, v) in &m.headers {
                    let text = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                    headers.insert(k.as_str(), text.as_str());
                }
                if let Some(ct) = m.content_type {
                    headers.insert("Content-Type", ct);
                }
                let failed = |e: String| ("NATS.PublishFailed".to_string(), e);
                client
                    .publish_with_headers(subject.clone(), headers, m.body.clone().into())
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                // On the server before the task is answered.
                client.flush().await.map_err(|e| failed(e.to_string()))
            }
            Destination::Amqp { exchange, routing_key } => {
                let Some(amqp) = &self.amqp else {
                    return Err((
                        "AMQP.NotConfigured".into(),
                        "[messaging] maps this to AMQP, which is not configured".into(),
                    ));
                };
                let key = routing_key.as_deref().unwrap_or(&m.routing_key);
                amqp.publish(exchange, key, &m.body, m.content_type, &m.headers)
                    .await
                    .map_err(|e| (e.error.to_string(), e.cause))
            }
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Caller for MessagingCaller {
    fn takes(&self, task: &TaskEnvelope) -> bool {
        mapped(&self.0.mappings, task)
    }

    fn call(self: Arc<Self>, task: TaskEnvelope) -> CallFuture {
        Box::pin(async move {
            match plan(&self.0.mappings, &task, now_ms()) {
                Plan::Unmapped => None,
                Plan::Refused(a) => Some(a),
                Plan::Publish { messages, answer } => {
                    for m in &messages {
                        if let Err((error, cause)) = self.0.send(m).await {
                            return Some(TaskAnswer::Failure { error, cause });
                        }
                    }
                    // A callback answers a `.waitForTaskToken` task; a failed entry fails it.
                    match (task.wait_for_token, answer) {
                        (true, TaskAnswer::Success(_)) => None,
                        (_, a) => Some(a),
                    }
                }
            }
        })
    }
}
