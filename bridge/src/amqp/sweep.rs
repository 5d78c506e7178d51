//! Taking settled tasks back out of their AMQP queue. A classic queue cannot delete one
//! message, so the engine remembers the tokens of tasks that are settled while they may
//! still wait in a queue (answered through the API, timed out, their execution ended) and
//! sweeps that queue: it takes the ready messages with `basic.get`, acks (drops) the
//! settled ones and gives the others back (`basic.nack` with requeue, which puts them back
//! in their places). A task a worker answered on the results queue was taken by that
//! worker and is not looked for, unless a second copy of it may exist: one handed out
//! again after a restart (its state was entered before this process started; a worker
//! may have held the first copy through the restart), or published again after a
//! reconnect. Tasks with a timeout also expire from their queue with it.
//!
//! A queue is swept when it has new settled tokens, and again every few seconds while it
//! has any and no worker is attached (a worker that died gives its unacked tasks back).
//! With no consumer attached, a sweep that saw every ready message settles the question:
//! the tokens it did not find are not in the queue, and are forgotten.

use lapin::options::{BasicAckOptions, BasicGetOptions, BasicNackOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::Channel;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most this many messages are taken per sweep.
const MAX_SWEEP: u32 = 10_000;
/// A queue with settled tokens and no worker is looked at again this often.
const AGAIN: Duration = Duration::from_secs(5);
/// A settled token not found in this long is forgotten (a worker holds it, or it is gone).
const FORGET: Duration = Duration::from_secs(600);
/// At most this many tokens are remembered.
const MAX_TOKENS: usize = 100_000;

/// A settled task that may still wait in its activity's queue.
struct Settled {
    activity: String,
    since: Instant,
    /// The broker confirmed its publish: once a full sweep does not find it, it is not there.
    stored: bool,
}

/// What to sweep: the queue of `activity`, for these tokens (and whether each was stored).
pub(super) struct Sweep {
    pub activity: String,
    pub tokens: HashMap<String, bool>,
    /// New tokens since the last sweep: swept even while workers are attached.
    pub fresh: bool,
}

/// What a sweep found.
pub(super) struct Swept {
    activity: String,
    tokens: HashMap<String, bool>,
    dropped: Vec<String>,
    /// Every ready message was seen with no consumer attached.
    complete: bool,
}

/// The tokens to look for, outliving a connection.
pub(super) struct Withdrawals {
    /// Published tasks not settled yet: token to activity, and whether another copy of
    /// the task may be in the queue.
    published: HashMap<String, (String, bool)>,
    settled: HashMap<String, Settled>,
    fresh: HashSet<String>,
    sweeping: HashSet<String>,
    last_round: Option<Instant>,
    /// Tokens of results that came in on the results queue: their worker had the task.
    pub taken: Arc<Mutex<HashSet<String>>>,
    /// Tasks dropped from their queue, for tests and logs.
    pub dropped: u64,
}

impl Withdrawals {
    pub(super) fn new() -> Withdrawals {
        Withdrawals {
            published: HashMap::new(),
            settled: HashMap::new(),
            fresh: HashSet::new(),
            sweeping: HashSet::new(),
            last_round: None,
            taken: Arc::new(Mutex::new(HashSet::new())),
            dropped: 0,
        }
    }

    /// A new connection: sweeps of the old one are over.
    pub(super) fn reconnected(&mut self) {
        self.sweeping.clear();
        self.fresh.extend(self.settled.values().map(|s| s.activity.clone()));
    }

    pub(super) fn published(&mut self, token: &str, activity: &str, twin: bool) {
        self.published.insert(token.to_string(), (activity.to_string(), twin));
    }

    /// `token` is published again (after a reconnect): two copies may be stored.
    pub(super) fn again(&mut self, token: &str) {
        if let Some((_, twin)) = self.published.get_mut(token) {
            *twin = true;
        }
    }

    /// The engine settled `token`; `stored`: the broker had confirmed its publish.
    pub(super) fn settle(&mut self, token: &str, answered: bool, stored: bool) {
        let taken = self.taken.lock().unwrap_or_else(|p| p.into_inner()).remove(token);
        let Some((activity, twin)) = self.published.remove(token) else { return };
        if answered && taken && !twin {
            return;
        }
        if self.settled.len() >= MAX_TOKENS {
            tracing::warn!("more than {MAX_TOKENS} settled tasks to take out of AMQP queues; forgetting the oldest");
            self.settled.clear();
        }
        self.fresh.insert(activity.clone());
        self.settled.insert(token.to_string(), Settled { activity, since: Instant::now(), stored });
    }

    /// The broker confirmed the publish of `token`.
    pub(super) fn confirmed(&mut self, token: &str) {
        if let Some(s) = self.settled.get_mut(token) {
            s.stored = true;
            self.fresh.insert(s.activity.clone());
        }
    }

    /// The sweeps to start now.
    pub(super) fn due(&mut self) -> Vec<Sweep> {
        let now = Instant::now();
        self.settled.retain(|_, s| now.duration_since(s.since) < FORGET);
        let round = self.last_round.is_none_or(|t| now.duration_since(t) >= AGAIN);
        if round {
            self.last_round = Some(now);
        }
        let mut by: HashMap<String, HashMap<String, bool>> = HashMap::new();
        for (token, s) in &self.settled {
            if !self.sweeping.contains(&s.activity) {
                by.entry(s.activity.clone()).or_default().insert(token.clone(), s.stored);
            }
        }
        by.into_iter()
            .filter_map(|(activity, tokens)| {
                let fresh = self.fresh.remove(&activity);
                (fresh || round).then(|| {
                    self.sweeping.insert(activity.clone());
                    Sweep { activity, tokens, fresh }
                })
            })
            .collect()
    }

    pub(super) fn swept(&mut self, s: Swept) {
        self.sweeping.remove(&s.activity);
        self.dropped += s.dropped.len() as u64;
        for t in &s.dropped {
            self.settled.remove(t);
        }
        if s.complete {
            for (t, stored) in &s.tokens {
                if *stored {
                    self.settled.remove(t);
                }
            }
        }
    }
}

/// Sweeps `queue` on its own channel, which it closes.
pub(super) async fn sweep(ch: Channel, queue: String, job: Sweep) -> Swept {
    let mut out = Swept { activity: job.activity, tokens: job.tokens, dropped: Vec::new(), complete: false };
    let passive = QueueDeclareOptions { passive: true, ..Default::default() };
    let q = match ch.queue_declare(queue.as_str().into(), passive, FieldTable::default()).await {
        Ok(q) => q,
        Err(e) => {
            tracing::debug!("sweeping {queue}: {e}");
            return out;
        }
    };
    let (ready, consumers) = (q.message_count(), q.consumer_count());
    if ready == 0 || (consumers > 0 && !job.fresh) {
        out.complete = consumers == 0;
        let _ = ch.close(200, "swept".into()).await;
        return out;
    }
    let mut seen = 0u32;
    let mut kept = None;
    let mut all = false;
    while seen < ready.min(MAX_SWEEP) {
        match ch.basic_get(queue.as_str().into(), BasicGetOptions { no_ack: false }).await {
            Ok(Some(m)) => {
                seen += 1;
                let d = m.delivery;
                let token = d.properties.message_id().as_ref().or(d.properties.correlation_id().as_ref());
                match token.map(|t| t.as_str()).filter(|t| out.tokens.contains_key(*t)) {
                    Some(t) => {
                        if d.ack(BasicAckOptions::default()).await.is_ok() {
                            out.dropped.push(t.to_string());
                        }
                    }
                    None => kept = Some(d.delivery_tag),
                }
            }
            Ok(None) => {
                all = true;
                break;
            }
            Err(e) => {
                tracing::debug!("sweeping {queue}: {e}");
                break;
            }
        }
    }
    if let Some(tag) = kept {
        let back = BasicNackOptions { multiple: true, requeue: true };
        if let Err(e) = ch.basic_nack(tag, back).await {
            tracing::debug!("sweeping {queue}: {e} (the channel's close gives the messages back)");
        }
    }
    let _ = ch.close(200, "swept".into()).await;
    out.complete = consumers == 0 && (all || seen >= ready);
    if !out.dropped.is_empty() {
        tracing::info!("took {} settled tasks out of {queue}", out.dropped.len());
    }
    out
}
