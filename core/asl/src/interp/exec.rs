//! The loop that runs an execution's frames until they wait, recording its history.

use super::context;
use super::errors::Failure;
use super::events::{Command, Event, WaitId, DEADLINE_WAIT};
use super::execution::{Execution, Halt, InterpError, RedrivePoint, Status, Wake};
use super::frame::{Frame, FrameId, Phase};
use crate::error_names;
use crate::history::{EventKind, HistoryEvent, Payload};
use crate::limits::{MAX_NESTING, MAX_STEP_BYTES};
use crate::model::{StateId, StateKind, StateMachine, Transition};
use crate::path::Scope;
use crate::time::Millis;
use serde_json::Value;

/// What a state's work led to.
pub(super) enum Flow {
    /// The frame now waits; its phase says for what.
    Blocked,
    /// Leave the state with this output.
    Exit { output: Payload },
    /// Leave the state for `next` (a Choice branch or a Catch).
    Goto { output: Payload, next: StateId },
    /// The frame ends successfully without a `...StateExited` of its own (already recorded).
    Succeed(Payload),
    /// An error the state's Retry/Catch may handle.
    Error(Failure),
}

/// AWS's cause when an execution's history reaches its quota.
fn history_limit_cause(limit: u64) -> String {
    format!("The execution reached the maximum number of history events ({limit}).")
}

pub(super) struct Interp<'a> {
    pub m: &'a StateMachine,
    pub x: &'a mut Execution,
    pub now: Millis,
    pub cmds: Vec<Command>,
    /// Events counted before this step: an unrecorded (EXPRESS) execution's limit is on
    /// the events of one step.
    pub(super) step_base: u64,
    /// The event count at which only the execution's final event may still be recorded.
    event_cap: u64,
    /// Bytes of the state outputs built in this step.
    step_bytes: usize,
}

impl<'a> Interp<'a> {
    pub fn new(m: &'a StateMachine, x: &'a mut Execution, now: Millis) -> Self {
        let step_base = if x.keep_history { 0 } else { x.event_count() };
        let event_cap = step_base.saturating_add(m.max_history_events);
        Interp { m, x, now, cmds: Vec::new(), step_base, event_cap, step_bytes: 0 }
    }

    /// Counts one more event against the history limit. False when the event may not be
    /// recorded: only the execution's final event may be the last one the limit allows.
    #[inline]
    fn admit_event(&mut self, final_event: bool) -> bool {
        if self.x.event_count() + 1 < self.event_cap && self.x.halted.is_none() {
            return true;
        }
        self.admit_at_the_limit(final_event)
    }

    #[cold]
    fn admit_at_the_limit(&mut self, final_event: bool) -> bool {
        if self.x.halted.is_some() || self.x.event_count() + 1 >= self.event_cap {
            if self.x.halted.is_none() && !final_event {
                self.x.halted = Some(Halt::HistoryFull);
            }
            return final_event;
        }
        true
    }

    /// Counts the bytes of a state output built in this step: one step keeps everything it
    /// produced until the driver stores it, so it may not produce without bound.
    pub(super) fn count_output_bytes(&mut self, n: usize) {
        self.step_bytes += n;
        if self.step_bytes > MAX_STEP_BYTES && self.x.halted.is_none() {
            self.x.halted = Some(Halt::StepTooLarge);
        }
    }

