//! Which bus destination an SQS queue, an SNS topic or an EventBridge bus is mapped to.

use crate::integrations::settings::{Mapping, MessagingSettings};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Nats {
        subject: String,
    },
    /// `routing_key` `None`: the message's own (an event's `DetailType`), else empty.
    Amqp {
        exchange: String,
        routing_key: Option<String>,
    },
}

/// A mistake in `[messaging]`.
#[derive(Debug, thiserror::Error)]
#[error("[messaging.{kind}] \"{aws}\": {problem}")]
pub struct MappingError {
    pub kind: &'static str,
    pub aws: String,
    pub problem: String,
}

/// The mappings, by AWS name (queue URL, topic ARN, event bus name).
#[derive(Debug, Default)]
pub struct Mappings {
    pub sqs: HashMap<String, Destination>,
    pub sns: HashMap<String, Destination>,
    pub events: HashMap<String, Destination>,
}

impl Mappings {
    pub fn new(s: &MessagingSettings) -> Result<Mappings, MappingError> {
        let table = |kind: &'static str, list: &[Mapping]| -> Result<HashMap<String, Destination>, MappingError> {
            let mut out = HashMap::new();
            for m in list {
                let problem = |p: &str| MappingError { kind, aws: m.aws.clone(), problem: p.into() };
                let d = match (&m.nats_subject, &m.amqp_exchange, &m.amqp_queue) {
                    (Some(s), None, None) => Destination::Nats { subject: s.clone() },
                    (None, Some(e), None) => {
                        Destination::Amqp { exchange: e.clone(), routing_key: m.routing_key.clone() }
                    }
                    // The default exchange routes by queue name.
                    (None, None, Some(q)) => {
                        Destination::Amqp { exchange: String::new(), routing_key: Some(q.clone()) }
                    }
                    _ => return Err(problem("give exactly one of nats_subject, amqp_exchange and amqp_queue")),
                };
                if out.insert(bus_key(kind, &m.aws), d).is_some() {
                    return Err(problem("is mapped twice"));
                }
            }
            Ok(out)
        };
        Ok(Mappings { sqs: table("sqs", &s.sqs)?, sns: table("sns", &s.sns)?, events: table("events", &s.events)? })
    }

    /// Whether any mapping needs NATS, or AMQP.
    pub fn needs(&self) -> (bool, bool) {
        let all = || self.sqs.values().chain(self.sns.values()).chain(self.events.values());
        (all().any(|d| matches!(d, Destination::Nats { .. })), all().any(|d| matches!(d, Destination::Amqp { .. })))
    }

    /// An event bus by its name or ARN.
    pub fn event_bus(&self, name_or_arn: &str) -> Option<&Destination> {
        self.events.get(&bus_key("events", name_or_arn))
    }
}

/// Event buses are keyed by name, whether written as a name or an ARN.
fn bus_key(kind: &str, aws: &str) -> String {
    match (kind, aws.split_once(":event-bus/")) {
        ("events", Some((_, name))) => name.to_string(),
        _ => aws.to_string(),
    }
}
