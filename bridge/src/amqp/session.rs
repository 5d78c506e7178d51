//! One connection's life: claim the prefix, declare, publish again what the broker never
//! confirmed, consume results and triggers, publish tasks and events, take settled tasks
//! out of their queues, until the connection fails.

use super::connect::{declare_queue, declare_task_queue, declare_topology};
use super::consume;
use super::dispatch::{integration_publication, task_publication, Outgoing, Publication, Receivers, AMQP_PUBLISH};
use super::error::AmqpError;
use super::settings::AmqpSettings;
use super::sweep::{self, Withdrawals};
use crate::bus::{call, integration, Names, Stats};
use futures_util::StreamExt;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueuePurgeOptions};
use lapin::{BasicProperties, Channel, Confirmation, Connection};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stepline_core::engine::Engine;
use tokio::sync::mpsc;

/// What outlives a connection.
pub(super) struct State {
    rx: Receivers,
    /// Published (or about to be) and not confirmed by the broker, by task token.
    pending: HashMap<String, Publication>,
    confirms_tx: mpsc::UnboundedSender<Confirmed>,
    confirms_rx: mpsc::UnboundedReceiver<Confirmed>,
    /// Which connection a confirm belongs to: a failure reported for an older one is
    /// already covered by publishing again on the new one.
    generation: u64,
    /// Settled tasks to take out of their queues.
    withdrawals: Withdrawals,
    /// Task queues this process has purged of what an earlier run left.
    purged: Arc<Mutex<HashSet<String>>>,
    /// When this process started the bridge (ms since the epoch): a task whose state was
    /// entered before was handed out again after a restart.
    started: i64,
}

impl State {
    pub(super) fn new(rx: Receivers) -> State {
        let (confirms_tx, confirms_rx) = mpsc::unbounded_channel();
        State {
            rx,
            pending: HashMap::new(),
            confirms_tx,
            confirms_rx,
            generation: 0,
            withdrawals: Withdrawals::new(),
            purged: Arc::new(Mutex::new(HashSet::new())),
            started: stepline_core::clock::Clock::now(&stepline_core::clock::SystemClock),
        }
    }
}

/// Whose claim on the prefix a connection takes again.
pub(super) struct Held<'a> {
    pub vhost: &'a str,
    pub me: &'a crate::holder::Holder,
}

struct Confirmed {
    generation: u64,
    token: String,
    outcome: Outcome,
}

enum Outcome {
    Stored,
    /// Acked but returned: no queue is bound for its routing key.
    Unroutable(String),
    Failed(String),
}