    /// Fails the execution once its history is full (the limit's only way out), and arms
    /// the longest-duration deadline the first time the execution waits.
    fn settle(&mut self) {
        if self.x.status != Status::Running {
            return;
        }
        if let Some(halt) = self.x.halted {
            let cause = match halt {
                Halt::HistoryFull => history_limit_cause(self.m.max_history_events),
                Halt::StepTooLarge => {
                    format!("The execution produced more than {MAX_STEP_BYTES} bytes of state output without waiting.")
                }
            };
            self.end_execution(Status::Failed, None, Some(Failure::new(error_names::RUNTIME, cause)));
            return;
        }
        if let Some(max) = self.m.max_duration_seconds {
            let own_timeout_sooner = self.m.timeout_seconds.is_some_and(|t| t <= max);
            if !own_timeout_sooner && !self.x.waits.contains_key(&DEADLINE_WAIT) {
                self.x.waits.insert(DEADLINE_WAIT, Wake::ExecutionTimeout);
                let fire_at = self.x.duration_base + (max as i64) * 1000;
                self.cmds.push(Command::StartTimer { id: DEADLINE_WAIT, fire_at });
            }
        }
    }

    pub fn start(mut self) -> Vec<Command> {
        let started = self.record(
            0,
            EventKind::ExecutionStarted {
                input: self.x.input.clone(),
                role_arn: self.x.info.role_arn.clone(),
                state_machine_arn: self.x.info.state_machine_arn.clone(),
            },
        );
        if let Some(t) = self.m.timeout_seconds {
            let id = self.new_wait(Wake::ExecutionTimeout);
            self.cmds.push(Command::StartTimer { id, fire_at: self.now + (t as i64) * 1000 });
        }
        let root = self.m.start_state();
        self.x.frames.push(Some(Frame::new(root, self.x.input.clone(), Default::default(), started, self.now)));
        self.x.ready.push_back(0);
        self.run();
        self.cmds
    }

    pub fn handle(mut self, event: Event) -> Result<Vec<Command>, InterpError> {
        match event {
            Event::TaskSucceeded { id, output } => match self.take_task(id)? {
                (f, false) => self.task_answered(f, Ok(output)),
                (f, true) => self.map_run_answered(f, Ok(output)),
            },
            Event::TaskFailed { id, error, cause } => match self.take_task(id)? {
                (f, false) => self.task_answered(f, Err(Failure::new(error, cause))),
                (f, true) => self.map_run_answered(f, Err(Failure::new(error, cause))),
            },
            Event::TaskHeartbeat { id } => {
                if !matches!(self.x.waits.get(&id), Some(Wake::Task(_) | Wake::MapRun(_))) {
                    return Err(InterpError::UnknownWait(id));
                }
                self.heartbeat(id);
            }
            Event::TimerFired { id } => {
                let wake = self.x.waits.remove(&id).ok_or(InterpError::UnknownWait(id))?;
                match wake {
                    Wake::Timer(f) => {
                        self.frame_mut(f).phase = Phase::Completed(Ok(Value::Null));
                        self.x.ready.push_back(f);
                    }
                    Wake::Retry(f) => {
                        self.frame_mut(f).phase = Phase::Act;
                        self.x.ready.push_back(f);
                    }
                    Wake::TaskTimeout { frame, task, heartbeat } => {
                        self.x.waits.remove(&task);
                        self.cmds.push(Command::CancelTask { id: task });
                        let (error, cause) =
                            if heartbeat { (error_names::HEARTBEAT_TIMEOUT, "") } else { (error_names::TIMEOUT, "") };
                        self.task_answered(frame, Err(Failure::new(error, cause)));
                    }
                    Wake::ExecutionTimeout => {
                        self.end_execution(Status::TimedOut, None, Some(Failure::new(error_names::TIMEOUT, "")));
                        return Ok(self.cmds);
                    }
                    Wake::Task(_) | Wake::MapRun(_) => unreachable!("task ids are not timers"),
                }
            }
            Event::Stop { error, cause } => {
                let failure = Failure::new(error.unwrap_or_default(), cause.unwrap_or_default());
                self.end_execution(Status::Aborted, None, Some(failure));
                return Ok(self.cmds);
            }
            Event::Redrive => return self.redrive(),
        }
        self.run();
        Ok(self.cmds)
    }

