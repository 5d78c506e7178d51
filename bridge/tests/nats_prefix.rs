//! Against a real nats-server with JetStream: a settled task (its execution stopped, the
//! task timed out, or it was answered through the API) leaves the tasks stream, so a
//! worker that connects later never runs it, while a task still wanted waits for it; a
//! restarted engine leaves one copy of each task; and one engine per prefix: a second one
//! on a held prefix refuses to start naming the holder, one on another prefix runs, and
//! the prefix is free again at once after a clean stop or when its holder on this host
//! was killed.

#[path = "nats/rig.rs"]
#[allow(dead_code)]
mod rig;

use futures_util::StreamExt;
use rig::{rig, rig_at, task, unique, url};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use stepline_bridge::holder::Holder;
use stepline_bridge::nats::{Names, NatsBridge, NatsError, NatsSettings};
use stepline_core::interp::Status;

/// Messages in the tasks stream of `prefix`.
async fn stored_tasks(client: &async_nats::Client, prefix: &str) -> u64 {
    let js = async_nats::jetstream::new(client.clone());
    let mut s = js.get_stream(Names { prefix: prefix.into() }.tasks_stream()).await.unwrap();
    s.info().await.unwrap().state.messages
}

/// Waits (10 s at most) until the tasks stream holds `n` messages, and returns how many.
async fn until_stored(client: &async_nats::Client, prefix: &str, n: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = stored_tasks(client, prefix).await;
        if now == n || Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of the task `arn` waits for.
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

/// What a worker of `activity` that connects now is given within `wait`: the tokens.
async fn worker_takes(client: &async_nats::Client, prefix: &str, activity: &str, wait: Duration) -> Vec<Value> {
    let js = async_nats::jetstream::new(client.clone());
    let stream = js.get_stream(Names { prefix: prefix.into() }.tasks_stream()).await.unwrap();
    let consumer = stream.get_consumer::<async_nats::jetstream::consumer::pull::Config>(activity).await.unwrap();
    let mut batch = consumer.fetch().max_messages(10).expires(wait).messages().await.unwrap();
    let mut tokens = Vec::new();
    while let Some(m) = batch.next().await {
        let m = m.unwrap();
        tokens.push(serde_json::from_slice::<Value>(&m.payload).unwrap()["taskToken"].clone());
        m.ack().await.unwrap();
    }
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_timed_out_or_api_answered_task_is_not_given_to_a_worker_that_connects_later() {
    let rig = rig("settle", &url(), Vec::new()).await;
    let work = unique("work");
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
    assert_eq!(until_stored(&rig.client, &rig.prefix, 4).await, 4, "the four tasks wait in the stream");
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
    assert_eq!(until_stored(&rig.client, &rig.prefix, 1).await, 1, "the settled tasks left the stream");

    // A worker that connects now gets the wanted task only.
    let given = worker_takes(&rig.client, &rig.prefix, &work, Duration::from_secs(2)).await;
    assert_eq!(given, vec![json!(wanted_token)], "only the task still wanted is delivered");
    let js = async_nats::jetstream::new(rig.client.clone());
    let done = json!({"type": "success", "taskToken": wanted_token, "output": {"by": "worker"}});
    js.publish(format!("{}.results", rig.prefix), done.to_string().into()).await.unwrap().await.unwrap();
    let r = rig.finished(&wanted).await;
    assert_eq!((r.status, r.output.as_deref()), (Status::Succeeded, Some(&json!({"by": "worker"}))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_engine_leaves_one_copy_of_a_task_and_withdraws_it() {
    let mut first = rig("again", &url(), Vec::new()).await;
    let work = unique("work");
    let machine = first.machine(
        "again",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let arn = first.start(&machine, "e", json!({})).await;
    assert_eq!(until_stored(&first.client, &first.prefix, 1).await, 1);
    let (prefix, dir) = (first.prefix.clone(), first.dir.clone());
    first.keep = true;
    drop(first);

    // The same store and prefix: the engine hands the task out again, in one copy.
    let started = Instant::now();
    let second = rig_at(&prefix, &dir, &url(), Vec::new()).await;
    assert!(started.elapsed() < Duration::from_secs(5), "a cleanly stopped engine's prefix is free at once");
    let token = token_of(&second, &arn).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while stepline_bridge::nats::Stats::get(&second.stats.tasks_published) < 1 {
        assert!(Instant::now() < deadline, "the task was never handed out again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored_tasks(&second.client, &prefix).await, 1, "one copy of the task, not the old one too");
    let e = second.engine.clone();
    let a = arn.clone();
    tokio::task::spawn_blocking(move || e.stop_execution(&a, None, None).unwrap()).await.unwrap();
    assert_eq!(until_stored(&second.client, &prefix, 0).await, 0, "the stopped execution's task left the stream");
    assert!(worker_takes(&second.client, &prefix, &work, Duration::from_secs(1)).await.is_empty(), "{token}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_a_worker_held_through_a_restart_leaves_no_second_copy_once_answered() {
    let mut first = rig("twin", &url(), Vec::new()).await;
    let work = unique("work");
    let machine = first.machine(
        "twin",
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": task(&work), "End": true}}}),
    );
    let arn = first.start(&machine, "e", json!({})).await;
    assert_eq!(until_stored(&first.client, &first.prefix, 1).await, 1);
    // A worker takes the task and is still busy with it when the engine restarts.
    let js = async_nats::jetstream::new(first.client.clone());
    let stream = js.get_stream(Names { prefix: first.prefix.clone() }.tasks_stream()).await.unwrap();
    let consumer = stream.get_consumer::<async_nats::jetstream::consumer::pull::Config>(&work).await.unwrap();
    let held = consumer.fetch().max_messages(1).messages().await.unwrap().next().await.unwrap().unwrap();
    let token = serde_json::from_slice::<Value>(&held.payload).unwrap()["taskToken"].clone();
    let (prefix, dir) = (first.prefix.clone(), first.dir.clone());
    first.keep = true;
    drop(first);
    let second = rig_at(&prefix, &dir, &url(), Vec::new()).await;
    assert_eq!(until_stored(&second.client, &prefix, 1).await, 1, "handed out again in one copy");

    // The worker answers and acks its copy: the copy handed out again goes too.
    let done = json!({"type": "success", "taskToken": token, "output": "once"});
    js.publish(format!("{prefix}.results"), done.to_string().into()).await.unwrap().await.unwrap();
    let _ = held.ack().await;
    assert_eq!(second.finished(&arn).await.status, Status::Succeeded);
    assert_eq!(until_stored(&second.client, &prefix, 0).await, 0, "no copy is left for another worker to run again");
}

fn settings(prefix: &str) -> NatsSettings {
    let mut s = NatsSettings::with_url(&url());
    s.bus.prefix = prefix.to_string();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_on_a_held_prefix_refuses_naming_the_holder() {
    let prefix = unique("held");
    let dir = std::env::temp_dir().join(format!("stepline-nats-{prefix}"));
    let holder = NatsBridge::connect_as(settings(&prefix), Holder::this_process(Some(&dir))).await.unwrap();
    let second = NatsBridge::connect_as(settings(&prefix), Holder::this_process(Some(&dir.join("other")))).await;
    let refusal = match second {
        Err(e @ NatsError::PrefixHeld { .. }) => e.to_string(),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a second engine started on a held prefix"),
    };
    let me = Holder::this_process(None);
    for part in [
        format!("the NATS prefix '{prefix}' is held by the Stepline engine on {}", me.host),
        format!("(pid {}, data {})", me.pid, dir.display()),
        "another prefix ([nats] prefix =".to_string(),
    ] {
        assert!(refusal.contains(&part), "{part:?} missing from: {refusal}");
    }

    // Another prefix is another engine's.
    let other = NatsBridge::connect(settings(&unique("free"))).await.expect("another prefix is free");

    // Held while it refreshes, past the time a claim lasts without one.
    tokio::time::sleep(stepline_bridge::nats::CLAIM_TTL + Duration::from_secs(2)).await;
    assert!(NatsBridge::connect(settings(&prefix)).await.is_err(), "a refreshed claim does not lapse");

    // A clean stop frees the prefix at once.
    holder.claim().release().await;
    let started = Instant::now();
    let next = NatsBridge::connect(settings(&prefix)).await.expect("the released prefix is free");
    assert!(started.elapsed() < Duration::from_secs(2));
    next.claim().release().await;
    other.claim().release().await;
    next.names.delete_streams(&next.js).await;
    other.names.delete_streams(&other.js).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_holder_on_this_host_is_taken_over_at_once_and_one_elsewhere_is_not() {
    let prefix = unique("killed");
    let names = Names { prefix: prefix.clone() };
    let client = async_nats::connect(url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    // The stream as an engine made it (the first connect), its claim released.
    NatsBridge::connect(settings(&prefix)).await.unwrap().claim().release().await;
    // The claim of an engine of this host that was killed (kill -9: no release).
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let killed = Holder { pid: dead, instance: "killed".into(), ..Holder::this_process(None) };
    js.publish(names.claim_subject(), killed.to_json().into()).await.unwrap().await.unwrap();
    let started = Instant::now();
    let bridge = NatsBridge::connect(settings(&prefix)).await.expect("a dead holder's prefix is taken over");
    assert!(started.elapsed() < Duration::from_secs(2), "taken over without waiting for the claim to lapse");
    bridge.claim().release().await;

    // An engine of another host: alive as far as this host can tell.
    let elsewhere = Holder { host: "elsewhere.example".into(), ..killed };
    js.publish(names.claim_subject(), elsewhere.to_json().into()).await.unwrap().await.unwrap();
    let e = NatsBridge::connect(settings(&prefix)).await.err().expect("refused").to_string();
    assert!(e.contains("elsewhere.example") && e.contains("lapses 15 s"), "{e}");
    names.delete_streams(&js).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_whose_prefix_was_taken_while_it_was_cut_off_stops() {
    let prefix = unique("taken");
    let bridge = NatsBridge::connect(settings(&prefix)).await.unwrap();
    let (js, names) = (bridge.js.clone(), bridge.names.clone());
    let dir = std::env::temp_dir().join(format!("stepline-nats-{prefix}"));
    let _ = std::fs::remove_dir_all(&dir);
    let config = stepline_core::engine::EngineConfig { data_dir: dir, ..Default::default() };
    let engine = tokio::task::block_in_place(|| stepline_bridge::embedded::open(config)).unwrap();
    let running = tokio::spawn(bridge.run(engine.clone()));
    // What another engine writes once this one's claim has lapsed.
    let other = Holder { host: "elsewhere.example".into(), instance: "other".into(), ..Holder::this_process(None) };
    js.publish(names.claim_subject(), other.to_json().into()).await.unwrap().await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(15), running).await.expect("the bridge stops").unwrap();
    match ended {
        Err(e @ NatsError::PrefixLost { .. }) => assert!(e.to_string().contains("elsewhere.example"), "{e}"),
        other => panic!("expected PrefixLost, got {other:?}"),
    }
    tokio::task::block_in_place(|| engine.shutdown());
    names.delete_streams(&js).await;
}
