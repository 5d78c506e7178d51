//! The AMQP bridge against a real RabbitMQ: triggers (idempotent, bad messages
//! dead-lettered with their reason), Python and Node workers, Retry and Catch on worker
//! failures, heartbeat timeouts, request/response replies, results that must be dropped,
//! `amqp:publish` and status events.

#[path = "amqp/rig.rs"]
#[allow(dead_code)]
mod rig;

use lapin::BasicProperties;
use rig::{header, headers, rig, task, unique};
use serde_json::{json, Value};
use stepline_bridge::amqp::AmqpTrigger;
use stepline_core::interp::Status;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_start_executions_that_python_and_node_workers_complete() {
    let queue = unique("orders");
    let trigger = AmqpTrigger { queue: queue.clone(), state_machine: "two-workers".into() };
    let mut rig = rig("flow", vec![trigger]).await;
    let (py, js) = (unique("py"), unique("node"));
    let machine = rig.machine(
        "two-workers",
        json!({"StartAt": "Py", "States": {
            "Py": {"Type": "Task", "Resource": task(&py), "ResultPath": "$.py", "Next": "Node"},
            "Node": {"Type": "Task", "Resource": task(&js), "ResultPath": "$.node", "End": true}}}),
    );
    let events = rig.bound_queue(&rig.names.events_exchange(), "two-workers.SUCCEEDED").await;
    rig.python(&py);
    rig.node(&js);
    // The trigger queue exists once the bridge has set its triggers up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while rig.stats.triggers_started.load(std::sync::atomic::Ordering::Relaxed) == 0 {
        let probe = rig.conn.create_channel().await.unwrap();
        let passive = lapin::options::QueueDeclareOptions { passive: true, ..Default::default() };
        if probe.queue_declare(queue.as_str().into(), passive, Default::default()).await.is_ok() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the trigger queue was never declared");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The same message twice (a redelivery, a retrying publisher): one execution. The
    // header names it; so does message_id.
    for _ in 0..2 {
        let props = BasicProperties::default().with_headers(headers("Stepline-Execution-Name", "order-1"));
        rig.send(&queue, br#"{"order": 1}"#, props).await;
        rig.send(&queue, br#"{"order": 2}"#, BasicProperties::default().with_message_id("order-2".into())).await;
    }
    rig.send(&queue, b"not json", BasicProperties::default()).await;
    let huge = json!({"blob": "x".repeat(300 * 1024)}).to_string();
    rig.send(&queue, huge.as_bytes(), BasicProperties::default()).await;
    let arn = machine.replace(":stateMachine:", ":execution:") + ":order-1";
    let done = rig.wait_for(&arn, |r| r.status == Status::Succeeded).await;
    let out = done.output.unwrap();
    assert_eq!(out["py"], json!({"worker": "python", "echo": {"order": 1}}));
    assert_eq!((&out["node"]["worker"], &out["node"]["echo"]["order"]), (&json!("node"), &json!(1)));
    let second = machine.replace(":stateMachine:", ":execution:") + ":order-2";
    rig.wait_for(&second, |r| r.status == Status::Succeeded).await;

    // Both bad messages are in the dead-letter queue, each with its reason.
    let mut reasons = Vec::new();
    for _ in 0..2 {
        let d = rig.next(&rig.names.dead_letter()).await;
        assert_eq!(header(&d, "Stepline-Source-Queue").as_deref(), Some(queue.as_str()));
        reasons.push(header(&d, "Stepline-Reject-Reason").unwrap());
    }
    assert!(reasons.iter().any(|r| r.contains("not JSON")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("larger than 262144 bytes")), "{reasons:?}");

    let e = rig.engine.clone();
    let m = machine.clone();
    let all = tokio::task::spawn_blocking(move || e.list_executions(Some(&m), None, 10, None)).await.unwrap();
    assert_eq!(all.unwrap().len(), 2, "a repeated trigger with the same name starts one execution");

    // Status events: one SUCCEEDED per execution on `<machine>.SUCCEEDED`.
    let event: Value = serde_json::from_slice(&rig.next(&events).await.data).unwrap();
    assert_eq!(event["status"], "SUCCEEDED");
    assert_eq!(event["stateMachineArn"], machine);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_failures_are_retried_and_caught_and_silence_times_out() {
    let mut rig = rig("fail", Vec::new()).await;
    let (work, silent) = (unique("work"), unique("silent"));
    let machine = rig.machine(
        "failing",
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": task(&work),
                     "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
                     "Catch": [{"ErrorEquals": ["CardDeclined"], "ResultPath": "$.caught", "Next": "Declined"}],
                     "End": true},
            "Declined": {"Type": "Pass", "End": true}}}),
    );
    let quiet = rig.machine(
        "quiet",
        json!({"StartAt": "Wait", "States": {
            "Wait": {"Type": "Task", "Resource": task(&silent), "HeartbeatSeconds": 1, "End": true}}}),
    );
    rig.queues.push(rig.names.task_queue(&silent));
    rig.python(&work);
    let retried = rig.start(&machine, "retried", json!({"failAttempts": 1})).await;
    let caught = rig.start(&machine, "caught", json!({"fail": "CardDeclined"})).await;
    let timed_out = rig.start(&quiet, "silent", json!({})).await;

    let r = rig.finished(&retried).await;
    assert_eq!(r.status, Status::Succeeded, "{r:?}");
    assert_eq!(r.output.unwrap()["echo"], json!({"failAttempts": 1}));
    let r = rig.finished(&caught).await;
    assert_eq!(r.status, Status::Succeeded, "{r:?}");
    assert_eq!(r.output.unwrap()["caught"]["Error"], "CardDeclined");
    let r = rig.finished(&timed_out).await;
    assert_eq!((r.status, r.error.as_deref()), (Status::Failed, Some("States.HeartbeatTimeout")), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_response_replies_are_applied_and_bad_results_are_not() {
    let mut rig = rig("rpc", Vec::new()).await;
    let work = unique("rpc");
    let machine = rig.machine(
        "rpc",
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": task(&work), "TimeoutSeconds": 60,
                     "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.caught", "Next": "No"}], "End": true},
            "No": {"Type": "Pass", "End": true}}}),
    );
    rig.queues.push(rig.names.task_queue(&work));
    let ok = rig.start(&machine, "ok", json!({"n": 1})).await;
    let no = rig.start(&machine, "no", json!({"n": 2})).await;
    // A request/response worker: the reply goes to reply_to with the task's correlation_id,
    // the body is the output, and a Stepline-Error header makes it a failure.
    for _ in 0..2 {
        let d = rig.next(&rig.names.task_queue(&work)).await;
        let task: Value = serde_json::from_slice(&d.data).unwrap();
        let reply_to = d.properties.reply_to().as_ref().unwrap().as_str().to_string();
        let correlation = d.properties.correlation_id().clone().unwrap();
        assert_eq!(correlation.as_str(), task["taskToken"]);
        assert_eq!(d.properties.expiration().as_ref().map(|e| e.as_str()), Some("60000"));
        let mut props = BasicProperties::default().with_correlation_id(correlation);
        if task["input"]["n"] == 2 {
            props = props.with_headers(headers("Stepline-Error", "Declined"));
        }
        rig.send(&reply_to, json!({"total": task["input"]["n"]}).to_string().as_bytes(), props).await;
    }
    let r = rig.finished(&ok).await;
    assert_eq!((r.status, r.output.unwrap().as_ref()), (Status::Succeeded, &json!({"total": 1})));
    let r = rig.finished(&no).await;
    assert_eq!(r.status, Status::Succeeded);
    assert_eq!(r.output.unwrap()["caught"]["Error"], "Declined");

    // A result for a token nobody issued is dropped; one that is not a result at all is
    // dead-lettered with its reason.
    let results = rig.names.results_queue();
    let unknown = json!({"type": "success", "taskToken": "no-such-token", "output": {}}).to_string();
    rig.send(&results, unknown.as_bytes(), BasicProperties::default()).await;
    rig.send(&results, b"{\"type\": \"success\"}", BasicProperties::default()).await;
    assert_eq!(rig.count(|s| s.results_dropped.load(std::sync::atomic::Ordering::Relaxed), 1).await, 1);
    let d = rig.next(&rig.names.dead_letter()).await;
    assert!(header(&d, "Stepline-Reject-Reason").unwrap().contains("taskToken"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amqp_publish_tasks_publish_and_wait_for_their_callback() {
    let mut rig = rig("publish", Vec::new()).await;
    let exchange = unique("ex");
    let declare = lapin::options::ExchangeDeclareOptions { durable: true, ..Default::default() };
    rig.ch
        .exchange_declare(exchange.as_str().into(), lapin::ExchangeKind::Direct, declare, Default::default())
        .await
        .unwrap();
    rig.exchanges.push(exchange.clone());
    let inbox = rig.bound_queue(&exchange, "ask").await;
    let told = rig.bound_queue(&exchange, "tell").await;
    let machine = rig.machine(
        "publisher",
        json!({"StartAt": "Tell", "States": {
            "Tell": {"Type": "Task", "Resource": "arn:aws:states:::amqp:publish",
                     "Parameters": {"Exchange": exchange, "RoutingKey": "tell", "Message.$": "$", "Headers": {"kind": "note"}},
                     "ResultPath": "$.told", "Next": "Ask"},
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::amqp:publish.waitForTaskToken",
                    "Parameters": {"Exchange": exchange, "RoutingKey": "ask", "Message": {"token.$": "$$.Task.Token"}},
                    "ResultPath": "$.answer", "Next": "Lost"},
            "Lost": {"Type": "Task", "Resource": "arn:aws:states:::amqp:publish",
                     "Parameters": {"Exchange": exchange, "RoutingKey": "nobody", "Message": "x"},
                     "Catch": [{"ErrorEquals": ["AMQP.Unroutable"], "ResultPath": "$.lost", "Next": "Done"}], "End": true},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    let arn = rig.start(&machine, "p1", json!({"hello": "world"})).await;
    let note = rig.next(&told).await;
    assert_eq!(serde_json::from_slice::<Value>(&note.data).unwrap(), json!({"hello": "world"}));
    assert_eq!(header(&note, "kind").as_deref(), Some("note"));
    let ask: Value = serde_json::from_slice(&rig.next(&inbox).await.data).unwrap();
    let answer = json!({"type": "success", "taskToken": ask["token"], "output": {"ok": true}}).to_string();
    rig.send(&rig.names.results_queue(), answer.as_bytes(), BasicProperties::default()).await;
    let r = rig.finished(&arn).await;
    assert_eq!(r.status, Status::Succeeded, "{r:?}");
    let out = r.output.unwrap();
    assert_eq!(out["told"], json!({"Exchange": exchange, "RoutingKey": "tell"}));
    assert_eq!(out["answer"], json!({"ok": true}));
    assert_eq!(out["lost"]["Error"], "AMQP.Unroutable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_login_or_an_absent_broker_is_a_clear_error_without_the_password() {
    use stepline_bridge::amqp::{AmqpBridge, AmqpSettings};
    let wrong = AmqpSettings::with_uri("amqp://guest:not-the-password@127.0.0.1:5672/%2f");
    let e = AmqpBridge::connect(wrong).await.err().expect("a wrong password is refused").to_string();
    assert!(e.contains("ACCESS_REFUSED") && e.contains("127.0.0.1:5672"), "{e}");
    assert!(!e.contains("not-the-password"), "the password stays out of the message: {e}");
    let absent = AmqpSettings::with_uri("amqp://127.0.0.1:1/%2f");
    let e = AmqpBridge::connect(absent).await.err().expect("nothing listens there").to_string();
    assert!(e.contains("127.0.0.1:1") && e.contains("refused"), "{e}");
}
