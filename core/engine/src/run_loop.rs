//! The engine thread's loop: takes requests and due timers in batches, applies each batch
//! to the engine's state, commits it once, then carries out what the batch collected
//! (replies, tasks handed out, status events).

use crate::error::EngineError;
use crate::request::Request;
use crate::requests::executions::StartOptions;
use crate::state::EngineState;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use stepline_asl::interp::Event;

use crate::effects::later;

impl EngineState {
    pub(crate) fn run(&mut self, rx: Receiver<Request>) {
        loop {
            let now = self.clock.now();
            let mut wait = self.timers.next_due().map(|at| (at - now).max(0) as u64).unwrap_or(60_000);
            if let Some(d) = &self.degraded {
                wait = d.retry_at.saturating_duration_since(Instant::now()).as_millis() as u64;
            }
            if self.unsettled() {
                // Answers and engine calls left by a restart's replay, or by a batch that
                // used up its share, are applied at once.
                wait = 0;
            }
            if let Some(at) = self.tasks.next_deadline() {
                wait = wait.min((at - now).max(0) as u64);
            }
            if let Some(at) = self.prune_due() {
                wait = wait.min((at - now).max(0) as u64);
            }
            let first = match rx.recv_timeout(Duration::from_millis(wait)) {
                Ok(r) => Some(r),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut requests: Vec<Request> = first.into_iter().collect();
            while requests.len() < self.config.max_batch {
                match rx.try_recv() {
                    Ok(r) => requests.push(r),
                    Err(_) => break,
                }
            }
            if self.degraded.is_some() {
                self.try_recover();
            }
            if let Some(d) = &self.degraded {
                // Refused at once with a retryable error: the caller keeps its request.
                let shutdown = requests.iter().any(|r| matches!(r, Request::Shutdown));
                let why = d.reason.clone();
                fail_all(requests, || EngineError::Unavailable(why.clone()));
                if shutdown {
                    return;
                }
                continue;
            }
            if self.batch(requests) {
                return;
            }
        }
    }

    /// Applies one batch; returns true on shutdown.
    fn batch(&mut self, requests: Vec<Request>) -> bool {
        let mut batch = match self.store.begin() {
            Ok(b) => b,
            Err(e) => {
                let shutdown = requests.iter().any(|r| matches!(r, Request::Shutdown));
                let why = self.store_failure(&e);
                fail_all(requests, || EngineError::Unavailable(why.clone()));
                self.degrade(why);
                return shutdown;
            }
        };
        let mut shutdown = false;
        self.express.metrics.batch_requests.observe(requests.len() as f64);
        self.map_run_budget = self.config.map_run_children_per_batch;
        for r in requests {
            match r {
                Request::Shutdown => shutdown = true,
                Request::Tick => {}
                Request::CreateStateMachine { spec, reply } => {
                    let res = self.create_machine(batch.as_mut(), *spec);
                    if let Some(m) = res.as_ref().ok().and_then(|r| r.machine.as_ref()) {
                        self.effects.invalidated.push(m.arn.clone());
                    }
                    self.effects.replies.push(later(reply, res));
                }
                Request::Catalog { edit, reply } => {
                    let res = self.edit_catalog(batch.as_mut(), *edit);
                    if let Some(m) = res.as_ref().ok().and_then(|r| r.machine.as_ref()) {
                        self.effects.invalidated.push(m.arn.clone());
                    }
                    self.effects.replies.push(later(reply, res));
                }
                Request::DeleteStateMachine { arn, reply } => {
                    let res = batch.delete_state_machine(&arn).map_err(EngineError::from);
                    self.effects.invalidated.push(arn);
                    self.effects.replies.push(later(reply, res));
                }
                Request::Start { machine_arn, name, input, version, qualified, test_case, reply } => {
                    let res = self.start(
                        batch.as_mut(),
                        &machine_arn,
                        name,
                        input,
                        StartOptions { version, qualified: qualified.map(|q| *q), test_case, parent: None },
                    );
                    self.effects.replies.push(later(reply, res));
                }
                Request::Answer { token, answer, reply } => {
                    // A Map Run's wait is answered by its run, never by a caller.
                    let res = match self.tasks.tokens.get(&token) {
                        Some(t) if t.activity == crate::map_runs::live::MAP_RUN_ACTIVITY => {
                            Err(crate::error::EngineError::TaskDoesNotExist)
                        }
                        _ => self.answer(batch.as_mut(), &token, answer),
                    };
                    self.effects.replies.push(later(reply, res));
                }
                Request::CreateActivity { name, tags, reply } => {
                    let res = self.create_activity(batch.as_mut(), &name, tags);
                    self.effects.replies.push(later(reply, res));
                }
                Request::DeleteActivity { arn, reply } => {
                    let res = batch.delete_activity(&arn).map_err(EngineError::from);
                    self.effects.replies.push(later(reply, res));
                }
                Request::AdoptExpress { waiting, reply } => {
                    let res = self.adopt_express(batch.as_mut(), *waiting);
                    match (res, reply) {
                        (Ok(r), Some(reply)) if r.status == stepline_asl::interp::Status::Running => {
                            self.sync_waiters.insert(r.arn.clone(), reply);
                        }
                        (res, Some(reply)) => self.effects.replies.push(later(reply, res)),
                        (_, None) => {}
                    }
                }
                Request::Redrive { arn, reply } => {
                    let res = self.redrive(batch.as_mut(), &arn);
                    self.effects.replies.push(later(reply, res));
                }
                Request::Stop { arn, error, cause, reply } => {
                    let res = self.stop(batch.as_mut(), &arn, error, cause);
                    self.effects.replies.push(later(reply, res));
                }
                Request::DetachedTask { task, deadline, reply } => self.detached_task(task, deadline, reply),
                Request::UpdateMapRun { arn, change, reply } => {
                    let res = self.update_map_run(&arn, change);
                    self.effects.replies.push(later(reply, res));
                }
                Request::WaitingTasks { reply } => {
                    let mut by: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
                    for t in self.tasks.tokens.values() {
                        if t.activity != crate::map_runs::live::MAP_RUN_ACTIVITY {
                            *by.entry(t.activity.as_str()).or_default() += 1;
                        }
                    }
                    let counts = by.into_iter().map(|(a, n)| (a.to_string(), n)).collect();
                    self.effects.replies.push(later(reply, Ok(counts)));
                }
                Request::Tasks { reply } => {
                    let board = crate::tasks::TaskBoard::build(
                        self.tasks
                            .tokens
                            .values()
                            .filter(|t| t.activity != crate::map_runs::live::MAP_RUN_ACTIVITY)
                            .map(|t| &t.info),
                        &self.tasks.answered,
                    );
                    self.effects.replies.push(later(reply, Ok(board)));
                }
            }
        }
        self.settle(batch.as_mut());
        let now = self.clock.now();
        self.expire_detached(now);
        while let Some((at, arn, id)) = self.timers.pop_due(now) {
            if let Some(l) = self.live.get_mut(&arn) {
                l.timers.remove(&id);
            }
            if let Err(e) = self.feed(batch.as_mut(), &arn, now.max(at), Event::TimerFired { id }) {
                tracing::warn!(execution_arn = %arn, "timer {id}: {e}");
            }
        }
        self.settle(batch.as_mut());
        self.prune(batch.as_mut());
        let began = std::time::Instant::now();
        let commit = self
            .write_summaries(batch.as_mut())
            .and_then(|()| self.write_map_runs(batch.as_mut()))
            .and_then(|()| batch.commit());
        let metrics = &self.express.metrics;
        metrics.commit_seconds.observe(began.elapsed().as_secs_f64());
        metrics.live_executions.store(self.live.len() as u64, std::sync::atomic::Ordering::Relaxed);
        metrics.timers.store(self.timers.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.named_in_batch.clear();
        for arn in std::mem::take(&mut self.effects.invalidated) {
            self.express.invalidate(&arn);
            self.machines.invalidate(&arn);
        }
        self.effects.withdraw_all(&self.dispatch);
        match commit {
            Ok(()) => {
                for r in std::mem::take(&mut self.effects.replies) {
                    r(None);
                }
                self.effects.dispatch_all(&self.dispatch);
                for (reply, record) in std::mem::take(&mut self.effects.finished_sync) {
                    reply.send(Ok(record));
                }
                for record in std::mem::take(&mut self.effects.notify) {
                    self.dispatch.notify(&record);
                }
                for (machine, line) in std::mem::take(&mut self.effects.logs) {
                    for sink in self.dispatch.log_sinks() {
                        sink.write(&machine, &line);
                    }
                }
            }
            Err(e) => {
                // Nothing of this batch is durable: callers get the error, and the engine
                // rebuilds its memory from the store once it takes writes again.
                let why = self.store_failure(&e);
                for r in std::mem::take(&mut self.effects.replies) {
                    r(Some(&why));
                }
                for (reply, _) in std::mem::take(&mut self.effects.finished_sync) {
                    reply.send(Err(EngineError::Unavailable(why.clone())));
                }
                self.effects.dispatch.clear();
                self.effects.notify.clear();
                self.effects.logs.clear();
                self.degrade(why);
            }
        }
        shutdown
    }
}

/// Replies to every request of a batch that could not start.
pub(crate) fn fail_all(requests: Vec<Request>, err: impl Fn() -> EngineError) {
    for r in requests {
        match r {
            Request::CreateStateMachine { reply, .. } | Request::Catalog { reply, .. } => reply.send(Err(err())),
            Request::DeleteStateMachine { reply, .. } => reply.send(Err(err())),
            Request::Start { reply, .. } | Request::Stop { reply, .. } | Request::Redrive { reply, .. } => {
                reply.send(Err(err()))
            }
            Request::AdoptExpress { reply, .. } => {
                if let Some(reply) = reply {
                    reply.send(Err(err()))
                }
            }
            Request::Answer { reply, .. } | Request::DeleteActivity { reply, .. } => reply.send(Err(err())),
            Request::CreateActivity { reply, .. } => reply.send(Err(err())),
            Request::Tasks { reply } => reply.send(Err(err())),
            Request::WaitingTasks { reply } => reply.send(Err(err())),
            Request::DetachedTask { reply, .. } => reply.send(Err(err())),
            Request::UpdateMapRun { reply, .. } => reply.send(Err(err())),
            Request::Tick | Request::Shutdown => {}
        }
    }
}
