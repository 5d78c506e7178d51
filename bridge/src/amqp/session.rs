//! One connection's life: declare, publish again what the broker never confirmed, consume
//! results and triggers, publish tasks and events, until the connection fails.

use super::connect::{declare_queue, declare_task_queue, declare_topology};
use super::consume;
use super::dispatch::{integration_publication, task_publication, Outgoing, Publication, Receivers, AMQP_PUBLISH};
use super::{AmqpError, AmqpSettings, Names, Stats};
use futures_util::StreamExt;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation, Connection};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use stepline_core::engine::{Engine, TaskAnswer};
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
}

impl State {
    pub(super) fn new(rx: Receivers) -> State {
        let (confirms_tx, confirms_rx) = mpsc::unbounded_channel();
        State { rx, pending: HashMap::new(), confirms_tx, confirms_rx, generation: 0 }
    }
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
) -> Result<(), AmqpError> {
    state.generation += 1;
    let generation = state.generation;
    let open = || async { conn.create_channel().await.map_err(AmqpError::broker("open a channel")) };
    let publish = open().await?;
    publish.confirm_select(ConfirmSelectOptions::default()).await.map_err(AmqpError::broker("confirm.select"))?;
    declare_topology(&publish, names).await?;
    let events = open().await?;
    let mut out = Publisher { ch: publish.clone(), names, declared: HashSet::new(), generation };
    let again: Vec<Publication> = state.pending.values().cloned().collect();
    if !again.is_empty() {
        tracing::info!("AMQP: publishing {} unconfirmed messages again", again.len());
    }
    for p in &again {
        out.publish(p, &state.confirms_tx).await?;
    }
    let mut consumers = tokio::task::JoinSet::new();
    let ctx = consume::Context {
        publish: publish.clone(),
        names: names.clone(),
        engine: engine.clone(),
        stats: stats.clone(),
        prefetch: settings.prefetch,
    };
    consumers.spawn(consume::results(open().await?, ctx.clone()));
    for t in &settings.triggers {
        // A queue that exists with other arguments is used as it is (the failed declare
        // closes only its own channel).
        if let Err(e) = declare_queue(&open().await?, &t.queue).await {
            tracing::info!("trigger queue {}: {e}; using it as it is", t.queue);
        }
        let machine = crate::ingest::machine_arn(engine, &t.state_machine);
        consumers.spawn(consume::trigger(open().await?, ctx.clone(), t.queue.clone(), machine));
    }
    let mut conn_events = conn.events_listener();
    loop {
        tokio::select! {
            m = state.rx.outgoing.recv() => match m {
                None => return Ok(()),
                Some(Outgoing::Task(task)) => {
                    let p = if task.activity == AMQP_PUBLISH {
                        match integration_publication(&task) {
                            Ok(p) => p,
                            Err(cause) => {
                                let answer = TaskAnswer::Failure { error: "States.Runtime".into(), cause };
                                engine.answer_task_then(&task.token, answer, drop);
                                continue;
                            }
                        }
                    } else {
                        task_publication(&task, names)
                    };
                    state.pending.insert(p.token.clone(), p.clone());
                    out.publish(&p, &state.confirms_tx).await?;
                }
                Some(Outgoing::Forget(token)) => {
                    state.pending.remove(&token);
                }
            },
            Some(c) = state.confirms_rx.recv() => {
                let current = c.generation == generation;
                match c.outcome {
                    Outcome::Stored => {
                        if let Some(p) = state.pending.remove(&c.token) {
                            stats.tasks_published.fetch_add(1, Ordering::Relaxed);
                            if let Some(i) = &p.integration {
                                if !i.wait_for_token {
                                    let output = serde_json::json!({"Exchange": p.exchange, "RoutingKey": p.routing_key});
                                    engine.answer_task_then(&p.token, TaskAnswer::Success(output), drop);
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
                                engine.answer_task_then(&p.token, TaskAnswer::Failure { error: "AMQP.Unroutable".into(), cause }, drop);
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
                let machine = crate::protocol::machine_name(event["stateMachineArn"].as_str().unwrap_or_default()).to_string();
                let key = format!("{machine}.{}", event["status"].as_str().unwrap_or("UNKNOWN"));
                let body = serde_json::to_vec(&event).unwrap_or_default();
                let props = BasicProperties::default().with_content_type("application/json".into());
                events
                    .basic_publish(names.events_exchange().into(), key.into(), BasicPublishOptions::default(), &body, props)
                    .await
                    .map_err(AmqpError::broker("publish a status event"))?;
                stats.events_published.fetch_add(1, Ordering::Relaxed);
            },
            r = consumers.join_next() => {
                let why = match r {
                    Some(Ok(Err(e))) => e.to_string(),
                    Some(Err(e)) => e.to_string(),
                    _ => "a consumer ended".into(),
                };
                return Err(AmqpError::Lost(why));
            },
            ev = conn_events.next() => match ev {
                Some(lapin::Event::Error(e)) => return Err(AmqpError::Lost(e.to_string())),
                Some(lapin::Event::ConnectionBlocked(why)) => tracing::warn!("AMQP: the broker blocks publishing: {why}"),
                Some(_) => {}
                None => return Err(AmqpError::Lost("the connection's events ended".into())),
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
}

impl Publisher<'_> {
    async fn publish(&mut self, p: &Publication, confirms: &mpsc::UnboundedSender<Confirmed>) -> Result<(), AmqpError> {
        if let Some(activity) = &p.activity {
            if !self.declared.contains(activity) {
                declare_task_queue(&self.ch, self.names, activity).await?;
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
