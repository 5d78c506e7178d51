//! Against a real RabbitMQ: a settled task (its execution stopped, the task timed out, or
//! it was answered through the API) is taken out of its queue, so a worker that connects
//! later never runs it, while a task still wanted waits for it; a restarted engine leaves
//! one copy of each task; and one engine per vhost and prefix: a second one refuses to
//! start naming the holder, one on another prefix runs, and the prefix is free again at
//! once after a clean stop or when its holder is killed.

#[path = "amqp/rig.rs"]
#[allow(dead_code)]
mod rig;

use lapin::options::{
    BasicAckOptions, BasicGetOptions, ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use rig::{rig, rig_at, task, unique, uri};
use serde_json::json;
use std::time::{Duration, Instant};
use stepline_bridge::amqp::{AmqpBridge, AmqpError, AmqpSettings, Names};
use stepline_bridge::holder::Holder;
use stepline_core::interp::Status;

/// Ready messages in `queue` (none while it is not declared yet).
async fn ready(rig: &rig::Rig, queue: &str) -> u32 {
    let ch = rig.conn.create_channel().await.unwrap();
    let passive = QueueDeclareOptions { passive: true, ..Default::default() };
    match ch.queue_declare(queue.into(), passive, Default::default()).await {
        Ok(q) => {
            let _ = ch.close(200, "counted".into()).await;
            q.message_count()
        }
        Err(_) => 0,
    }
}

/// Waits (15 s at most) until `queue` holds `n` ready messages, and returns how many.
async fn until_ready(rig: &rig::Rig, queue: &str, n: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = ready(rig, queue).await;
        if now == n || Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn token_of(rig: &rig::Rig, arn: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let e = rig.engine.clone();
        let board = tokio::task::spawn_blocking(move || e.pending_tasks()).await.unwrap().unwrap();
        if let Some(t) = board.tasks.iter().find(|t| t.execution_arn == arn) {
            return t.token.clone();
        }
        assert!(Instant::now() < deadline, "no task for {arn}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_timed_out_or_api_answered_task_is_not_given_to_a_worker_that_connects_later() {
    let mut rig = rig("settle", Vec::new()).await;
    let work = unique("work");
    let queue = rig.names.task_queue(&work);
    rig.queues.push(queue.clone());
    let machine = rig.machine(
        "settle",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let hurried = rig.machine(
        "hurried",
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": task(&work), "TimeoutSeconds": 1, "End": true}}}),
    );
    let stopped = rig.start(&machine, "stopped", json!({})).await;
    let answered = rig.start(&machine, "answered", json!({})).await;
    let wanted = rig.start(&machine, "wanted", json!({})).await;
    let timed_out = rig.start(&hurried, "timed-out", json!({})).await;
    assert_eq!(rig.count(|s| s.tasks_published.load(std::sync::atomic::Ordering::Relaxed), 4).await, 4);
    let (answered_token, wanted_token) = (token_of(&rig, &answered).await, token_of(&rig, &wanted).await);

    // No worker is connected: one execution is stopped, one task answered through the API,
    // one times out.
    let e = rig.engine.clone();
    let (s, t) = (stopped.clone(), answered_token.clone());
    tokio::task::spawn_blocking(move || {
        e.stop_execution(&s, Some("Operator"), Some("not wanted")).unwrap();
        let body = json!({"taskToken": t, "output": "{\"by\": \"api\"}"});
        stepline_bridge::api::handle(&e, "SendTaskSuccess", &body).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(rig.finished(&stopped).await.status, Status::Aborted);
    assert_eq!(rig.finished(&answered).await.status, Status::Succeeded);
    let r = rig.finished(&timed_out).await;
    assert_eq!((r.status, r.error.as_deref()), (Status::Failed, Some("States.Timeout")), "{r:?}");
    assert_eq!(until_ready(&rig, &queue, 1).await, 1, "the settled tasks left the queue");

    // A worker that connects now gets the wanted task only.
    let ch = rig.conn.create_channel().await.unwrap();
    let got = ch.basic_get(queue.as_str().into(), BasicGetOptions::default()).await.unwrap().expect("a task");
    let token = got.delivery.properties.message_id().as_ref().map(|m| m.to_string());
    assert_eq!(token.as_deref(), Some(wanted_token.as_str()), "only the task still wanted is delivered");
    let body: serde_json::Value = serde_json::from_slice(&got.delivery.data).unwrap();
    assert_eq!(body["taskToken"], json!(wanted_token));
    assert!(ch.basic_get(queue.as_str().into(), BasicGetOptions::default()).await.unwrap().is_none());
    got.delivery.ack(BasicAckOptions::default()).await.unwrap();
    let done = json!({"type": "success", "taskToken": wanted_token, "output": {"by": "worker"}});
    rig.send(&rig.names.results_queue(), done.to_string().as_bytes(), BasicProperties::default()).await;
    let r = rig.finished(&wanted).await;
    assert_eq!((r.status, r.output.as_deref()), (Status::Succeeded, Some(&json!({"by": "worker"}))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_engine_leaves_one_copy_of_a_task_and_withdraws_it() {
    let mut first = rig("again", Vec::new()).await;
    let work = unique("work");
    let queue = first.names.task_queue(&work);
    let machine = first.machine(
        "again",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let arn = first.start(&machine, "e", json!({})).await;
    assert_eq!(until_ready(&first, &queue, 1).await, 1);
    let (prefix, dir) = (first.names.prefix.clone(), first.dir.clone());
    first.keep = true;
    drop(first);

    // The same store and prefix: the engine hands the task out again, in one copy.
    let mut second = rig_at(&prefix, &dir, Vec::new()).await;
    second.queues.push(queue.clone());
    assert_eq!(second.count(|s| s.tasks_published.load(std::sync::atomic::Ordering::Relaxed), 1).await, 1);
    assert_eq!(ready(&second, &queue).await, 1, "one copy of the task, not the old one too");
    let e = second.engine.clone();
    let a = arn.clone();
    tokio::task::spawn_blocking(move || e.stop_execution(&a, None, None).unwrap()).await.unwrap();
    assert_eq!(until_ready(&second, &queue, 0).await, 0, "the stopped execution's task left the queue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_task_waiting_behind_a_busy_worker_is_taken_out() {
    let mut rig = rig("busy", Vec::new()).await;
    let work = unique("work");
    let queue = rig.names.task_queue(&work);
    rig.queues.push(queue.clone());
    let machine = rig.machine(
        "busy",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let first = rig.start(&machine, "first", json!({})).await;
    assert_eq!(until_ready(&rig, &queue, 1).await, 1);
    // A worker that takes one task at a time, busy with the first.
    let ch = rig.conn.create_channel().await.unwrap();
    ch.basic_qos(1, Default::default()).await.unwrap();
    let mut worker =
        ch.basic_consume(queue.as_str().into(), "".into(), Default::default(), Default::default()).await.unwrap();
    let busy = tokio::time::timeout(Duration::from_secs(10), futures_util::StreamExt::next(&mut worker))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(busy.properties.message_id().as_ref().map(|m| m.to_string()), Some(token_of(&rig, &first).await));
    let stopped = rig.start(&machine, "stopped", json!({})).await;
    let wanted = rig.start(&machine, "wanted", json!({})).await;
    assert_eq!(until_ready(&rig, &queue, 2).await, 2, "two tasks wait behind the busy worker");
    let e = rig.engine.clone();
    let s = stopped.clone();
    tokio::task::spawn_blocking(move || e.stop_execution(&s, None, None).unwrap()).await.unwrap();
    assert_eq!(until_ready(&rig, &queue, 1).await, 1, "the stopped execution's task left the queue");
    // Done with the first: the worker's next task is the wanted one.
    busy.ack(BasicAckOptions::default()).await.unwrap();
    let next = tokio::time::timeout(Duration::from_secs(10), futures_util::StreamExt::next(&mut worker))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(next.properties.message_id().as_ref().map(|m| m.to_string()), Some(token_of(&rig, &wanted).await));
    next.ack(BasicAckOptions::default()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_a_worker_held_through_a_restart_leaves_no_second_copy_once_answered() {
    let mut first = rig("twin", Vec::new()).await;
    let work = unique("work");
    let queue = first.names.task_queue(&work);
    let machine = first.machine(
        "twin",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let arn = first.start(&machine, "e", json!({})).await;
    assert_eq!(until_ready(&first, &queue, 1).await, 1);
    // A worker of its own connection takes the task and is still busy with it when the
    // engine restarts.
    let conn = Connection::connect(&uri(), ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    let held = ch.basic_get(queue.as_str().into(), BasicGetOptions::default()).await.unwrap().expect("the task");
    let token = held.delivery.properties.message_id().as_ref().map(|m| m.to_string()).unwrap();
    let (prefix, dir) = (first.names.prefix.clone(), first.dir.clone());
    first.keep = true;
    drop(first);
    let mut second = rig_at(&prefix, &dir, Vec::new()).await;
    second.queues.push(queue.clone());
    assert_eq!(until_ready(&second, &queue, 1).await, 1, "handed out again while the worker holds the first copy");

    // The worker answers on the results queue and acks its copy: the second copy goes too.
    let done = json!({"type": "success", "taskToken": token, "output": "once"});
    second.send(&second.names.results_queue(), done.to_string().as_bytes(), BasicProperties::default()).await;
    held.delivery.ack(BasicAckOptions::default()).await.unwrap();
    assert_eq!(second.finished(&arn).await.status, Status::Succeeded);
    assert_eq!(until_ready(&second, &queue, 0).await, 0, "no copy is left for another worker to run again");
    let _ = conn.close(200, "done".into()).await;
}

/// Closes, from the broker's side, the connection whose client-provided name holds `name`.
fn close_connection(name: &str) {
    let out = std::process::Command::new("rabbitmqctl")
        .args(["-q", "list_connections", "--no-table-headers", "pid", "client_properties"])
        .output()
        .expect("rabbitmqctl on the PATH");
    let text = String::from_utf8_lossy(&out.stdout);
    let pid = text
        .lines()
        .find(|l| l.contains(name))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no connection named ...{name} in:\n{text}"));
    let closed = std::process::Command::new("rabbitmqctl").args(["close_connection", pid, "test"]).output().unwrap();
    assert!(closed.status.success(), "{}", String::from_utf8_lossy(&closed.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_whose_connection_was_closed_holds_its_prefix_again() {
    let mut rig = rig("reconnect", Vec::new()).await;
    let work = unique("work");
    let machine = rig.machine(
        "reconnect",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let prefix = rig.names.prefix.clone();
    tokio::task::spawn_blocking({
        let suffix = format!(", prefix {prefix}");
        move || close_connection(&suffix)
    })
    .await
    .unwrap();
    assert!(rig.count(|s| s.reconnects.load(std::sync::atomic::Ordering::Relaxed), 1).await >= 1, "connected again");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match AmqpBridge::connect(settings(&prefix)).await {
            Err(AmqpError::PrefixHeld { .. }) => break,
            Err(e) => panic!("refused for another reason: {e}"),
            // Between the close and the reconnection the prefix is free: give it back.
            Ok(b) => b.claim().release().await,
        }
        assert!(Instant::now() < deadline, "the engine never took its prefix again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    rig.python(&work);
    let arn = rig.start(&machine, "after", json!({"n": 1})).await;
    assert_eq!(rig.finished(&arn).await.status, Status::Succeeded);
}

fn settings(prefix: &str) -> AmqpSettings {
    let mut s = AmqpSettings::with_uri(&uri());
    s.bus.prefix = prefix.to_string();
    s
}

/// Deletes what an engine on `prefix` declared.
async fn clean(prefix: &str) {
    let n = Names { prefix: prefix.into() };
    let conn = Connection::connect(&uri(), ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    for q in [n.results_queue(), n.dead_letter(), n.holder_queue()] {
        let _ = ch.queue_delete(q.as_str().into(), QueueDeleteOptions::default()).await;
    }
    for x in [n.tasks_exchange(), n.events_exchange(), n.dead_letter()] {
        let _ = ch.exchange_delete(x.as_str().into(), ExchangeDeleteOptions::default()).await;
    }
    let _ = conn.close(200, "done".into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_on_a_held_prefix_refuses_naming_the_holder() {
    let (prefix, free) = (unique("held"), unique("free"));
    let dir = std::env::temp_dir().join(format!("stepline-amqp-{prefix}"));
    let holder = AmqpBridge::connect_as(settings(&prefix), Holder::this_process(Some(&dir))).await.unwrap();
    let refusal = match AmqpBridge::connect(settings(&prefix)).await {
        Err(e @ AmqpError::PrefixHeld { .. }) => e.to_string(),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a second engine started on a held prefix"),
    };
    let me = Holder::this_process(None);
    for part in [
        format!("the AMQP prefix '{prefix}' on vhost '/' is held by the Stepline engine on {}", me.host),
        format!("(pid {}, data {})", me.pid, dir.display()),
        "another prefix ([amqp] prefix =".to_string(),
    ] {
        assert!(refusal.contains(&part), "{part:?} missing from: {refusal}");
    }
    let other = AmqpBridge::connect(settings(&free)).await.expect("another prefix is free");

    // A clean stop frees the prefix at once.
    holder.claim().release().await;
    let started = Instant::now();
    let next = AmqpBridge::connect(settings(&prefix)).await.expect("the released prefix is free");
    assert!(started.elapsed() < Duration::from_secs(2));
    next.claim().release().await;
    other.claim().release().await;
    clean(&prefix).await;
    clean(&free).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_holder_frees_the_prefix_at_once() {
    let prefix = unique("killed");
    let queue = Names { prefix: prefix.clone() }.engine_queue();
    // Another process holds the prefix's queue, as a running engine's connection does.
    let script = format!(
        "import pika, sys, time\n\
         c = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))\n\
         c.channel().queue_declare({queue:?}, exclusive=True, auto_delete=True)\n\
         print('held', flush=True)\n\
         time.sleep(120)\n"
    );
    let mut holder = std::process::Command::new("python3")
        .args(["-c", &script, &uri()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with pika");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(holder.stdout.take().unwrap()), &mut line).unwrap();
    assert_eq!(line.trim(), "held");
    let e = AmqpBridge::connect(settings(&prefix)).await.err().expect("refused while held").to_string();
    assert!(e.contains(&format!("the AMQP prefix '{prefix}' on vhost '/' is held by")), "{e}");

    // kill -9: no clean close; the broker drops the queue with the connection.
    holder.kill().unwrap();
    holder.wait().unwrap();
    let started = Instant::now();
    let bridge = loop {
        match AmqpBridge::connect(settings(&prefix)).await {
            Ok(b) => break b,
            Err(e) => assert!(started.elapsed() < Duration::from_secs(5), "still refused: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    bridge.claim().release().await;
    clean(&prefix).await;
}
