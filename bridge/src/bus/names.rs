//! The names of `../shared/DESIGN.md`, under one prefix, written once for every bus:
//! `<prefix>.tasks.<activity>`, `<prefix>.results`, `<prefix>.events` with the key
//! `<stateMachineName>.<STATUS>`, `<prefix>.api.<Operation>`, and each bus's own names
//! (JetStream streams, the AMQP dead-letter exchange and claim queues) built the same way.

/// Subject, stream, exchange and queue names under one prefix.
#[derive(Debug, Clone)]
pub struct Names {
    pub prefix: String,
}

impl Names {
    /// NATS subject of one activity's tasks.
    pub fn task_subject(&self, activity: &str) -> String {
        format!("{}.{activity}", self.tasks_exchange())
    }
    /// AMQP durable queue of one activity's tasks (bound with the activity as routing
    /// key): the same name as the NATS subject.
    pub fn task_queue(&self, activity: &str) -> String {
        self.task_subject(activity)
    }
    /// AMQP direct exchange that routes a task to its activity's queue.
    pub fn tasks_exchange(&self) -> String {
        format!("{}.tasks", self.prefix)
    }
    /// NATS subject of results and heartbeats.
    pub fn results_subject(&self) -> String {
        format!("{}.results", self.prefix)
    }
    /// AMQP durable queue of results and heartbeats, reached through the default
    /// exchange: the same name as the NATS subject.
    pub fn results_queue(&self) -> String {
        self.results_subject()
    }
    /// NATS subject of one control API operation.
    pub fn api_subject(&self, operation: &str) -> String {
        format!("{}.api.{operation}", self.prefix)
    }
    /// AMQP topic exchange of status events (routing key `<stateMachineName>.<STATUS>`).
    pub fn events_exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }
    /// NATS subject of one status event: the events exchange's name and the routing key.
    pub fn event_subject(&self, machine: &str, status: &str) -> String {
        format!("{}.{}", self.events_exchange(), event_key(machine, status))
    }

    /// A JetStream stream: the prefix in capitals (other characters `_`) and `what`.
    fn stream(&self, what: &str) -> String {
        let p: String =
            self.prefix.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        format!("{p}_{what}")
    }
    pub fn tasks_stream(&self) -> String {
        self.stream("TASKS")
    }
    pub fn results_stream(&self) -> String {
        self.stream("RESULTS")
    }
    pub fn triggers_stream(&self) -> String {
        self.stream("TRIGGERS")
    }
    /// Stream of the claim of the engine that holds the prefix (NATS).
    pub fn claim_stream(&self) -> String {
        self.stream("ENGINE")
    }
    /// NATS subject of that claim: who holds the prefix, since when.
    pub fn claim_subject(&self) -> String {
        format!("{}.engine.holder", self.prefix)
    }

    /// AMQP fanout exchange (and the durable queue bound to it) of rejected messages.
    pub fn dead_letter(&self) -> String {
        format!("{}.dead-letter", self.prefix)
    }
    /// AMQP exclusive queue of the engine's connection: whoever holds it holds the prefix.
    pub fn engine_queue(&self) -> String {
        format!("{}.engine", self.prefix)
    }
    /// AMQP durable queue of one message: who holds the prefix (the NATS claim subject's
    /// name).
    pub fn holder_queue(&self) -> String {
        self.claim_subject()
    }
}

/// The routing key (AMQP) or last two subject tokens (NATS) of a status event.
pub fn event_key(machine: &str, status: &str) -> String {
    format!("{machine}.{status}")
}

/// A consumer name from free text: NATS consumer names may not hold `.`, `*`, `>` or
/// spaces.
pub fn consumer_name(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_the_ones_of_the_design() {
        let n = Names { prefix: "stepline".into() };
        assert_eq!(n.task_subject("A"), "stepline.tasks.A");
        assert_eq!(n.task_queue("A"), "stepline.tasks.A");
        assert_eq!(n.tasks_exchange(), "stepline.tasks");
        assert_eq!(n.results_subject(), "stepline.results");
        assert_eq!(n.results_queue(), "stepline.results");
        assert_eq!(n.api_subject("StartExecution"), "stepline.api.StartExecution");
        assert_eq!(n.events_exchange(), "stepline.events");
        assert_eq!(n.event_subject("m", "RUNNING"), "stepline.events.m.RUNNING");
        assert_eq!((n.tasks_stream(), n.results_stream()), ("STEPLINE_TASKS".into(), "STEPLINE_RESULTS".into()));
        assert_eq!((n.triggers_stream(), n.claim_stream()), ("STEPLINE_TRIGGERS".into(), "STEPLINE_ENGINE".into()));
        assert_eq!(
            (n.claim_subject(), n.holder_queue()),
            ("stepline.engine.holder".into(), "stepline.engine.holder".into())
        );
        assert_eq!((n.dead_letter(), n.engine_queue()), ("stepline.dead-letter".into(), "stepline.engine".into()));
        assert_eq!(Names { prefix: "t-1.x".into() }.tasks_stream(), "T_1_X_TASKS");
        assert_eq!(consumer_name("orders.created *"), "orders_created__");
    }
}