    /// Resumes an unsuccessful execution at its redrive point.
    pub fn redrive(mut self) -> Result<Vec<Command>, InterpError> {
        if matches!(self.x.status, Status::Running | Status::Succeeded) {
            return Err(InterpError::NotRedrivable("only FAILED, TIMED_OUT or ABORTED executions can be redriven"));
        }
        let Some(RedrivePoint { state, input, vars, kept, map_run }) = self.x.redrive_point.clone() else {
            return Err(InterpError::NotRedrivable("the execution has no state to resume"));
        };
        if self.x.keep_history && self.x.event_count() + 2 >= self.m.max_history_events {
            return Err(InterpError::NotRedrivable("the execution's history has reached its event limit"));
        }
        self.x.halted = None;
        self.x.duration_base = self.now;
        self.x.status = Status::Running;
        self.x.failure = None;
        self.x.output = None;
        self.x.stop_time = None;
        self.x.info.redrive_count += 1;
        let prev = self.x.event_count();
        let started = self.record(prev, EventKind::ExecutionRedriven { redrive_count: self.x.info.redrive_count });
        self.x.frames.clear();
        let mut frame = Frame::new(state, input, vars, started, self.now);
        (frame.resume, frame.resume_map_run) = (kept, map_run);
        self.x.frames.push(Some(frame));
        self.x.ready.push_back(0);
        self.run();
        Ok(self.cmds)
    }

    /// The frame waiting on task `id`, and whether it waits on a Map Run.
    fn take_task(&mut self, id: WaitId) -> Result<(FrameId, bool), InterpError> {
        match self.x.waits.get(&id) {
            Some(w @ (Wake::Task(f) | Wake::MapRun(f))) => {
                let found = (*f, matches!(w, Wake::MapRun(_)));
                self.x.waits.remove(&id);
                Ok(found)
            }
            _ => Err(InterpError::UnknownWait(id)),
        }
    }

    fn heartbeat(&mut self, task: WaitId) {
        let timer = self.x.waits.iter().find_map(|(k, w)| match w {
            Wake::TaskTimeout { task: t, heartbeat: true, .. } if *t == task => Some(*k),
            _ => None,
        });
        let Some(timer) = timer else { return };
        let Some(Wake::TaskTimeout { frame, .. }) = self.x.waits.remove(&timer) else { return };
        self.cmds.push(Command::CancelTimer { id: timer });
        let seconds = self.task_heartbeat_seconds(frame).unwrap_or(0);
        let id = self.new_wait(Wake::TaskTimeout { frame, task, heartbeat: true });
        self.cmds.push(Command::StartTimer { id, fire_at: self.now + seconds as i64 * 1000 });
        if let Phase::WaitingTask { timers, .. } = &mut self.frame_mut(frame).phase {
            timers.retain(|t| *t != timer);
            timers.push(id);
        }
    }

    /// Runs ready frames until every frame waits or the execution ends.
    fn run(&mut self) {
        while let Some(f) = self.x.ready.pop_front() {
            if self.x.status != Status::Running || self.x.halted.is_some() {
                self.x.ready.clear();
                break;
            }
            if self.x.frames.get(f).is_some_and(Option::is_some) {
                self.step(f);
            }
        }
        self.settle();
    }

    pub fn frame(&self, f: FrameId) -> &Frame {
        self.x.frames[f].as_ref().expect("live frame")
    }

    pub fn frame_mut(&mut self, f: FrameId) -> &mut Frame {
        self.x.frames[f].as_mut().expect("live frame")
    }

    pub fn new_wait(&mut self, w: Wake) -> WaitId {
        let id = self.x.next_wait;
        self.x.next_wait += 1;
        self.x.waits.insert(id, w);
        id
    }

    /// Appends a history event after `previous` and returns its id.
    #[inline(always)]
    pub fn record(&mut self, previous: u64, kind: EventKind) -> u64 {
        if !self.admit_event(kind.is_execution_end()) {
            return self.x.event_count();
        }
        let id = self.x.event_count() + 1;
        if self.x.keep_history {
            self.x.history.push(HistoryEvent { id, previous_event_id: previous, timestamp: self.now, kind });
        } else {
            self.x.history_taken += 1;
        }
        id
    }

