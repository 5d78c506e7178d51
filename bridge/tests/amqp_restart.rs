//! A RabbitMQ restart in the middle of a run loses nothing: tasks, results and trigger
//! messages in flight all come through once the broker is back. Its own test binary, as
//! it stops the shared broker (`rabbitmqctl stop_app`), and cargo runs test binaries one
//! at a time.

#[path = "amqp/rig.rs"]
#[allow(dead_code)]
mod rig;

use lapin::BasicProperties;
use rig::{headers, rig, task, unique};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;
use stepline_bridge::amqp::AmqpTrigger;
use stepline_core::interp::Status;

fn rabbitmqctl(what: &str) {
    let out = std::process::Command::new("rabbitmqctl").arg(what).output().expect("rabbitmqctl on the PATH");
    assert!(out.status.success(), "rabbitmqctl {what}: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_run_loses_nothing() {
    let queue = unique("in");
    let trigger = AmqpTrigger { queue: queue.clone(), state_machine: "steps".into() };
    let mut rig = rig("restart", vec![trigger]).await;
    let (a, b) = (unique("a"), unique("b"));
    let machine = rig.machine(
        "steps",
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": task(&a), "ResultPath": "$.a", "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "B"},
            "B": {"Type": "Task", "Resource": task(&b), "ResultPath": "$.b", "End": true}}}),
    );
    rig.python(&a);
    rig.node(&b);
    let n = 150;
    // Half started through the engine, half by trigger messages.
    for i in 0..n / 2 {
        rig.start(&machine, &format!("e{i}"), json!({"i": i})).await;
    }
    for i in n / 2..n {
        let props = BasicProperties::default().with_headers(headers("Stepline-Execution-Name", &format!("e{i}")));
        rig.send(&queue, json!({"i": i}).to_string().as_bytes(), props).await;
    }
    // Stopped while executions wait between their tasks: their second tasks are
    // dispatched while the broker is away.
    tokio::task::spawn_blocking(|| {
        rabbitmqctl("stop_app");
        std::thread::sleep(Duration::from_secs(2));
        rabbitmqctl("start_app");
    })
    .await
    .unwrap();
    let running = {
        let (e, m) = (rig.engine.clone(), machine.clone());
        let all = tokio::task::spawn_blocking(move || e.list_executions(Some(&m), Some(Status::Running), 1000, None));
        all.await.unwrap().unwrap().len()
    };
    assert!(running > 0, "the restart came in the middle of the run");
    let base = machine.replace(":stateMachine:", ":execution:");
    for i in 0..n {
        let r = rig.finished(&format!("{base}:e{i}")).await;
        assert_eq!(r.status, Status::Succeeded, "{r:?}");
        let out = r.output.unwrap();
        assert_eq!((&out["a"]["echo"]["i"], &out["b"]["worker"]), (&json!(i), &json!("node")), "{out}");
    }
    assert!(rig.count(|s| s.reconnects.load(Ordering::Relaxed), 1).await >= 1, "the bridge connected again");
    let (e, m) = (rig.engine.clone(), machine.clone());
    let all = tokio::task::spawn_blocking(move || e.list_executions(Some(&m), None, 1000, None)).await.unwrap();
    assert_eq!(all.unwrap().len(), n, "every execution once, none twice");
}
