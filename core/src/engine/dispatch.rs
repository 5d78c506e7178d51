//! Where tasks go once the commit that scheduled them is durable. The engine knows only
//! the [`Dispatcher`] trait: the embedded default is the in-process [`TaskQueues`] (read
//! by `GetActivityTask` pollers and command workers); a bus (NATS, AMQP) is another
//! dispatcher, chosen per activity by [`Routes`].

use super::queues::{TaskEnvelope, TaskQueues};
use std::collections::HashMap;
use std::sync::Arc;

/// Delivers tasks to workers. Called from the engine thread: implementations must not
/// block for long (queue the work, publish asynchronously).
pub trait Dispatcher: Send + Sync {
    /// Hands a task to its workers. A restart hands every unanswered task out again with
    /// its original token, so a worker may see a task twice; its second answer is refused.
    fn dispatch(&self, task: TaskEnvelope);

    /// The execution no longer wants the task (answered, cancelled, timed out, stopped).
    fn withdraw(&self, _token: &str) {}
}

impl Dispatcher for TaskQueues {
    fn dispatch(&self, task: TaskEnvelope) {
        self.push(task)
    }

    fn withdraw(&self, token: &str) {
        self.remove(token)
    }
}

/// Chooses the dispatcher of each task by its activity; the in-process queues take
/// every activity no route names.
pub struct Routes {
    local: Arc<TaskQueues>,
    by_activity: HashMap<String, Arc<dyn Dispatcher>>,
    /// For every activity a route does not name, when set (`serve --nats URL`).
    fallback: Option<Arc<dyn Dispatcher>>,
}

impl Routes {
    pub fn local(queues: Arc<TaskQueues>) -> Routes {
        Routes { local: queues, by_activity: HashMap::new(), fallback: None }
    }

    /// Sends tasks of `activity` to `dispatcher`.
    pub fn route(mut self, activity: &str, dispatcher: Arc<dyn Dispatcher>) -> Routes {
        self.by_activity.insert(activity.to_string(), dispatcher);
        self
    }

    /// Sends tasks of every activity no route names to `dispatcher`.
    pub fn otherwise(mut self, dispatcher: Arc<dyn Dispatcher>) -> Routes {
        self.fallback = Some(dispatcher);
        self
    }

    fn for_activity(&self, activity: &str) -> &dyn Dispatcher {
        match (self.by_activity.get(activity), &self.fallback) {
            (Some(d), _) => d.as_ref(),
            (None, Some(d)) => d.as_ref(),
            (None, None) => self.local.as_ref(),
        }
    }

    pub fn dispatch(&self, task: TaskEnvelope) {
        self.for_activity(&task.activity).dispatch(task)
    }

    pub fn withdraw(&self, activity: &str, token: &str) {
        self.for_activity(activity).withdraw(token)
    }
}