    /// Like [`Interp::record_in`], building the event only when the history is kept: for
    /// the events every state records (entered, exited).
    fn record_in_with(&mut self, f: FrameId, kind: impl FnOnce(&Self) -> EventKind) -> u64 {
        if self.x.keep_history || self.frame(f).silent {
            let kind = kind(self);
            return self.record_in(f, kind);
        }
        if !self.admit_event(false) {
            return self.frame(f).last_event;
        }
        self.x.history_taken += 1;
        let id = self.x.event_count();
        self.frame_mut(f).last_event = id;
        id
    }

    /// Records an event in the frame's thread of history.
    pub fn record_in(&mut self, f: FrameId, kind: EventKind) -> u64 {
        if self.frame(f).silent {
            return self.frame(f).last_event;
        }
        let prev = self.frame(f).last_event;
        let id = self.record(prev, kind);
        self.frame_mut(f).last_event = id;
        id
    }

    /// The context object for the frame's current state, built only when the state reads it.
    pub fn context(&self, f: FrameId, sid: StateId) -> Value {
        let st = &self.m.states[sid];
        if !st.uses_context {
            return Value::Null;
        }
        context::build(&self.x.info, &self.x.input, self.frame(f), &st.name)
    }

    /// Runs one frame until it waits or ends.
    fn step(&mut self, f: FrameId) {
        loop {
            if self.x.status != Status::Running || self.x.halted.is_some() || self.x.frames[f].is_none() {
                return;
            }
            let sid = self.frame(f).state;
            let phase = std::mem::replace(&mut self.frame_mut(f).phase, Phase::Done);
            let flow = match phase {
                Phase::Enter => {
                    self.enter(f, sid);
                    continue;
                }
                Phase::Act => self.act(f, sid),
                Phase::Completed(result) => self.complete(f, sid, result),
                waiting @ (Phase::WaitingTask { .. } | Phase::WaitingTimer | Phase::WaitingChildren(_)) => {
                    self.frame_mut(f).phase = waiting;
                    return;
                }
                Phase::Done => return,
            };
            let flow = match flow {
                // A state that passes its input on unchanged cannot have grown it.
                Flow::Exit { output } if !self.passes_input_on(f, &output) => {
                    match self.new_output_problem(sid, &output) {
                        Some(failure) => Flow::Error(failure),
                        None => Flow::Exit { output },
                    }
                }
                Flow::Goto { output, next } if !self.passes_input_on(f, &output) => {
                    match self.new_output_problem(sid, &output) {
                        Some(failure) => Flow::Error(failure),
                        None => Flow::Goto { output, next },
                    }
                }
                other => other,
            };
            match flow {
                Flow::Blocked => return,
                Flow::Exit { output } => self.exit(f, sid, output, None),
                Flow::Goto { output, next } => self.exit(f, sid, output, Some(next)),
                Flow::Succeed(output) => {
                    self.frame_done(f, Ok(output));
                    return;
                }
                Flow::Error(failure) => {
                    if !self.on_error(f, sid, failure) {
                        return;
                    }
                }
            }
        }
    }

    fn passes_input_on(&self, f: FrameId, output: &Payload) -> bool {
        self.x.frames[f].as_ref().is_some_and(|fr| Payload::ptr_eq(&fr.input, output))
    }

    /// Measures a newly built state output (up to just past the limit) against the payload
    /// and nesting limits, and counts it against the step's bytes.
    fn new_output_problem(&mut self, sid: StateId, output: &Value) -> Option<Failure> {
        let n = super::io::json_len(output, self.m.max_payload + 1);
        self.count_output_bytes(n);
        let name = &self.m.states[sid].name;
        if n > self.m.max_payload {
            return Some(Failure::new(
                error_names::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."),
            ));
        }
        if super::io::nested_deeper_than(output, MAX_NESTING) {
            let max = MAX_NESTING;
            return Some(Failure::new(
                error_names::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{name}' returned a result nested deeper than {max} levels."),
            ));
        }
        None
    }