/// Runs until the connection fails (an error) or the engine drops the dispatcher (`Ok`).
pub(super) async fn run(
    conn: &Connection,
    settings: &AmqpSettings,
    names: &Names,
    engine: &Engine,
    stats: &Arc<Stats>,
    state: &mut State,
    held: Held<'_>,
) -> Result<(), AmqpError> {
    state.generation += 1;
    let generation = state.generation;
    super::claim::take(conn, names, held.vhost, held.me, generation > 1).await?;
    state.withdrawals.reconnected();
    let open = || async { conn.create_channel().await.map_err(AmqpError::broker("open a channel")) };
    let publish = open().await?;
    publish.confirm_select(ConfirmSelectOptions::default()).await.map_err(AmqpError::broker("confirm.select"))?;
    declare_topology(&publish, names).await?;
    let events = open().await?;
    let mut out =
        Publisher { ch: publish.clone(), names, declared: HashSet::new(), generation, purged: state.purged.clone() };
    let again: Vec<Publication> = state.pending.values().cloned().collect();
    if !again.is_empty() {
        tracing::info!("AMQP: publishing {} unconfirmed messages again", again.len());
    }
    for p in &again {
        state.withdrawals.again(&p.token);
        out.publish(p, &state.confirms_tx).await?;
    }
    let mut consumers = tokio::task::JoinSet::new();
    let ctx = consume::Context {
        publish: publish.clone(),
        names: names.clone(),
        engine: engine.clone(),
        stats: stats.clone(),
        prefetch: settings.prefetch,
        taken: state.withdrawals.taken.clone(),
    };
    consumers.spawn(consume::results(open().await?, ctx.clone()));
    for t in &settings.triggers {
        // A queue that exists with other arguments is used as it is (the failed declare
        // closes only its own channel).
        if let Err(e) = declare_queue(&open().await?, &t.queue).await {
            tracing::info!("trigger queue {}: {e}; using it as it is", t.queue);
        }
        let machine = crate::bus::ingest::machine_arn(engine, &t.state_machine);
        consumers.spawn(consume::trigger(open().await?, ctx.clone(), t.queue.clone(), machine));
    }
    let mut conn_events = conn.events_listener();
    let (swept_tx, mut swept_rx) = mpsc::unbounded_channel();
    let mut sweeps = tokio::time::interval(Duration::from_secs(1));
    sweeps.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            m = state.rx.outgoing.recv() => match m {
                None => return Ok(()),
                Some(Outgoing::Task(task)) => {
                    let p = if task.activity == AMQP_PUBLISH {
                        match integration_publication(&task) {
                            Ok(p) => p,
                            Err(e) => {
                                call::answer_task_later(engine, &task.token, e.answer());
                                continue;
                            }
                        }
                    } else {
                        task_publication(&task, names)
                    };
                    if let Some(activity) = &p.activity {
                        let twin = task.entered_time < state.started;
                        state.withdrawals.published(&p.token, activity, twin);
                    }
                    state.pending.insert(p.token.clone(), p.clone());
                    out.publish(&p, &state.confirms_tx).await?;
                }
                Some(Outgoing::Withdraw { token, answered }) => {
                    // Not published again after a reconnect; taken out of its queue if there.
                    let unconfirmed = state.pending.remove(&token).is_some();
                    state.withdrawals.settle(&token, answered, !unconfirmed);
                }
            },
            _ = sweeps.tick() => {
                for job in state.withdrawals.due() {
                    let ch = open().await?;
                    let (queue, done) = (names.task_queue(&job.activity), swept_tx.clone());
                    tokio::spawn(async move {
                        let _ = done.send(sweep::sweep(ch, queue, job).await);
                    });
                }
            },
            Some(s) = swept_rx.recv() => {
                state.withdrawals.swept(s);
                stats.tasks_withdrawn.store(state.withdrawals.dropped, Ordering::Relaxed);
            },
            Some(c) = state.confirms_rx.recv() => {
                let current = c.generation == generation;
                match c.outcome {
                    Outcome::Stored => {
                        state.withdrawals.confirmed(&c.token);
                        if let Some(p) = state.pending.remove(&c.token) {
                            Stats::count(&stats.tasks_published);
                            if let Some(i) = &p.integration {
                                let output = serde_json::json!({"Exchange": p.exchange, "RoutingKey": p.routing_key});
                                if let Some(answer) = integration::published(i.wait_for_token, output) {
                                    call::answer_task_later(engine, &p.token, answer);
                                }
                            }
                        }
                    }
                    Outcome::Unroutable(why) => {
                        let Some(p) = state.pending.get(&c.token).cloned() else { continue };
                        match (&p.integration, &p.activity) {
                            (Some(_), _) => {
                                state.pending.remove(&c.token);
                                let cause = format!("no queue is bound to exchange \"{}\" with routing key \"{}\" ({why})", p.exchange, p.routing_key);
                                call::answer_task_later(engine, &p.token, integration::not_published("AMQP.Unroutable", cause));
                            }
                            (None, Some(activity)) if current => {
                                // Its queue was deleted under us: declare it again.
                                tracing::warn!("a task of {activity} was returned ({why}); declaring its queue again");
                                out.declared.remove(activity);
                                out.publish(&p, &state.confirms_tx).await?;
                            }
                            _ => {}
                        }
                    }
                    Outcome::Failed(why) if current => {
                        if let Some(p) = state.pending.get(&c.token).cloned() {
                            tracing::warn!("the broker did not confirm a message ({why}); publishing it again");
                            out.publish(&p, &state.confirms_tx).await?;
                        }
                    }
                    Outcome::Failed(_) => {}
                }
            },
            Some(event) = state.rx.events.recv() => {
                let (key, body) = (event.key, serde_json::to_vec(&event.detail).unwrap_or_default());
                let props = BasicProperties::default().with_content_type("application/json".into());
                events
                    .basic_publish(names.events_exchange().into(), key.into(), BasicPublishOptions::default(), &body, props)
                    .await
                    .map_err(AmqpError::broker("publish a status event"))?;
                Stats::count(&stats.events_published);
            },
            r = consumers.join_next() => {
                return Err(match r {
                    Some(Ok(Err(e))) => e,
                    Some(Err(e)) => AmqpError::lost(format!("a consumer stopped: {e}")),
                    _ => AmqpError::lost("a consumer ended"),
                });
            },
            ev = conn_events.next() => match ev {
                Some(lapin::Event::Error(e)) => return Err(AmqpError::Lost { why: "the broker reported an error".into(), source: Some(e) }),
                Some(lapin::Event::ConnectionBlocked(why)) => tracing::warn!("AMQP: the broker blocks publishing: {why}"),
                Some(_) => {}
                None => return Err(AmqpError::lost("the connection's events ended")),
            },
        }
    }
}

