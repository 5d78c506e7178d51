//! Tasks out: the engine thread hands a task to [`NatsDispatcher`] (a channel send, never
//! blocking); the publish loop writes it to the `TASKS` work-queue stream, where it waits
//! for a worker of its activity, and retries until the server has stored it. A task its
//! execution no longer wants is deleted from the stream if no worker took it yet.

use super::{consumer_name, Names, NatsError, Stats};
use async_nats::jetstream::{self, consumer};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::{Dispatcher, TaskEnvelope};
use tokio::sync::mpsc;

pub(super) enum Outgoing {
    Task(Box<TaskEnvelope>),
    /// Not wanted any more: deleted from the stream if no worker took it.
    Withdraw(String),
    /// Answered: its message is gone from the stream already.
    Answered(String),
    /// A task's publish was stored at this stream sequence.
    Stored(String, u64),
}

pub struct NatsDispatcher {
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl NatsDispatcher {
    pub(super) fn new() -> (NatsDispatcher, mpsc::UnboundedReceiver<Outgoing>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (NatsDispatcher { tx }, rx)
    }
}

impl Dispatcher for NatsDispatcher {
    fn dispatch(&self, task: TaskEnvelope) {
        let _ = self.tx.send(Outgoing::Task(Box::new(task)));
    }

    fn withdraw(&self, token: &str, answered: bool) {
        let token = token.to_string();
        let _ = self.tx.send(if answered { Outgoing::Answered(token) } else { Outgoing::Withdraw(token) });
    }
}

/// The activity of `arn:aws:states:::nats:publish` tasks: a message to a subject of the
/// user's, not a task for a worker.
pub const NATS_PUBLISH: &str = "nats:publish";

pub(super) async fn publish_loop(
    js: jetstream::Context,
    client: async_nats::Client,
    engine: stepline_core::engine::Engine,
    names: Names,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
    stats: Arc<Stats>,
) -> Result<(), NatsError> {
    let stream = names.tasks_stream();
    let (stored_tx, mut stored_rx) = mpsc::unbounded_channel::<Outgoing>();
    let mut consumers: HashSet<String> = HashSet::new();
    // Stream sequence of every published task not answered or withdrawn yet.
    let mut sequences: HashMap<String, u64> = HashMap::new();
    let mut withdrawn: HashSet<String> = HashSet::new();
    loop {
        let next = tokio::select! {
            m = rx.recv() => m,
            m = stored_rx.recv() => m,
        };
        let Some(next) = next else { return Ok(()) };
        match next {
            Outgoing::Task(task) if task.activity == NATS_PUBLISH => {
                tokio::spawn(publish_integration(client.clone(), engine.clone(), *task));
            }
            Outgoing::Task(task) => {
                if consumers.insert(task.activity.clone()) {
                    ensure_consumer(&js, &stream, &names, &task.activity).await?;
                }
                let subject = names.task_subject(&task.activity);
                let body = serde_json::to_vec(&crate::protocol::task_request(&task)).unwrap_or_default();
                let (js, stored, stats) = (js.clone(), stored_tx.clone(), stats.clone());
                // Publishes run concurrently; each retries until the server stores it.
                tokio::spawn(async move {
                    let mut delay = Duration::from_millis(50);
                    loop {
                        let ack = match js.publish(subject.clone(), body.clone().into()).await {
                            Ok(f) => f.await.map_err(|e| e.to_string()),
                            Err(e) => Err(e.to_string()),
                        };
                        match ack {
                            Ok(ack) => {
                                stats.tasks_published.fetch_add(1, Ordering::Relaxed);
                                let _ = stored.send(Outgoing::Stored(task.token.clone(), ack.sequence));
                                return;
                            }
                            Err(e) => {
                                tracing::warn!("publishing a task to {subject} failed, retrying: {e}");
                                tokio::time::sleep(delay).await;
                                delay = (delay * 2).min(Duration::from_secs(5));
                            }
                        }
                    }
                });
            }
            Outgoing::Stored(token, seq) => {
                if withdrawn.remove(&token) {
                    delete(&js, &stream, seq).await;
                } else {
                    sequences.insert(token, seq);
                }
            }
            Outgoing::Answered(token) => {
                sequences.remove(&token);
            }
            Outgoing::Withdraw(token) => match sequences.remove(&token) {
                Some(seq) => delete(&js, &stream, seq).await,
                // Not stored yet (or long answered): remembered until it is.
                None => {
                    if withdrawn.len() < 100_000 {
                        withdrawn.insert(token);
                    }
                }
            },
        }
    }
}

/// `arn:aws:states:::nats:publish`: publishes `Message` (JSON, or a string as it is) to
/// `Subject`. Answered at once with `{"Subject": ...}`, unless `.waitForTaskToken`: then
/// the message carries the token (put `$$.Task.Token` in it) and whoever receives it
/// answers with `SendTaskSuccess` or on the results subject.
async fn publish_integration(client: async_nats::Client, engine: stepline_core::engine::Engine, task: TaskEnvelope) {
    use stepline_core::engine::TaskAnswer;
    let subject = task.input.get("Subject").and_then(serde_json::Value::as_str).map(str::to_string);
    let answer = match subject {
        None => Some(TaskAnswer::Failure {
            error: "States.Runtime".into(),
            cause: "nats:publish needs a string field \"Subject\" in its Parameters or Arguments".into(),
        }),
        Some(subject) => {
            let message = task.input.get("Message").cloned().unwrap_or(serde_json::Value::Null);
            let body = match &message {
                serde_json::Value::String(s) => s.clone().into_bytes(),
                other => serde_json::to_vec(other).unwrap_or_default(),
            };
            match client.publish(subject.clone(), body.into()).await {
                Ok(()) if task.wait_for_token => None,
                Ok(()) => Some(TaskAnswer::Success(serde_json::json!({"Subject": subject}))),
                Err(e) => Some(TaskAnswer::Failure { error: "NATS.PublishFailed".into(), cause: e.to_string() }),
            }
        }
    };
    if let Some(answer) = answer {
        let token = task.token;
        let _ = super::blocking(move || engine.answer_task(&token, answer)).await;
    }
}

/// Deletes a task no worker took yet.
async fn delete(js: &jetstream::Context, stream: &str, seq: u64) {
    if let Ok(s) = js.get_stream(stream).await {
        // Already taken by a worker (and acked): nothing to delete, and that is fine.
        let _ = s.delete_message(seq).await;
    }
}

/// The durable pull consumer `<activity>` that workers of the activity pull from.
async fn ensure_consumer(
    js: &jetstream::Context,
    stream: &str,
    names: &Names,
    activity: &str,
) -> Result<(), NatsError> {
    let name = consumer_name(activity);
    let s = js.get_stream(stream).await.map_err(|e| NatsError::Stream(stream.to_string(), e.to_string()))?;
    s.get_or_create_consumer(
        &name,
        consumer::pull::Config {
            durable_name: Some(name.clone()),
            filter_subject: names.task_subject(activity),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(60),
            ..Default::default()
        },
    )
    .await
    .map(drop)
    .map_err(|e| NatsError::Consumer(name, e.to_string()))
}