    fn enter(&mut self, f: FrameId, sid: StateId) {
        let st = &self.m.states[sid];
        self.x.state_transitions += 1;
        let retriers = match &st.kind {
            StateKind::Task(t) => t.retry.len(),
            StateKind::Parallel(p) => p.retry.len(),
            StateKind::Map(m) => m.retry.len(),
            _ => 0,
        };
        let id = self.record_in_with(f, |s| EventKind::StateEntered {
            state_type: st.kind.type_name(),
            name: st.name.clone(),
            input: s.frame(f).input.clone(),
        });
        let now = self.now;
        let fr = self.frame_mut(f);
        fr.entered_event = id;
        fr.entered_time = now;
        fr.retry_count = 0;
        fr.attempts.clear();
        fr.attempts.resize(retriers, 0);
        fr.task_token = None;
        (fr.kept, fr.map_run) = (None, None);
        fr.phase = Phase::Act;
    }

    /// Records `...StateExited` and moves to the next state, or ends the frame.
    pub(super) fn exit(&mut self, f: FrameId, sid: StateId, output: Payload, next: Option<StateId>) {
        let st = &self.m.states[sid];
        let next = next.or(match st.transition {
            Transition::Next(n) => Some(n),
            Transition::End => None,
        });
        self.record_in_with(f, |_| EventKind::StateExited {
            state_type: st.kind.type_name(),
            name: st.name.clone(),
            output: output.clone(),
        });
        match next {
            Some(n) => {
                let fr = self.frame_mut(f);
                fr.state = n;
                fr.input = output;
                fr.phase = Phase::Enter;
            }
            None => self.frame_done(f, Ok(output)),
        }
    }

