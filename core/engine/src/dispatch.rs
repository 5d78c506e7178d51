//! Where the engine's output goes once the commit that made it is durable: tasks to a
//! [`Dispatcher`] chosen per activity by [`Routes`], and status changes to every
//! [`StatusListener`]. The default dispatcher is a [`LocalTasks`] (the bridge's embedded
//! in-process queues, read by `GetActivityTask` pollers and command workers); a bus
//! (NATS, AMQP) is another dispatcher and another listener.

use crate::envelope::TaskEnvelope;
use crate::store::ExecutionRecord;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Delivers tasks to workers. Called from the engine thread: implementations must not
/// block for long (queue the work, publish asynchronously).
pub trait Dispatcher: Send + Sync {
    /// Hands a task to its workers. A restart hands every unanswered task out again with
    /// its original token, so a worker may see a task twice; its second answer is refused.
    fn dispatch(&self, task: TaskEnvelope);

    /// The task is settled: `answered` when its answer was applied (a worker took it),
    /// otherwise its execution no longer wants it (cancelled, timed out, stopped) and a
    /// copy no worker took yet should be dropped.
    fn withdraw(&self, _token: &str, _answered: bool) {}
}

/// The default dispatcher, which also hands tasks to those who poll for them
/// (`GetActivityTask`, command workers): an engine always has one.
pub trait LocalTasks: Dispatcher {
    /// Takes the oldest task of `activity`, waiting up to `timeout` for one.
    fn poll(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope>;
    /// Tasks waiting to be taken, per activity.
    fn depth(&self) -> HashMap<String, usize>;
}

/// Told of every execution status change (started, succeeded, failed, timed out,
/// aborted, redriven) after it is durable. Called from the engine thread (and, for
/// EXPRESS executions, from the thread that ran them): implementations must not block.
pub trait StatusListener: Send + Sync {
    fn status_changed(&self, record: &ExecutionRecord);
}

/// The Lambda functions a dispatcher takes.
type FunctionNames = std::collections::HashSet<String>;

/// Chooses the dispatcher of each task by its activity (the in-process queues take every
/// activity no route names) and holds the status listeners.
pub struct Routes {
    local: Arc<dyn LocalTasks>,
    by_activity: HashMap<String, Arc<dyn Dispatcher>>,
    /// For every activity a route does not name, when set (`serve --nats URL`).
    fallback: Option<Arc<dyn Dispatcher>>,
    /// Tasks invoking Lambda functions, all of them or those named, when set (a Lambda
    /// endpoint): before any route by activity, since a function's name is its activity.
    lambda: Option<(Arc<dyn Dispatcher>, Option<FunctionNames>)>,
    listeners: Vec<Arc<dyn StatusListener>>,
    /// Where execution logs go (`exec_logs/`).
    log_sinks: Vec<Arc<dyn crate::exec_logs::sink::ExecutionLogSink>>,
}

impl Routes {
    /// Routes with `queues` taking every activity no route names.
    pub fn local(queues: Arc<dyn LocalTasks>) -> Routes {
        Routes {
            local: queues,
            by_activity: HashMap::new(),
            fallback: None,
            lambda: None,
            listeners: Vec::new(),
            log_sinks: Vec::new(),
        }
    }

    /// Tells `listener` of every status change.
    pub fn on_status_change(mut self, listener: Arc<dyn StatusListener>) -> Routes {
        self.listeners.push(listener);
        self
    }

    /// Writes the execution logs of machines whose `loggingConfiguration` logs to `sink`.
    pub fn on_execution_log(mut self, sink: Arc<dyn crate::exec_logs::sink::ExecutionLogSink>) -> Routes {
        self.log_sinks.push(sink);
        self
    }

    pub fn log_sinks(&self) -> &[Arc<dyn crate::exec_logs::sink::ExecutionLogSink>] {
        &self.log_sinks
    }

    pub fn listeners(&self) -> &[Arc<dyn StatusListener>] {
        &self.listeners
    }

    pub fn notify(&self, record: &ExecutionRecord) {
        for l in &self.listeners {
            l.status_changed(record);
        }
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

    /// Sends tasks invoking a Lambda function to `dispatcher`: those of the functions
    /// named, or of every function when `functions` is `None`.
    pub fn lambda(mut self, dispatcher: Arc<dyn Dispatcher>, functions: Option<Vec<String>>) -> Routes {
        self.lambda = Some((dispatcher, functions.map(|f| f.into_iter().collect())));
        self
    }

    /// A route names `activity` itself (not through the fallback).
    pub fn names(&self, activity: &str) -> bool {
        self.by_activity.contains_key(activity)
    }

    /// The dispatcher tasks of `activity` go to now.
    pub fn dispatcher_of(&self, activity: &str) -> Arc<dyn Dispatcher> {
        match self.remote(activity, false) {
            Some(d) => d.clone(),
            None => self.local.clone(),
        }
    }

    /// The default dispatcher, which pollers read.
    pub fn local_tasks(&self) -> Arc<dyn LocalTasks> {
        self.local.clone()
    }

    /// The dispatcher a route or the fallback names for `activity` (a Lambda function's
    /// when `lambda`); `None` for the local one.
    fn remote(&self, activity: &str, lambda: bool) -> Option<&Arc<dyn Dispatcher>> {
        if let (true, Some((d, functions))) = (lambda, &self.lambda) {
            if functions.as_ref().is_none_or(|f| f.contains(activity)) {
                return Some(d);
            }
        }
        self.by_activity.get(activity).or(self.fallback.as_ref())
    }

    pub fn dispatch(&self, task: TaskEnvelope) {
        match self.remote(&task.activity, self.lambda.is_some() && task.invokes_lambda()) {
            Some(d) => d.dispatch(task),
            None => self.local.dispatch(task),
        }
    }

    /// `lambda`: the task invokes a Lambda function ([`TaskEnvelope::invokes_lambda`]).
    pub fn withdraw(&self, activity: &str, lambda: bool, token: &str, answered: bool) {
        match self.remote(activity, lambda) {
            Some(d) => d.withdraw(token, answered),
            None => self.local.withdraw(token, answered),
        }
    }
}
