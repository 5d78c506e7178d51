//! What every built-in integration shares: its calls run on the bridge's runtime, never
//! on the engine thread; each is answered back to the engine when it ends; a task its
//! execution no longer wants (stopped, timed out) has its call dropped mid-flight; and
//! tasks handed out before the engine was attached (the ones recovery hands out again)
//! wait for it instead of being lost.

use crate::bus::call::answer_task;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use stepline_core::engine::{Dispatcher, Engine, TaskAnswer, TaskEnvelope, TaskError};

/// A call's future: its answer, or none when the task waits for a callback instead.
pub type CallFuture = Pin<Box<dyn Future<Output = Option<TaskAnswer>> + Send>>;

/// One integration: makes the call a task stands for.
pub trait Caller: Send + Sync + 'static {
    fn call(self: Arc<Self>, task: TaskEnvelope) -> CallFuture;

    /// Whether this integration makes the call, or hands the task on to the dispatcher
    /// the activity would have without it (see [`Calls::hand_on_to`]).
    fn takes(&self, _task: &TaskEnvelope) -> bool {
        true
    }
}

/// A [`Dispatcher`] that runs a [`Caller`]'s calls.
pub struct Calls<C: Caller> {
    caller: Arc<C>,
    runtime: tokio::runtime::Handle,
    engine: OnceLock<Engine>,
    /// Tasks handed out before [`Calls::attach`].
    early: Mutex<Vec<TaskEnvelope>>,
    running: Arc<Mutex<HashMap<String, tokio::task::AbortHandle>>>,
    /// Where tasks the caller does not take go, and which tokens went there.
    fallback: OnceLock<Arc<dyn Dispatcher>>,
    handed_on: Mutex<std::collections::HashSet<String>>,
}

impl<C: Caller> Calls<C> {
    /// Calls made on `runtime`.
    pub fn new(caller: C, runtime: tokio::runtime::Handle) -> Calls<C> {
        Calls {
            caller: Arc::new(caller),
            runtime,
            engine: OnceLock::new(),
            early: Mutex::new(Vec::new()),
            running: Arc::new(Mutex::new(HashMap::new())),
            fallback: OnceLock::new(),
            handed_on: Mutex::new(Default::default()),
        }
    }

    /// Tasks the caller does not take go to `fallback` (a worker's dispatcher).
    pub fn hand_on_to(&self, fallback: Arc<dyn Dispatcher>) {
        let _ = self.fallback.set(fallback);
    }

    /// The engine the answers go to; tasks handed out before now are called now.
    pub fn attach(&self, engine: Engine) {
        let early = match self.early.lock() {
            Ok(mut early) => {
                let _ = self.engine.set(engine.clone());
                std::mem::take(&mut *early)
            }
            Err(_) => return,
        };
        for task in early {
            self.start(&engine, task);
        }
    }

    /// Calls in flight.
    pub fn in_flight(&self) -> usize {
        self.running.lock().map(|r| r.len()).unwrap_or(0)
    }

    fn start(&self, engine: &Engine, task: TaskEnvelope) {
        let token = task.token.clone();
        let (engine, running, caller) = (engine.clone(), self.running.clone(), self.caller.clone());
        let mut running_guard = match self.running.lock() {
            Ok(g) => g,
            Err(_) => return,
        };
        // A task handed out again (after a restart) while its first call is still on:
        // one call is enough.
        if running_guard.contains_key(&token) {
            return;
        }
        let key = token.clone();
        let handle = self.runtime.spawn(async move {
            let answer = caller.call(task).await;
            if let Ok(mut r) = running.lock() {
                r.remove(&key);
            }
            if let Some(answer) = answer {
                match answer_task(&engine, &key, answer).await {
                    Ok(()) | Err(TaskError::TaskDoesNotExist | TaskError::ExecutionNotRunning(_)) => {}
                    Err(e) => tracing::warn!("the answer to task {key} was not applied: {e}"),
                }
            }
        });
        running_guard.insert(token, handle.abort_handle());
    }
}

impl<C: Caller> Dispatcher for Calls<C> {
    fn dispatch(&self, task: TaskEnvelope) {
        if let Some(fallback) = self.fallback.get().filter(|_| !self.caller.takes(&task)) {
            if let Ok(mut h) = self.handed_on.lock() {
                h.insert(task.token.clone());
            }
            return fallback.dispatch(task);
        }
        let Ok(mut early) = self.early.lock() else { return };
        match self.engine.get() {
            Some(engine) => {
                drop(early);
                self.start(engine, task);
            }
            None => early.push(task),
        }
    }

    fn withdraw(&self, token: &str, answered: bool) {
        if self.handed_on.lock().is_ok_and(|mut h| h.remove(token)) {
            if let Some(f) = self.fallback.get() {
                f.withdraw(token, answered);
            }
            return;
        }
        let Ok(mut running) = self.running.lock() else { return };
        if let Some(h) = running.remove(token) {
            if !answered {
                h.abort();
            }
        }
    }
}
