//! The NATS bridge against a real nats-server with JetStream (127.0.0.1:4222, or
//! `STEPLINE_TEST_NATS`): triggers, Python and Node workers, failures, retries, timeouts,
//! results that must be dropped, the control API and status events. Each test runs under
//! its own subject prefix, so tests share the server without seeing each other.

#[path = "nats/rig.rs"]
#[allow(dead_code)]
mod rig;

use async_nats::HeaderMap;
use futures_util::StreamExt;
use rig::{rig, task, unique, url};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stepline_bridge::nats::{Names, NatsBridge, NatsSettings, Stats, TriggerSettings};
use stepline_core::engine::{Engine, EngineConfig};
use stepline_core::interp::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_start_executions_that_python_and_node_workers_complete() {
    let subject = unique("orders");
    let trigger = TriggerSettings { subject: subject.clone(), state_machine: "two-workers".into() };
    let mut rig = rig("flow", &url(), vec![trigger]).await;
    let (py, js, rs) = (unique("py"), unique("node"), unique("rust"));
    let machine = rig.machine(
        "two-workers",
        json!({"StartAt": "Py", "States": {
            "Py": {"Type": "Task", "Resource": task(&py), "ResultPath": "$.py", "Next": "Node"},
            "Node": {"Type": "Task", "Resource": task(&js), "ResultPath": "$.node", "Next": "Rust"},
            "Rust": {"Type": "Task", "Resource": task(&rs), "ResultPath": "$.rust", "End": true}}}),
    );
    rig.python(&py, &url());
    rig.node(&js, &url());
    rig.rust(&rs, &url());
    let mut headers = HeaderMap::new();
    headers.insert("Stepline-Execution-Name", "order-1");
    let js_ctx = async_nats::jetstream::new(rig.client.clone());
    for _ in 0..2 {
        // The same message twice (a redelivery, a retrying publisher): one execution.
        js_ctx
            .publish_with_headers(subject.clone(), headers.clone(), r#"{"order": 1}"#.into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    js_ctx.publish(subject.clone(), "not json".into()).await.unwrap().await.unwrap();
    let huge = json!({"blob": "x".repeat(300 * 1024)}).to_string();
    js_ctx.publish(subject.clone(), huge.into()).await.unwrap().await.unwrap();
    let arn = machine.replace(":stateMachine:", ":execution:") + ":order-1";
    let done = rig.wait_for(&arn, |r| r.status == Status::Succeeded).await;
    let out = done.output.unwrap();
    assert_eq!(out["py"], json!({"worker": "python", "echo": {"order": 1}}));
    assert_eq!(out["node"]["worker"], "node");
    assert_eq!(out["rust"]["worker"], "rust");
    let deadline = Instant::now() + Duration::from_secs(10);
    while Stats::get(&rig.stats.triggers_rejected) < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(Stats::get(&rig.stats.triggers_rejected), 2, "the messages not JSON or too large are terminated");
    let e = rig.engine.clone();
    let all = tokio::task::spawn_blocking(move || e.list_executions(Some(&machine), None, 10, None)).await.unwrap();
    assert_eq!(all.unwrap().len(), 1, "a repeated trigger with the same name starts one execution");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_failures_are_retried_and_caught_and_silence_times_out() {
    let mut rig = rig("fail", &url(), Vec::new()).await;
    let work = unique("work");
    let machine = rig.machine(
        "failing",
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": task(&work), "HeartbeatSeconds": 2,
                     "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
                     "Catch": [{"ErrorEquals": ["CardDeclined"], "ResultPath": "$.caught", "Next": "Declined"}],
                     "End": true},
            "Declined": {"Type": "Pass", "End": true}}}),
    );
    rig.python(&work, &url());
    let flaky = rig.start(&machine, "flaky", json!({"failAttempts": 1})).await;
    let declined = rig.start(&machine, "declined", json!({"fail": "CardDeclined"})).await;
    let r = rig.finished(&flaky).await;
    assert_eq!(r.status, Status::Succeeded, "{r:?}");
    assert_eq!(r.output.unwrap()["echo"]["failAttempts"], 1);
    let r = rig.finished(&declined).await;
    assert_eq!(r.status, Status::Succeeded);
    assert_eq!(r.output.unwrap()["caught"]["Error"], "CardDeclined");

    // The same from the Node worker: a retried flake, then a caught failure.
    let node_work = unique("nodework");
    let definition = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": task(&node_work),
                 "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
                 "Catch": [{"ErrorEquals": ["CardDeclined"], "ResultPath": "$.caught", "Next": "Declined"}],
                 "End": true},
        "Declined": {"Type": "Pass", "End": true}}});
    let node_machine = rig.machine("failing-node", definition);
    rig.node(&node_work, &url());
    let flaky = rig.start(&node_machine, "flaky", json!({"failAttempts": 1})).await;
    let declined = rig.start(&node_machine, "declined", json!({"fail": "CardDeclined"})).await;
    let r = rig.finished(&flaky).await;
    assert_eq!((r.status, r.output.unwrap()["worker"].clone()), (Status::Succeeded, json!("node")));
    assert_eq!(rig.finished(&declined).await.output.unwrap()["caught"]["Error"], "CardDeclined");

    // No worker for this activity: the heartbeat timeout fails the task.
    let silent = rig.machine(
        "silent",
        json!({"StartAt": "Wait", "States": {
            "Wait": {"Type": "Task", "Resource": task(&unique("nobody")), "HeartbeatSeconds": 1, "End": true}}}),
    );
    let s = rig.start(&silent, "s", json!({})).await;
    let r = rig.finished(&s).await;
    assert_eq!((r.status, r.error.as_deref()), (Status::Failed, Some("States.HeartbeatTimeout")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_for_unknown_tokens_and_malformed_results_are_dropped() {
    let rig = rig("drop", &url(), Vec::new()).await;
    let js = async_nats::jetstream::new(rig.client.clone());
    let subject = format!("{}.results", rig.prefix);
    let bogus = json!({"type": "success", "taskToken": "no-such-token", "output": {}}).to_string();
    js.publish(subject.clone(), bogus.into()).await.unwrap().await.unwrap();
    js.publish(subject.clone(), "{broken".into()).await.unwrap().await.unwrap();
    js.publish(subject, r#"{"type": "done", "taskToken": "x"}"#.into()).await.unwrap().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while (Stats::get(&rig.stats.results_dropped), Stats::get(&rig.stats.results_malformed)) != (1, 2) {
        assert!(Instant::now() < deadline, "dropped {:?}", rig.stats);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(Stats::get(&rig.stats.results_applied), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_api_and_status_events_work_over_nats() {
    let rig = rig("api", &url(), Vec::new()).await;
    let mut events = rig.client.subscribe(format!("{}.events.>", rig.prefix)).await.unwrap();
    let request = |op: &str, body: Value| {
        let (client, subject) = (rig.client.clone(), format!("{}.api.{op}", rig.prefix));
        async move {
            let reply = client.request(subject, body.to_string().into()).await.unwrap();
            serde_json::from_slice::<Value>(&reply.payload).unwrap()
        }
    };
    let created = request(
        "CreateStateMachine",
        json!({"name": "hello", "roleArn": "r", "type": "EXPRESS",
               "definition": json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "hi", "End": true}}}).to_string()}),
    )
    .await;
    let arn = created["stateMachineArn"].as_str().unwrap().to_string();
    let done = request("StartSyncExecution", json!({"stateMachineArn": arn, "name": "one", "input": "{}"})).await;
    assert_eq!((done["status"].as_str(), done["output"].as_str()), (Some("SUCCEEDED"), Some("\"hi\"")));
    let missing = request(
        "DescribeExecution",
        json!({"executionArn": "arn:aws:states:us-east-1:000000000000:execution:hello:nope"}),
    )
    .await;
    assert_eq!(missing["__type"], "ExecutionDoesNotExist");
    let malformed = request("DescribeExecution", json!({"executionArn": "arn:nope"})).await;
    assert_eq!(malformed["__type"], "InvalidArn");
    let bad = rig.client.request(format!("{}.api.ListStateMachines", rig.prefix), "{oops".into()).await.unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&bad.payload).unwrap()["__type"], "SerializationException");
    // Every execution has its RUNNING event, also one that ends where it starts.
    let event = tokio::time::timeout(Duration::from_secs(10), events.next()).await.unwrap().unwrap();
    assert_eq!(event.subject.as_str(), format!("{}.events.hello.RUNNING", rig.prefix));
    let detail: Value = serde_json::from_slice(&event.payload).unwrap();
    assert_eq!((detail["name"].as_str(), detail["output"].as_str()), (Some("one"), None));
    let event = tokio::time::timeout(Duration::from_secs(10), events.next()).await.unwrap().unwrap();
    assert_eq!(event.subject.as_str(), format!("{}.events.hello.SUCCEEDED", rig.prefix));
    let detail: Value = serde_json::from_slice(&event.payload).unwrap();
    assert_eq!((detail["name"].as_str(), detail["output"].as_str()), (Some("one"), Some("\"hi\"")));
}