    /// The cause prefix AWS puts on errors raised by a state's own data processing.
    pub fn state_failure(&self, f: FrameId, sid: StateId, (error, message): (String, String)) -> Failure {
        let cause = format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
            self.m.states[sid].name,
            self.frame(f).entered_event,
            message
        );
        Failure::new(error, cause)
    }

    /// Evaluates an `Assign` block against `value` and stores the variables in the frame.
    pub fn assign(
        &mut self,
        f: FrameId,
        sid: StateId,
        t: &crate::model::Template,
        value: &Value,
    ) -> Result<(), Failure> {
        let ctx = self.context(f, sid);
        let x = &mut *self.x;
        let fr = x.frames[f].as_ref().expect("live frame");
        let scope = Scope { input: value, context: &ctx, vars: fr.vars() };
        let assigned = super::io::apply_template(t, &scope, &mut x.rng);
        match assigned {
            Ok(Value::Object(o)) => {
                if let Err(e) = super::io::check_variables(&o, self.frame(f).vars()) {
                    return Err(self.state_failure(f, sid, e));
                }
                let vars = self.frame_mut(f).vars_mut();
                for (k, v) in o {
                    vars.insert(k, v);
                }
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(e) => Err(self.state_failure(f, sid, e)),
        }
    }

    /// A frame has ended: end the execution, or report to the parent Parallel/Map.
    pub fn frame_done(&mut self, f: FrameId, result: Result<Payload, Failure>) {
        self.cancel_waits_of(f);
        let parent = self.frame(f).parent;
        match parent {
            None => match result {
                Ok(output) => self.end_execution(Status::Succeeded, Some(output), None),
                Err(failure) => self.end_execution(Status::Failed, None, Some(failure)),
            },
            Some((p, index)) => {
                let last = self.frame(f).last_event;
                self.x.frames[f] = None;
                self.child_done(p, f, index, last, result.map(Payload::unwrap_or_clone));
            }
        }
    }

    /// Drops every wait that belongs to frame `f`, telling the driver.
    pub fn cancel_waits_of(&mut self, f: FrameId) {
        let ids: Vec<(WaitId, bool)> = self
            .x
            .waits
            .iter()
            .filter_map(|(k, w)| match w {
                Wake::Task(g) | Wake::MapRun(g) if *g == f => Some((*k, true)),
                Wake::Timer(g) | Wake::Retry(g) if *g == f => Some((*k, false)),
                Wake::TaskTimeout { frame, .. } if *frame == f => Some((*k, false)),
                _ => None,
            })
            .collect();
        for (id, is_task) in ids {
            if matches!(self.x.waits.get(&id), Some(Wake::MapRun(_))) {
                self.record_in(f, EventKind::MapRunAborted);
            }
            self.x.waits.remove(&id);
            self.cmds.push(if is_task { Command::CancelTask { id } } else { Command::CancelTimer { id } });
        }
    }

    /// Stops frame `f` and everything below it (a failed sibling, a stop, a timeout).
    pub fn abort_frame(&mut self, f: FrameId) {
        let Some(fr) = self.x.frames[f].as_mut() else { return };
        let phase = std::mem::replace(&mut fr.phase, Phase::Done);
        if let Phase::WaitingChildren(ch) = phase {
            let _ = ch;
            for c in self.children_of(f) {
                self.abort_frame(c);
            }
        }
        self.cancel_waits_of(f);
        self.x.frames[f] = None;
    }

    /// The live frames whose parent is `p`.
    pub fn children_of(&self, p: FrameId) -> Vec<FrameId> {
        (0..self.x.frames.len())
            .filter(|&c| self.x.frames[c].as_ref().is_some_and(|fr| fr.parent.is_some_and(|(q, _)| q == p)))
            .collect()
    }

    pub fn end_execution(&mut self, status: Status, output: Option<Payload>, failure: Option<Failure>) {
        self.x.redrive_point = match (status, self.x.frames.first().and_then(Option::as_ref)) {
            (Status::Succeeded, _) | (_, None) => None,
            (_, Some(root)) => {
                // Stopped or timed out while its children ran: those that succeeded count.
                let kept = match &root.phase {
                    Phase::WaitingChildren(ch) => Some(ch.successes()),
                    _ => root.kept.clone(),
                };
                let (state, input, vars, map_run) =
                    (root.state, root.input.clone(), root.vars.clone(), root.map_run.clone());
                Some(RedrivePoint { state, input, vars, kept, map_run })
            }
        };
        for f in 0..self.x.frames.len() {
            if self.x.frames[f].is_some() {
                self.abort_frame(f);
            }
        }
        let timers: Vec<WaitId> = self.x.waits.keys().copied().collect();
        for id in timers {
            self.cmds.push(Command::CancelTimer { id });
        }
        self.x.waits.clear();
        self.x.ready.clear();
        let prev = self.x.event_count();
        let kind = match status {
            Status::Succeeded => EventKind::ExecutionSucceeded { output: output.clone().unwrap_or_default() },
            Status::Failed => {
                let f = failure.clone().unwrap_or_else(|| Failure::new("", ""));
                EventKind::ExecutionFailed { error: f.error, cause: f.cause }
            }
            Status::TimedOut => {
                let f = failure.clone().unwrap_or_else(|| Failure::new(error_names::TIMEOUT, ""));
                EventKind::ExecutionTimedOut { error: f.error, cause: f.cause }
            }
            Status::Aborted => {
                let f = failure.clone().unwrap_or_else(|| Failure::new("", ""));
                EventKind::ExecutionAborted { error: f.error, cause: f.cause }
            }
            Status::Running => unreachable!("an execution ends with a final status"),
        };
        self.record(prev, kind);
        self.x.status = status;
        self.x.output = output;
        self.x.failure = failure;
        self.x.stop_time = Some(self.now);
    }
}
