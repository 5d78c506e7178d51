//! Tasks out: the engine thread hands a task to [`NatsDispatcher`] (a channel send, never
//! blocking); the publish loop writes it to the `TASKS` work-queue stream, where it waits
//! for a worker of its activity, and retries until the server has stored it. The stream
//! sequence of each stored task is kept by token: a task that is settled (answered by a
//! worker or through the API, timed out, its execution ended) is deleted from the stream,
//! so no worker that pulls later runs it again.

use super::error::NatsError;
use crate::bus::names::consumer_name;
use crate::bus::{call, integration, Names, Stats};
use async_nats::jetstream::{self, consumer};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use stepline_core::engine::{Dispatcher, TaskEnvelope};
use tokio::sync::mpsc;

pub(super) enum Outgoing {
    Task(Box<TaskEnvelope>),
    /// Settled (answered, or no longer wanted): deleted from the stream if still there.
    Withdraw(String),
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

    /// Answered or not, the copy in the stream goes: one answered through the API (a
    /// callback, the dashboard) was never taken by a worker, and one a worker answered but
    /// has not acked yet would be delivered again if that worker died before its ack.
    fn withdraw(&self, token: &str, _answered: bool) {
        let _ = self.tx.send(Outgoing::Withdraw(token.to_string()));
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
    // Stream sequences of every published task not settled yet.
    let mut sequences: HashMap<String, Vec<u64>> = HashMap::new();
    // Settled before their publish was stored: deleted once it is.
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
                                Stats::count(&stats.tasks_published);
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
                    delete(&js, &stream, vec![seq]);
                } else {
                    sequences.entry(token).or_default().push(seq);
                }
            }
            Outgoing::Withdraw(token) => match sequences.remove(&token) {
                Some(seqs) => delete(&js, &stream, seqs),
                // Not stored yet (or an `nats:publish` task, never stored): remembered
                // until it is.
                None => {
                    if withdrawn.len() >= 100_000 {
                        // Tokens of tasks that were never published: forgotten in bulk.
                        withdrawn.clear();
                    }
                    withdrawn.insert(token);
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
    let answer = match integration::required_string(&task.input, NATS_PUBLISH, "Subject") {
        Err(e) => Some(e.answer()),
        Ok(subject) => {
            let message = integration::message(&task.input);
            match client.publish(subject.to_string(), message.body.into()).await {
                Ok(()) => integration::published(task.wait_for_token, serde_json::json!({"Subject": subject})),
                Err(e) => Some(integration::not_published("NATS.PublishFailed", e.to_string())),
            }
        }
    };
    if let Some(answer) = answer {
        call::answer_task_later(&engine, &task.token, answer);
    }
}

/// Deletes a settled task's messages from the stream, off the publish loop. One a worker
/// took and acked is gone already: "no message found" is what is expected then.
fn delete(js: &jetstream::Context, stream: &str, seqs: Vec<u64>) {
    let (js, stream) = (js.clone(), stream.to_string());
    tokio::spawn(async move {
        let s = match js.get_stream_no_info(&stream).await {
            Ok(s) => s,
            Err(e) => return tracing::warn!("withdrawing a task from {stream}: {e}"),
        };
        for seq in seqs {
            if let Err(e) = s.delete_message(seq).await {
                tracing::debug!("task {seq} of {stream} was not deleted (taken already?): {e}");
            }
        }
    });
}

/// The durable pull consumer `<activity>` that workers of the activity pull from.
async fn ensure_consumer(
    js: &jetstream::Context,
    stream: &str,
    names: &Names,
    activity: &str,
) -> Result<(), NatsError> {
    let name = consumer_name(activity);
    let s =
        js.get_stream(stream).await.map_err(|e| NatsError::Stream { name: stream.to_string(), source: e.into() })?;
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
    .map_err(|e| NatsError::Consumer { name, source: e.into() })
}
