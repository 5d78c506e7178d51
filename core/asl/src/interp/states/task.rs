//! Task: hands its effective input to a worker and waits for the answer, with timeouts,
//! heartbeats, Retry and Catch.

use super::super::errors::Failure;
use super::super::events::{Command, TaskRequest};
use super::super::exec::{Flow, Interp};
use super::super::execution::Wake;
use super::super::frame::{FrameId, Phase};
use super::super::io;
use crate::entropy::Entropy;
use crate::error_names;
use crate::history::{EventKind, Payload, TaskFamily, TaskRef};
use crate::model::{IntegrationPattern, NumberSource, ResourceKind, StateId, StateKind, Task};
use serde_json::Value;

fn task_ref(t: &Task) -> std::sync::Arc<TaskRef> {
    let (family, resource_type) = match &t.target.kind {
        ResourceKind::LambdaFunction => (TaskFamily::Lambda, String::new()),
        ResourceKind::Activity => (TaskFamily::Activity, String::new()),
        ResourceKind::Service { service, .. } => (TaskFamily::Service, service.clone()),
    };
    std::sync::Arc::new(TaskRef { family, resource: t.resource.clone(), resource_type })
}

impl Interp<'_> {
    fn task_of(&self, sid: StateId) -> &Task {
        let StateKind::Task(t) = &self.m.states[sid].kind else { unreachable!("a Task state") };
        t
    }

    fn seconds(
        &mut self,
        f: FrameId,
        sid: StateId,
        src: Option<&NumberSource>,
        field: &str,
    ) -> Result<Option<u64>, Failure> {
        match src {
            None => Ok(None),
            Some(NumberSource::Literal(n)) => Ok(Some(*n as u64)),
            Some(NumberSource::Path(p)) => {
                let raw = self.effective_input(f, sid)?;
                let v = self.with_scope(f, sid, &raw, |s, _| {
                    p.select(s).map_err(|e| (error_names::RUNTIME.to_string(), e.to_string()))
                })?;
                match v.as_u64() {
                    Some(n) if n > 0 => Ok(Some(n)),
                    _ => Err(self.state_failure(
                        f,
                        sid,
                        (error_names::RUNTIME.into(), format!("The {field}Path field refers to value \"{v}\" which is not a valid positive integer: {}", p.source())),
                    )),
                }
            }
        }
    }

    pub(in super::super) fn task_heartbeat_seconds(&self, f: FrameId) -> Option<u64> {
        let sid = self.frame(f).state;
        match &self.task_of(sid).heartbeat {
            Some(NumberSource::Literal(n)) => Some(*n as u64),
            _ => None,
        }
    }

    pub(in super::super) fn act_task(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Task(t) = &m.states[sid].kind else { unreachable!() };
        if t.target.pattern == IntegrationPattern::WaitForTaskToken || self.frame(f).task_token.is_none() {
            let token = format!("{:016x}{:016x}", self.x.rng.next_u64(), self.x.rng.next_u64());
            self.frame_mut(f).task_token = Some(token);
        }
        let (input, timeout_seconds, heartbeat_seconds) = match &m.states[sid].jsonata {
            Some(j) => {
                let raw = self.frame(f).input.clone();
                let states = self.states_value(f, sid, &raw, None);
                let input = match &j.arguments {
                    Some(a) => self.jeval(f, sid, a, "Arguments", &states)?,
                    None => Payload::unwrap_or_clone(raw),
                };
                let secs = |this: &mut Self,
                            e: Option<&crate::model::jsonata::Jt>,
                            lit: Option<&NumberSource>,
                            field: &str|
                 -> Result<Option<u64>, Failure> {
                    match (e, lit) {
                        (Some(e), _) => this.jnumber(f, sid, e, field, &states).map(|n| Some(n.max(0.0) as u64)),
                        (None, Some(NumberSource::Literal(n))) => Ok(Some(*n as u64)),
                        _ => Ok(None),
                    }
                };
                let timeout = secs(self, j.timeout_seconds.as_ref(), t.timeout.as_ref(), "TimeoutSeconds")?;
                let heartbeat = secs(self, j.heartbeat_seconds.as_ref(), t.heartbeat.as_ref(), "HeartbeatSeconds")?;
                (input, timeout, heartbeat)
            }
            None => {
                let effective = self.effective_input(f, sid)?;
                let input = Payload::unwrap_or_clone(self.template(f, sid, t.parameters.as_ref(), effective)?);
                let timeout = self.seconds(f, sid, t.timeout.as_ref(), "TimeoutSeconds")?;
                let heartbeat = self.seconds(f, sid, t.heartbeat.as_ref(), "HeartbeatSeconds")?;
                (input, timeout, heartbeat)
            }
        };
        let task = task_ref(t);
        self.record_in(
            f,
            EventKind::TaskScheduled {
                task: task.clone(),
                parameters: Payload::new(input.clone()),
                timeout_seconds,
                heartbeat_seconds,
            },
        );
        self.record_in(f, EventKind::TaskStarted { task: task.clone() });
        if t.target.pattern != IntegrationPattern::RequestResponse {
            self.record_in(
                f,
                EventKind::TaskSubmitted {
                    task: task.clone(),
                    output: Payload::new(Value::Object(Default::default())),
                },
            );
        }
        let id = self.new_wait(Wake::Task(f));
        let mut timers = Vec::new();
        if let Some(s) = timeout_seconds {
            let tid = self.new_wait(Wake::TaskTimeout { frame: f, task: id, heartbeat: false });
            self.cmds.push(Command::StartTimer { id: tid, fire_at: self.now + s as i64 * 1000 });
            timers.push(tid);
        }
        if let Some(s) = heartbeat_seconds {
            let tid = self.new_wait(Wake::TaskTimeout { frame: f, task: id, heartbeat: true });
            self.cmds.push(Command::StartTimer { id: tid, fire_at: self.now + s as i64 * 1000 });
            timers.push(tid);
        }
        let fr = self.frame(f);
        let request = TaskRequest {
            id,
            task: TaskRef::clone(&task),
            target: t.target.name.clone(),
            answer: t.target.answer,
            state_name: m.states[sid].name.to_string(),
            input,
            token: fr.task_token.clone().unwrap_or_default(),
            timeout_seconds,
            heartbeat_seconds,
            retry_count: fr.retry_count,
            entered_time: fr.entered_time,
            wait_for_token: t.target.pattern == IntegrationPattern::WaitForTaskToken,
        };
        self.cmds.push(Command::ScheduleTask(Box::new(request)));
        self.frame_mut(f).phase = Phase::WaitingTask { timers };
        Ok(Flow::Blocked)
    }

    /// A worker answered (or the task timed out): record it and resume the frame.
    pub(in super::super) fn task_answered(&mut self, f: FrameId, result: Result<Value, Failure>) {
        if let Phase::WaitingTask { timers, .. } = std::mem::replace(&mut self.frame_mut(f).phase, Phase::Done) {
            for id in timers {
                if self.x.waits.remove(&id).is_some() {
                    self.cmds.push(Command::CancelTimer { id });
                }
            }
        }
        let sid = self.frame(f).state;
        let t = self.task_of(sid);
        let task = task_ref(t);
        let result = match result {
            Ok(v) if io::payload_too_large(&v, self.m.max_payload) => {
                let name = match &t.target.kind {
                    ResourceKind::Service { service, .. } => service.clone(),
                    _ => t.resource.clone(),
                };
                Err(Failure::new(
                    error_names::DATA_LIMIT_EXCEEDED,
                    format!("The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."),
                ))
            }
            r => r,
        };
        match &result {
            Ok(v) => {
                self.record_in(f, EventKind::TaskSucceeded { task, output: Payload::new(v.clone()) });
            }
            Err(e) if e.error == error_names::TIMEOUT || e.error == error_names::HEARTBEAT_TIMEOUT => {
                self.record_in(f, EventKind::TaskTimedOut { task, error: e.error.clone(), cause: e.cause.clone() });
            }
            Err(e) => {
                self.record_in(f, EventKind::TaskFailed { task, error: e.error.clone(), cause: e.cause.clone() });
            }
        }
        self.frame_mut(f).phase = Phase::Completed(result);
        self.x.ready.push_back(f);
    }

    pub(in super::super) fn complete_task(
        &mut self,
        f: FrameId,
        sid: StateId,
        result: Result<Value, Failure>,
    ) -> Result<Flow, Failure> {
        let result = result?;
        let m = self.m;
        let StateKind::Task(t) = &m.states[sid].kind else { unreachable!() };
        if let Some(j) = &m.states[sid].jsonata {
            return self.jsonata_result(f, sid, j, result).map(|output| Flow::Exit { output });
        }
        let output = self.finish_result(f, sid, Payload::new(result), t.result_selector.as_ref(), &t.result_path)?;
        Ok(Flow::Exit { output })
    }
}