/// Publishes with confirms on one connection, declaring activity queues on first use.
struct Publisher<'a> {
    ch: Channel,
    names: &'a Names,
    declared: HashSet<String>,
    generation: u64,
    purged: Arc<Mutex<HashSet<String>>>,
}

impl Publisher<'_> {
    /// Before this process first publishes to an activity's queue, drops what an earlier
    /// run left there: the engine hands out every task it still wants again when it opens
    /// its store, so a copy from before is either a second copy of one of those or a task
    /// settled while the earlier run was going down.
    async fn purge_once(&self, activity: &str) -> Result<(), AmqpError> {
        if self.purged.lock().unwrap_or_else(|p| p.into_inner()).contains(activity) {
            return Ok(());
        }
        let queue = self.names.task_queue(activity);
        let n = self
            .ch
            .queue_purge(queue.as_str().into(), QueuePurgeOptions::default())
            .await
            .map_err(AmqpError::broker(format!("purge queue {queue}")))?;
        if n > 0 {
            tracing::info!("dropped {n} tasks an earlier run left in {queue}");
        }
        self.purged.lock().unwrap_or_else(|p| p.into_inner()).insert(activity.to_string());
        Ok(())
    }

    async fn publish(&mut self, p: &Publication, confirms: &mpsc::UnboundedSender<Confirmed>) -> Result<(), AmqpError> {
        if let Some(activity) = &p.activity {
            if !self.declared.contains(activity) {
                declare_task_queue(&self.ch, self.names, activity).await?;
                self.purge_once(activity).await?;
                self.declared.insert(activity.clone());
            }
        }
        let confirm = self
            .ch
            .basic_publish(
                p.exchange.as_str().into(),
                p.routing_key.as_str().into(),
                BasicPublishOptions { mandatory: true, ..Default::default() },
                &p.body,
                p.properties.clone(),
            )
            .await
            .map_err(AmqpError::broker("publish"))?;
        let (tx, token, generation) = (confirms.clone(), p.token.clone(), self.generation);
        tokio::spawn(async move {
            let outcome = match confirm.await {
                Ok(Confirmation::Ack(None)) | Ok(Confirmation::NotRequested) => Outcome::Stored,
                Ok(Confirmation::Ack(Some(r))) => Outcome::Unroutable(r.reply_text.to_string()),
                Ok(Confirmation::Nack(_)) => Outcome::Failed("the broker refused it".into()),
                Err(e) => Outcome::Failed(e.to_string()),
            };
            let _ = tx.send(Confirmed { generation, token, outcome });
        });
        Ok(())
    }
}
