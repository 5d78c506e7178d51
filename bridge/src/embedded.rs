//! The embedded bus: in-process task queues, one per activity, the default dispatcher of
//! an engine with no other bus. Command workers and `GetActivityTask` pollers take tasks
//! from here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use stepline_core::engine::{Dispatcher, Engine, EngineConfig, EngineError, LocalTasks, Routes, TaskEnvelope};

#[derive(Default)]
pub struct TaskQueues {
    inner: Mutex<Inner>,
    ready: Condvar,
}

#[derive(Default)]
struct Inner {
    queues: HashMap<String, VecDeque<TaskEnvelope>>,
    /// Tokens in some queue now.
    queued: HashSet<String>,
    /// Tokens still in a queue that nobody wants any more: skipped when reached, so a
    /// withdrawal costs nothing however long the queue.
    withdrawn: HashSet<String>,
}

impl TaskQueues {
    pub fn push(&self, task: TaskEnvelope) {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.withdrawn.remove(&task.token);
        q.queued.insert(task.token.clone());
        q.queues.entry(task.activity.clone()).or_default().push_back(task);
        self.ready.notify_all();
    }

    /// Drops a queued task nobody took yet (its execution no longer wants it).
    pub fn remove(&self, token: &str) {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if q.queued.remove(token) {
            q.withdrawn.insert(token.to_string());
        }
    }

    /// Takes the oldest task of `activity`, waiting up to `timeout` for one.
    pub fn poll(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope> {
        let deadline = Instant::now() + timeout;
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            while let Some(t) = q.queues.get_mut(activity).and_then(VecDeque::pop_front) {
                if q.withdrawn.remove(&t.token) {
                    continue;
                }
                q.queued.remove(&t.token);
                return Some(t);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            q = self.ready.wait_timeout(q, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Tasks waiting for a worker, per activity.
    pub fn depth(&self) -> HashMap<String, usize> {
        let q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.queues
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().filter(|t| !q.withdrawn.contains(&t.token)).count()))
            .collect()
    }
}

impl Dispatcher for TaskQueues {
    fn dispatch(&self, task: TaskEnvelope) {
        self.push(task)
    }

    fn withdraw(&self, token: &str, _answered: bool) {
        self.remove(token)
    }
}

impl LocalTasks for TaskQueues {
    fn poll(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope> {
        TaskQueues::poll(self, activity, timeout)
    }

    fn depth(&self) -> HashMap<String, usize> {
        TaskQueues::depth(self)
    }
}

/// Routes with the in-process queues as the default dispatcher; add bus routes to them.
pub fn routes() -> Routes {
    Routes::local(Arc::new(TaskQueues::default()))
}

/// Opens an engine whose every task goes to the in-process queues.
pub fn open(config: EngineConfig) -> Result<Engine, EngineError> {
    Engine::open(config, routes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn task(token: &str, activity: &str) -> TaskEnvelope {
        TaskEnvelope {
            resource: String::new(),
            token: token.into(),
            activity: activity.into(),
            input: Value::Null,
            execution_arn: "arn".into(),
            execution_name: "e".into(),
            state_machine_arn: "sm".into(),
            state_name: "S".into(),
            entered_time: 0,
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
            wait_for_token: false,
        }
    }

    #[test]
    fn withdrawn_tasks_are_skipped_and_a_task_handed_out_again_is_not() {
        let q = TaskQueues::default();
        q.push(task("a", "work"));
        q.push(task("b", "work"));
        q.remove("a");
        q.remove("never-queued");
        assert_eq!(q.depth()["work"], 1);
        assert_eq!(q.poll("work", Duration::ZERO).map(|t| t.token), Some("b".into()));
        // After a restart the same token is queued again: it must be delivered.
        q.push(task("a", "work"));
        assert_eq!(q.poll("work", Duration::ZERO).map(|t| t.token), Some("a".into()));
        assert!(q.poll("work", Duration::from_millis(10)).is_none());
    }
}
