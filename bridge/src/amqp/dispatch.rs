//! Out of the engine: tasks, `amqp:publish` messages and status events. The engine
//! thread only sends on a channel (never blocks); the session publishes.

use crate::bus::integration::{self, IntegrationError};
use crate::bus::{Names, StatusEvent, StatusEvents};
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use serde_json::Value;
use stepline_core::engine::{Dispatcher, TaskEnvelope};
use tokio::sync::mpsc;

/// The activity of `arn:aws:states:::amqp:publish` tasks: a message to an exchange of the
/// user's, not a task for a worker.
pub const AMQP_PUBLISH: &str = "amqp:publish";

pub(super) enum Outgoing {
    Task(Box<TaskEnvelope>),
    /// Settled (answered, timed out, execution ended): not published again after a
    /// reconnect, and taken out of its queue if no worker took it.
    Withdraw {
        token: String,
        answered: bool,
    },
}

/// Takes the tasks of the activities routed to AMQP.
pub struct AmqpDispatcher {
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl Dispatcher for AmqpDispatcher {
    fn dispatch(&self, task: TaskEnvelope) {
        let _ = self.tx.send(Outgoing::Task(Box::new(task)));
    }

    fn withdraw(&self, token: &str, answered: bool) {
        let _ = self.tx.send(Outgoing::Withdraw { token: token.to_string(), answered });
    }
}

/// Publishes every execution status change on the events exchange.
pub type AmqpEvents = StatusEvents;

/// The receiving ends, owned by the supervisor so that they outlive a connection.
pub(super) struct Receivers {
    pub outgoing: mpsc::UnboundedReceiver<Outgoing>,
    pub events: mpsc::UnboundedReceiver<StatusEvent>,
}

pub(super) fn channels() -> (AmqpDispatcher, AmqpEvents, Receivers) {
    let (tx, outgoing) = mpsc::unbounded_channel();
    let (status, events) = StatusEvents::new();
    (AmqpDispatcher { tx }, status, Receivers { outgoing, events })
}

/// A message the broker has not confirmed yet, kept to publish again after a reconnect.
#[derive(Clone)]
pub(super) struct Publication {
    pub token: String,
    /// The activity whose queue must exist first (tasks only).
    pub activity: Option<String>,
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub properties: BasicProperties,
    /// `amqp:publish`: answer the task once confirmed (unless it waits for a token).
    pub integration: Option<Integration>,
}

#[derive(Clone)]
pub(super) struct Integration {
    pub wait_for_token: bool,
}

/// A task for the workers of its activity: persistent, answered on the results queue
/// (`reply_to`, `correlation_id` = the task token), expiring with its timeout.
pub(super) fn task_publication(task: &TaskEnvelope, names: &Names) -> Publication {
    let body = serde_json::to_vec(&crate::protocol::task_request(task)).unwrap_or_default();
    let mut properties = BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/json".into())
        .with_correlation_id(task.token.as_str().into())
        .with_message_id(task.token.as_str().into())
        .with_reply_to(names.results_queue().into());
    if let Some(s) = task.timeout_seconds {
        properties = properties.with_expiration((s.saturating_mul(1000)).to_string().into());
    }
    Publication {
        token: task.token.clone(),
        activity: Some(task.activity.clone()),
        exchange: names.tasks_exchange(),
        routing_key: task.activity.clone(),
        body,
        properties,
        integration: None,
    }
}

/// `arn:aws:states:::amqp:publish`: `Exchange` (default: the default exchange),
/// `RoutingKey`, `Message` (JSON, or a string as it is) and `Headers` (an object).
pub(super) fn integration_publication(task: &TaskEnvelope) -> Result<Publication, IntegrationError> {
    let input = &task.input;
    let routing_key = integration::required_string(input, AMQP_PUBLISH, "RoutingKey")?;
    let exchange = integration::optional_string(input, AMQP_PUBLISH, "Exchange")?.unwrap_or("");
    let message = integration::message(input);
    let mut properties = BasicProperties::default().with_delivery_mode(2);
    if message.is_json {
        properties = properties.with_content_type("application/json".into());
    }
    match input.get("Headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            let mut table = FieldTable::default();
            for (k, v) in h {
                table.insert(k.as_str().into(), header_value(v));
            }
            properties = properties.with_headers(table);
        }
        Some(_) => {
            return Err(IntegrationError::WrongType { resource: AMQP_PUBLISH, field: "Headers", expected: "an object" })
        }
    }
    Ok(Publication {
        token: task.token.clone(),
        activity: None,
        exchange: exchange.to_string(),
        routing_key: routing_key.to_string(),
        body: message.body,
        properties,
        integration: Some(Integration { wait_for_token: task.wait_for_token }),
    })
}

/// A JSON header value as AMQP carries it: strings, integers, floats, booleans; anything
/// else as its JSON text.
pub(super) fn header_value(v: &Value) -> AMQPValue {
    match v {
        Value::String(s) => AMQPValue::LongString(s.as_str().into()),
        Value::Bool(b) => AMQPValue::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AMQPValue::LongLongInt(i),
            None => AMQPValue::Double(n.as_f64().unwrap_or(0.0)),
        },
        other => AMQPValue::LongString(other.to_string().into()),
    }
}

/// A header's text (`Stepline-Execution-Name`, error and cause of a reply).
pub(super) fn header_text(properties: &BasicProperties, name: &str) -> Option<String> {
    let headers = properties.headers().as_ref()?;
    match headers.inner().get(name)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(input: Value) -> TaskEnvelope {
        TaskEnvelope {
            resource: String::new(),
            token: "tok".into(),
            activity: AMQP_PUBLISH.into(),
            input,
            execution_arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
            execution_name: "e".into(),
            state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            state_name: "Publish".into(),
            entered_time: 0,
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
            wait_for_token: false,
        }
    }

    #[test]
    fn an_integration_publish_takes_its_fields_and_says_what_is_missing() {
        let p = integration_publication(&task(json!({
            "Exchange": "orders", "RoutingKey": "created", "Message": {"id": 1}, "Headers": {"kind": "new", "n": 2}
        })))
        .unwrap();
        assert_eq!((p.exchange.as_str(), p.routing_key.as_str()), ("orders", "created"));
        assert_eq!(p.body, br#"{"id":1}"#);
        assert_eq!(header_text(&p.properties, "kind").as_deref(), Some("new"));
        let p = integration_publication(&task(json!({"RoutingKey": "q", "Message": "plain text"}))).unwrap();
        assert_eq!((p.exchange.as_str(), p.body.as_slice()), ("", b"plain text".as_slice()));
        let e = integration_publication(&task(json!({"Message": 1}))).err().unwrap();
        assert!(e.to_string().contains("RoutingKey"), "{e}");
        assert!(integration_publication(&task(json!({"RoutingKey": "q", "Headers": [1]}))).is_err());
    }
}
