//! Answers to tasks: from workers and callbacks, from a test case's mocks, and for tasks
//! outside any execution (`TestState`), which time out at their deadline.

use crate::envelope::TaskEnvelope;
use crate::error::EngineError;
use crate::request::{Reply, TaskAnswer};
use crate::state::EngineState;
use crate::storage::BatchWriter;
use crate::task_table::Detached;
use stepline_asl::error_names;
use stepline_asl::interp::Event;
use stepline_asl::model::lambda_response;
use stepline_asl::time::Millis;

impl EngineState {
    pub(crate) fn answer(
        &mut self,
        batch: &mut dyn BatchWriter,
        token: &str,
        answer: TaskAnswer,
    ) -> Result<(), EngineError> {
        if let Some(d) = self.tasks.detached.remove(token) {
            match answer {
                TaskAnswer::Heartbeat | TaskAnswer::NoAnswer => {
                    self.tasks.detached.insert(token.to_string(), d);
                }
                answer => {
                    self.dispatch.withdraw(&d.activity, d.lambda, token, true);
                    d.reply.send(Ok(answer));
                }
            }
            return Ok(());
        }
        if let Some(callback) = self.tasks.invocations.get(token).cloned() {
            return self.invocation_replied(batch, token, &callback, answer);
        }
        let now = self.clock.now();
        let Some(t) = self.tasks.tokens.get_mut(token) else {
            return Err(EngineError::TaskDoesNotExist);
        };
        let (arn, id, wrap) = (t.arn.clone(), t.id, t.wrap_lambda);
        if matches!(answer, TaskAnswer::Heartbeat) {
            t.info.last_heartbeat = Some(now);
        } else if !t.info.mocked {
            *self.tasks.answered.entry(t.activity.clone()).or_default() += 1;
            let seconds = now.saturating_sub(t.info.scheduled).max(0) as f64 / 1000.0;
            self.express.metrics.task_answered(&t.activity, seconds);
        }
        let answer = match answer {
            TaskAnswer::Success(output) if wrap => TaskAnswer::Success(lambda_response(output)),
            other => other,
        };
        let Some(event) = answer.into_event(id) else { return Ok(()) };
        if !matches!(event, Event::TaskHeartbeat { .. }) {
            self.forget_answered(&arn, &event);
        }
        self.feed(batch, &arn, now, event)
    }

    /// The worker's reply to a `.waitForTaskToken` task: as on AWS, a result is not the
    /// task's (the state goes on waiting for the callback with its token); a failure means
    /// the call itself failed, and fails the task; a heartbeat counts for the task.
    fn invocation_replied(
        &mut self,
        batch: &mut dyn BatchWriter,
        invocation: &str,
        callback: &str,
        answer: TaskAnswer,
    ) -> Result<(), EngineError> {
        match answer {
            TaskAnswer::Heartbeat => self.answer(batch, callback, TaskAnswer::Heartbeat),
            TaskAnswer::Success(_) => {
                self.tasks.invocations.remove(invocation);
                if let Some(t) = self.tasks.tokens.get(callback) {
                    self.dispatch.withdraw(&t.activity, t.lambda, invocation, true);
                }
                tracing::debug!(
                    "the worker's reply to a .waitForTaskToken task is not its result: waiting for the callback"
                );
                Ok(())
            }
            TaskAnswer::NoAnswer => Ok(()),
            failure @ TaskAnswer::Failure { .. } => {
                self.tasks.invocations.remove(invocation);
                if let Some(t) = self.tasks.tokens.get(callback) {
                    self.dispatch.withdraw(&t.activity, t.lambda, invocation, true);
                }
                self.answer(batch, callback, failure)
            }
        }
    }

    /// Applies the answers held for this batch (mocked tasks, engine calls), and of the
    /// tasks those answers schedule, up to `budget` of them; returns how many it applied.
    pub(crate) fn answer_held(&mut self, batch: &mut dyn BatchWriter, budget: usize) -> usize {
        // A loop of mocked tasks with no Wait never waits for anything: it gets a bounded
        // share of each batch, the rest in the next ones, so the engine keeps answering.
        let mut budget = budget;
        let given = budget;
        while !self.held_answers.is_empty() && budget > 0 {
            let take = self.held_answers.len().min(budget);
            budget -= take;
            let now: Vec<_> = self.held_answers.drain(..take).collect();
            for (token, answer) in now {
                // Gone when the task was cancelled, or answered in the journal replayed.
                if self.tasks.tokens.contains_key(&token) {
                    if let Err(e) = self.answer(batch, &token, answer) {
                        tracing::warn!("held answer: {e}");
                    }
                }
            }
        }
        given - budget
    }

    /// A task outside any execution: handed out with the batch, answered to `reply`.
    pub(crate) fn detached_task(&mut self, task: TaskEnvelope, deadline: Millis, reply: Reply<TaskAnswer>) {
        self.tasks.detached.insert(
            task.token.clone(),
            Detached { activity: task.activity.clone(), lambda: task.invokes_lambda(), deadline, reply },
        );
        self.effects.dispatch.insert(task.token.clone(), task);
    }

    /// Tasks outside any execution whose deadline has passed end in `States.Timeout`.
    pub(crate) fn expire_detached(&mut self, now: Millis) {
        let expired: Vec<String> =
            self.tasks.detached.iter().filter(|(_, d)| d.deadline <= now).map(|(t, _)| t.clone()).collect();
        for token in expired {
            if let Some(d) = self.tasks.detached.remove(&token) {
                self.dispatch.withdraw(&d.activity, d.lambda, &token, false);
                let cause = format!("no worker of '{}' answered in time", d.activity);
                d.reply.send(Ok(TaskAnswer::Failure { error: error_names::TIMEOUT.into(), cause }));
            }
        }
    }
}
