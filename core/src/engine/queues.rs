//! In-process task queues, one per activity: the embedded default's "bus". Workers (the
//! command workers, `GetActivityTask` pollers) take tasks from here.

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// A task as a worker receives it (the worker protocol's request).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskEnvelope {
    pub token: String,
    pub activity: String,
    pub input: Value,
    pub execution_arn: String,
    pub state_name: String,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub retry_count: u32,
}

#[derive(Default)]
pub struct TaskQueues {
    queues: Mutex<HashMap<String, VecDeque<TaskEnvelope>>>,
    ready: Condvar,
}

impl TaskQueues {
    pub fn push(&self, task: TaskEnvelope) {
        let mut q = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        q.entry(task.activity.clone()).or_default().push_back(task);
        self.ready.notify_all();
    }

    /// Drops a queued task nobody took yet (its execution no longer wants it).
    pub fn remove(&self, token: &str) {
        let mut q = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        for tasks in q.values_mut() {
            tasks.retain(|t| t.token != token);
        }
    }

    /// Takes the oldest task of `activity`, waiting up to `timeout` for one.
    pub fn poll(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope> {
        let deadline = Instant::now() + timeout;
        let mut q = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(t) = q.get_mut(activity).and_then(VecDeque::pop_front) {
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
        let q = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().map(|(k, v)| (k.clone(), v.len())).collect()
    }
}
