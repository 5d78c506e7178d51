//! Takes the tasks of a transport that is not configured (`nats:publish` without NATS,
//! `amqp:publish` without AMQP) and fails them at once with a reason, instead of leaving
//! them queued for a worker that will never come.

use std::sync::OnceLock;
use stepline_core::engine::{Dispatcher, Engine, TaskAnswer, TaskEnvelope};

pub struct NotConfigured {
    error: &'static str,
    cause: &'static str,
    engine: OnceLock<Engine>,
}

impl NotConfigured {
    pub fn nats() -> NotConfigured {
        NotConfigured {
            error: "NATS.NotConfigured",
            cause: "arn:aws:states:::nats:publish needs a NATS server: start stepline serve with --nats URL or [nats] in stepline.toml",
            engine: OnceLock::new(),
        }
    }

    pub fn amqp() -> NotConfigured {
        NotConfigured {
            error: "AMQP.NotConfigured",
            cause: "arn:aws:states:::amqp:publish needs an AMQP broker: start stepline serve with --amqp URI or [amqp] in stepline.toml",
            engine: OnceLock::new(),
        }
    }

    /// The engine to fail the tasks in (known only once it is open).
    pub fn attach(&self, engine: Engine) {
        let _ = self.engine.set(engine);
    }
}

impl Dispatcher for NotConfigured {
    fn dispatch(&self, task: TaskEnvelope) {
        if let Some(engine) = self.engine.get() {
            let answer = TaskAnswer::Failure { error: self.error.into(), cause: self.cause.into() };
            // Queued, not awaited: this runs on the engine thread.
            engine.answer_task_then(&task.token, answer, drop);
        }
    }
}
