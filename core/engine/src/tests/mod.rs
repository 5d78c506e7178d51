//! Engine tests on a real redb file, by theme; the helpers they share are here.

use super::*;

mod catalog;
mod children;
mod executions;
mod limits_and_storage;
mod map_runs;
mod operators;
mod replay;
mod retention;
mod timers;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use stepline_asl::interp::Status;

pub(crate) fn data_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("stepline-engine-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

pub(crate) fn engine(dir: &std::path::Path) -> Engine {
    open(EngineConfig { data_dir: dir.to_path_buf(), ..EngineConfig::default() }).unwrap()
}

/// An engine whose tasks wait in a [`TestQueue`] for `poll_task`.
pub(crate) fn open(config: EngineConfig) -> Result<Engine, EngineError> {
    Engine::open(config, local())
}

/// Routes to a fresh [`TestQueue`].
pub(crate) fn local() -> Routes {
    Routes::local(std::sync::Arc::new(TestQueue::default()))
}

/// The engine's tests' own default dispatcher: tasks in order, taken by `poll_task`.
#[derive(Default)]
pub(crate) struct TestQueue {
    tasks: std::sync::Mutex<Vec<TaskEnvelope>>,
    arrived: std::sync::Condvar,
}

impl Dispatcher for TestQueue {
    fn dispatch(&self, task: TaskEnvelope) {
        self.tasks.lock().unwrap().push(task);
        self.arrived.notify_all();
    }

    fn withdraw(&self, token: &str, _answered: bool) {
        self.tasks.lock().unwrap().retain(|t| t.token != token);
    }
}

impl LocalTasks for TestQueue {
    fn poll(&self, activity: &str, timeout: Duration) -> Option<TaskEnvelope> {
        let deadline = Instant::now() + timeout;
        let mut tasks = self.tasks.lock().unwrap();
        loop {
            if let Some(i) = tasks.iter().position(|t| t.activity == activity) {
                return Some(tasks.remove(i));
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            tasks = self.arrived.wait_timeout(tasks, left).unwrap().0;
        }
    }

    fn depth(&self) -> std::collections::HashMap<String, usize> {
        let mut d = std::collections::HashMap::new();
        for t in self.tasks.lock().unwrap().iter() {
            *d.entry(t.activity.clone()).or_default() += 1;
        }
        d
    }
}

pub(crate) const PASS_MACHINE: &str =
    r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "v1", "End": true}}}"#;

pub(crate) const TASK_MACHINE: &str = r#"{"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work", "ResultPath": "$.out", "End": true}}}"#;

pub(crate) fn wait_for(e: &Engine, arn: &str, status: Status) -> ExecutionRecord {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = e.describe_execution(arn).unwrap();
        if r.status == status || Instant::now() > deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
