//! The interpreter's commands turned into the engine's bookkeeping: tasks into the task
//! table and the batch's dispatch list (or answered by a test case's mocks), timers into
//! the timer set, cancellations into withdrawals.

use crate::envelope::TaskEnvelope;
use crate::integrations::call::{EngineCall, PendingCall};
use crate::request::TaskAnswer;
use crate::state::EngineState;
use crate::task_table::{invocation_token, TaskRef};
use crate::tasks::PendingTask;
use stepline_asl::interp::{Command, Event, TaskRequest};
use stepline_asl::testing::mocked_outcome;

impl EngineState {
    pub(crate) fn apply_commands(&mut self, arn: &str, cmds: Vec<Command>) {
        if !self.live.contains_key(arn) {
            return;
        }
        for c in cmds {
            match c {
                Command::ScheduleTask(req) => self.schedule(arn, req),
                Command::StartMapRun(req) => self.map_run_requested(arn, req),
                Command::CancelTask { id } => {
                    let live = self.live.get_mut(arn).expect("checked above");
                    if let Some(token) = live.tasks.remove(&id) {
                        if let Some(t) = self.tasks.tokens.get(&token) {
                            self.cancelled.push(t.activity.clone());
                        }
                        self.tasks.withdraw(&mut self.effects, &token, false);
                    }
                }
                Command::StartTimer { id, fire_at } => {
                    let live = self.live.get_mut(arn).expect("checked above");
                    live.timers.insert(id, fire_at);
                    self.timers.insert(fire_at, arn, id);
                }
                Command::CancelTimer { id } => {
                    let live = self.live.get_mut(arn).expect("checked above");
                    if let Some(at) = live.timers.remove(&id) {
                        self.timers.remove(at, arn, id);
                    }
                }
            }
        }
    }

    /// A task the execution now waits on: answered by its test case's mocks when they
    /// name its state, otherwise handed to its worker once the batch commits.
    fn schedule(&mut self, arn: &str, req: Box<TaskRequest>) {
        let now = self.clock.now();
        let live = self.live.get_mut(arn).expect("checked by the caller");
        live.tasks.insert(req.id, req.token.clone());
        if let Some(m) = live.mocks.as_mut().filter(|m| m.mocks.by_state.contains_key(&req.state_name)) {
            let n = m.calls.entry(req.state_name.clone()).or_default();
            let call = *n;
            *n += 1;
            // A mocked timeout is left unanswered: its timeout (if any) fires.
            let answer = mocked_outcome(&m.mocks, call, &req).filter(|o| !matches!(o, TaskAnswer::NoAnswer));
            let activity = req.route().activity;
            let info = PendingTask::of(&req, arn, &activity, true, now);
            // The mocked result is the whole service response: never wrapped.
            let task = TaskRef {
                arn: arn.to_string(),
                id: req.id,
                wrap_lambda: false,
                activity,
                lambda: false,
                info,
                invocation: None,
            };
            self.tasks.tokens.insert(req.token.clone(), task);
            if let Some(a) = answer {
                self.held_answers.push((req.token.clone(), a));
            }
            return;
        }
        if let Some(call) = EngineCall::of(&req) {
            // No worker: the engine makes the call once this request is applied.
            let activity = req.target.clone();
            let info = PendingTask::of(&req, arn, &activity, false, now);
            let task = TaskRef {
                arn: arn.to_string(),
                id: req.id,
                wrap_lambda: false,
                activity,
                lambda: false,
                info,
                invocation: None,
            };
            self.tasks.tokens.insert(req.token.clone(), task);
            self.express.metrics.task_dispatched(&req.target);
            let TaskRequest { token, id, input, retry_count, .. } = *req;
            self.calls.push(PendingCall { arn: arn.to_string(), token, id, call, input, retry_count });
            return;
        }
        let route = req.route();
        let (activity, input, wrap_lambda) = (route.activity, route.payload, route.wrap);
        let info = PendingTask::of(&req, arn, &activity, false, now);
        // A callback's output is the result as sent, never a Lambda response.
        let wrap_lambda = wrap_lambda && !req.wait_for_token;
        let invocation = req.wait_for_token.then(|| invocation_token(&req.token));
        let handed_as = invocation.clone().unwrap_or_else(|| req.token.clone());
        if let Some(inv) = &invocation {
            self.tasks.invocations.insert(inv.clone(), req.token.clone());
        }
        let envelope = TaskEnvelope::of(&req, handed_as.clone(), activity.clone(), input, Some(&live.record));
        self.express.metrics.task_dispatched(&activity);
        let lambda = envelope.invokes_lambda();
        let task = TaskRef { arn: arn.to_string(), id: req.id, wrap_lambda, activity, lambda, info, invocation };
        self.tasks.tokens.insert(req.token.clone(), task);
        self.effects.dispatch.insert(handed_as, envelope);
    }

    /// A Map Run the execution now waits on: filed like a task under the run's ARN, opened
    /// when this request's batch settles (`map_runs/`).
    fn map_run_requested(&mut self, arn: &str, req: Box<stepline_asl::interp::MapRunRequest>) {
        let now = self.clock.now();
        let live = self.live.get_mut(arn).expect("checked by the caller");
        live.tasks.insert(req.id, req.arn.clone());
        let activity = crate::map_runs::live::MAP_RUN_ACTIVITY.to_string();
        let info = PendingTask {
            token: req.arn.clone(),
            activity: activity.clone(),
            execution_arn: arn.to_string(),
            state_name: req.state_name.clone(),
            scheduled: now,
            last_heartbeat: None,
            heartbeat_seconds: None,
            timeout_seconds: None,
            retry_count: req.retry_count,
            wait_for_token: false,
            mocked: false,
            child: None,
        };
        let task = TaskRef {
            arn: arn.to_string(),
            id: req.id,
            wrap_lambda: false,
            activity,
            lambda: false,
            info,
            invocation: None,
        };
        self.tasks.tokens.insert(req.arn.clone(), task);
        self.map_run_starts.push((arn.to_string(), req));
    }

    /// A task's answer is being applied: its token is spent.
    pub(crate) fn forget_answered(&mut self, arn: &str, event: &Event) {
        let id = match event {
            Event::TaskSucceeded { id, .. } | Event::TaskFailed { id, .. } => *id,
            _ => return,
        };
        if let Some(token) = self.live.get_mut(arn).and_then(|live| live.tasks.remove(&id)) {
            // A copy handed out again after a restart is withdrawn once answered.
            self.tasks.withdraw(&mut self.effects, &token, true);
        }
    }
}
