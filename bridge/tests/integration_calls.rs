//! The built-in integrations' call runner over a real engine (redb in a temporary
//! directory): tasks handed out before the engine is attached wait for it and run once it
//! is; a call whose execution is stopped is dropped mid-flight; tasks an integration does
//! not take go to the dispatcher it hands on to.

use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stepline_bridge::integrations::calls::{CallFuture, Caller, Calls};
use stepline_core::engine::{Engine, EngineConfig, TaskAnswer, TaskEnvelope};
use stepline_core::interp::Status;

#[derive(Default)]
struct Counts {
    started: AtomicUsize,
    dropped: AtomicUsize,
}

/// Counts a call dropped before it ended.
struct DropFlag(Arc<Counts>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

/// Echoes its input, or hangs when the input says so; takes no task marked `"worker"`.
struct Echo(Arc<Counts>);

impl Caller for Echo {
    fn takes(&self, task: &TaskEnvelope) -> bool {
        task.input.get("worker").is_none()
    }

    fn call(self: Arc<Self>, task: TaskEnvelope) -> CallFuture {
        Box::pin(async move {
            self.0.started.fetch_add(1, Ordering::SeqCst);
            if task.input["hang"] == true {
                let flag = DropFlag(self.0.clone());
                std::future::pending::<()>().await;
                drop(flag);
            }
            Some(TaskAnswer::Success(task.input))
        })
    }
}

fn wait_until(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn status(e: &Engine, arn: &str) -> Status {
    e.describe_execution(arn).unwrap().status
}

#[test]
fn calls_wait_for_the_engine_are_dropped_when_stopped_and_hand_on_what_they_do_not_take() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let counts = Arc::new(Counts::default());
    let calls = Arc::new(Calls::new(Echo(counts.clone()), rt.handle().clone()));
    let routes = stepline_bridge::embedded::routes();
    calls.hand_on_to(routes.dispatcher_of("test:echo"));
    let routes = routes.route("test:echo", calls.clone());
    let dir = std::env::temp_dir().join(format!("stepline-calls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }, routes).unwrap();
    let def = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::test:echo", "End": true}}});
    let sm = engine.create_state_machine("echo", &def.to_string(), "STANDARD", "role").unwrap();

    // Handed out before the engine is attached: it waits, then runs.
    let early = engine.start_execution(&sm.arn, Some("early"), json!({"n": 1})).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!((counts.started.load(Ordering::SeqCst), status(&engine, &early.arn)), (0, Status::Running));
    calls.attach(engine.clone());
    wait_until("the early task's answer", || status(&engine, &early.arn) == Status::Succeeded);
    assert_eq!(engine.describe_execution(&early.arn).unwrap().output.as_deref(), Some(&json!({"n": 1})));

    // Stopped mid-call: the call is dropped, nothing is left in flight.
    let hung = engine.start_execution(&sm.arn, Some("hung"), json!({"hang": true})).unwrap();
    wait_until("the hanging call to start", || calls.in_flight() == 1);
    engine.stop_execution(&hung.arn, None, None).unwrap();
    wait_until("the call to be dropped", || counts.dropped.load(Ordering::SeqCst) == 1 && calls.in_flight() == 0);
    assert_eq!(status(&engine, &hung.arn), Status::Aborted);

    // Not taken: a worker of the activity gets it, as it would without the integration.
    let handed = engine.start_execution(&sm.arn, Some("handed"), json!({"worker": "yes"})).unwrap();
    let task = engine.poll_task("test:echo", Duration::from_secs(5)).expect("the worker's queue has it");
    assert_eq!(task.input, json!({"worker": "yes"}));
    engine.answer_task(&task.token, TaskAnswer::Success(json!({"by": "worker"}))).unwrap();
    wait_until("the worker's answer", || status(&engine, &handed.arn) == Status::Succeeded);
    assert_eq!(counts.started.load(Ordering::SeqCst), 2);
    engine.shutdown();
}