/// A nats-server of the test's own (JetStream, a store in a temporary folder) that can be
/// killed and started again on the same port and store.
struct OwnServer {
    port: u16,
    store: PathBuf,
    child: Option<Child>,
    extra: Vec<String>,
}

impl OwnServer {
    fn start(port: u16, store: PathBuf) -> OwnServer {
        OwnServer::start_with(port, store, &[])
    }
    fn start_with(port: u16, store: PathBuf, extra: &[&str]) -> OwnServer {
        let mut s = OwnServer { port, store, child: None, extra: extra.iter().map(|a| a.to_string()).collect() };
        s.up();
        s
    }
    fn up(&mut self) {
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &self.port.to_string()])
            .args(&self.extra)
            .arg("-sd")
            .arg(&self.store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server on PATH");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_server_restart_mid_run_loses_nothing() {
    let port = 15000 + (std::process::id() % 2000) as u16;
    let store = std::env::temp_dir().join(format!("stepline-nats-store-{port}"));
    let _ = std::fs::remove_dir_all(&store);
    let mut server = OwnServer::start(port, store);
    let subject = unique("in");
    let trigger = TriggerSettings { subject: subject.clone(), state_machine: "restartable".into() };
    let mut rig = rig("restart", &server.url(), vec![trigger]).await;
    let work = unique("work");
    let machine = rig.machine(
        "restartable",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    rig.python(&work, &server.url());
    let mut arns = Vec::new();
    for i in 0..30 {
        arns.push(rig.start(&machine, &format!("before-{i}"), json!({"i": i})).await);
    }
    let js = async_nats::jetstream::new(rig.client.clone());
    for i in 0..10 {
        let mut h = HeaderMap::new();
        h.insert("Stepline-Execution-Name", format!("trigger-{i}").as_str());
        js.publish_with_headers(subject.clone(), h, json!({"t": i}).to_string().into()).await.unwrap().await.unwrap();
        arns.push(machine.replace(":stateMachine:", ":execution:") + &format!(":trigger-{i}"));
    }
    server.kill();
    // Executions started while the server is away: their tasks wait in the engine.
    for i in 0..10 {
        arns.push(rig.start(&machine, &format!("during-{i}"), json!({"i": i})).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    tokio::task::block_in_place(|| server.up());
    for arn in &arns {
        let r = rig.wait_for(arn, |r| r.status != Status::Running).await;
        assert_eq!(r.status, Status::Succeeded, "{arn}: {r:?}");
        let e = rig.engine.clone();
        let a = arn.clone();
        let history = tokio::task::spawn_blocking(move || e.history(&a, 0, 100, false)).await.unwrap().unwrap();
        let answered = history.iter().filter(|e| e["type"] == "ActivitySucceeded").count();
        assert_eq!(answered, 1, "{arn} answered once");
    }
    assert_eq!(arns.len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_publish_tasks_publish_and_wait_for_their_callback() {
    let rig = rig("publish", &url(), Vec::new()).await;
    let (done, approvals) = (unique("done"), unique("approvals"));
    let mut told = rig.client.subscribe(done.clone()).await.unwrap();
    let mut asked = rig.client.subscribe(approvals.clone()).await.unwrap();
    rig.client.flush().await.unwrap();
    let machine = rig.machine(
        "publisher",
        json!({"StartAt": "Tell", "States": {
            "Tell": {"Type": "Task", "Resource": "arn:aws:states:::nats:publish",
                     "Parameters": {"Subject": done, "Message.$": "$"}, "ResultPath": "$.told", "Next": "Ask"},
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::nats:publish.waitForTaskToken",
                    "Parameters": {"Subject": approvals, "Message": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
                    "ResultPath": "$.approval", "End": true}}}),
    );
    let arn = rig.start(&machine, "p1", json!({"order": 7})).await;
    let m = tokio::time::timeout(Duration::from_secs(10), told.next()).await.unwrap().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&m.payload).unwrap(), json!({"order": 7}));
    let m = tokio::time::timeout(Duration::from_secs(10), asked.next()).await.unwrap().unwrap();
    let ask: Value = serde_json::from_slice(&m.payload).unwrap();
    assert_eq!(ask["order"], 7);
    // The callback, as any service holding the token would send it.
    let answer = json!({"type": "success", "taskToken": ask["token"], "output": {"approved": true}});
    let js = async_nats::jetstream::new(rig.client.clone());
    js.publish(format!("{}.results", rig.prefix), answer.to_string().into()).await.unwrap().await.unwrap();
    let r = rig.finished(&arn).await;
    assert_eq!(r.status, Status::Succeeded, "{r:?}");
    let out = r.output.unwrap();
    assert_eq!((out["told"].clone(), out["approval"].clone()), (json!({"Subject": done}), json!({"approved": true})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_over_nats_keep_a_long_task_alive() {
    let rig = rig("beat", &url(), Vec::new()).await;
    let work = unique("slow");
    let machine = rig.machine(
        "slow",
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": task(&work), "HeartbeatSeconds": 1, "End": true}}}),
    );
    let arn = rig.start(&machine, "beating", json!({})).await;
    // A worker that takes 2.5 s, sending a heartbeat every 400 ms.
    let js = async_nats::jetstream::new(rig.client.clone());
    let stream = Names { prefix: rig.prefix.clone() }.tasks_stream();
    let consumer = loop {
        let s = js.get_stream(&stream).await.unwrap();
        if let Ok(c) = s.get_consumer::<async_nats::jetstream::consumer::pull::Config>(&work).await {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let msg = consumer.messages().await.unwrap().next().await.unwrap().unwrap();
    let token = serde_json::from_slice::<Value>(&msg.payload).unwrap()["taskToken"].clone();
    let results = format!("{}.results", rig.prefix);
    for _ in 0..6 {
        let beat = json!({"type": "heartbeat", "taskToken": token});
        js.publish(results.clone(), beat.to_string().into()).await.unwrap().await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let done = json!({"type": "success", "taskToken": token, "output": "late but alive"});
    js.publish(results, done.to_string().into()).await.unwrap().await.unwrap();
    msg.ack().await.unwrap();
    let r = rig.finished(&arn).await;
    assert_eq!((r.status, r.output.as_deref()), (Status::Succeeded, Some(&json!("late but alive"))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_used_and_a_refusal_is_a_clear_error() {
    let port = 17000 + (std::process::id() % 2000) as u16;
    let store = std::env::temp_dir().join(format!("stepline-nats-auth-{port}"));
    let _ = std::fs::remove_dir_all(&store);
    let server = OwnServer::start_with(port, store, &["--user", "engine", "--pass", "s3cret"]);
    let mut settings = NatsSettings::with_url(&server.url());
    settings.bus.prefix = unique("auth");
    settings.user = Some("engine".into());
    settings.password = Some("wrong".into());
    let refused = match NatsBridge::connect(settings.clone()).await {
        Ok(_) => panic!("a wrong password must not connect"),
        Err(e) => e.to_string(),
    };
    assert!(refused.contains(&server.url()) && refused.to_lowercase().contains("author"), "{refused}");
    settings.password = Some("s3cret".into());
    let bridge = NatsBridge::connect(settings).await.expect("the right password connects");
    assert!(bridge.js.get_stream(bridge.names.tasks_stream()).await.is_ok());
    let down = NatsSettings::with_url("nats://127.0.0.1:1");
    let e = NatsBridge::connect(down).await.err().expect("nothing listens on port 1").to_string();
    assert!(e.contains("cannot connect to NATS at nats://127.0.0.1:1"), "{e}");
}

#[test]
fn nats_publish_without_nats_fails_with_a_reason() {
    let dir = std::env::temp_dir().join(format!("stepline-nats-none-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let none = Arc::new(stepline_bridge::not_configured::NotConfigured::nats());
    let n = none.clone();
    let config = EngineConfig { data_dir: dir, ..EngineConfig::default() };
    let engine =
        Engine::open(config, stepline_bridge::embedded::routes().route(stepline_bridge::nats::NATS_PUBLISH, n))
            .unwrap();
    none.attach(engine.clone());
    let definition = json!({"StartAt": "Tell", "States": {"Tell": {"Type": "Task",
        "Resource": "arn:aws:states:::nats:publish", "Parameters": {"Subject": "x", "Message": "hi"}, "End": true}}});
    let sm = engine.create_state_machine("tell", &definition.to_string(), "STANDARD", "role").unwrap();
    let ex = engine.start_execution(&sm.arn, Some("t"), json!({})).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let r = loop {
        let r = engine.describe_execution(&ex.arn).unwrap();
        if r.status != Status::Running || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!((r.status, r.error.as_deref()), (Status::Failed, Some("NATS.NotConfigured")));
    assert!(r.cause.unwrap().contains("--nats"));
    engine.shutdown();
}
