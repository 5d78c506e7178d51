//! What each state type does. Every file adds the methods of one state type to the
//! interpreter; `act` runs a state's work, `complete` processes what it waited for.

mod children;
mod choice;
mod map;
mod map_limits;
mod map_run;
mod parallel;
mod pass;
mod succeed_fail;
mod task;
#[cfg(test)]
mod tests;
mod wait;

use super::errors::Failure;
use super::exec::{Flow, Interp};
use super::frame::FrameId;
use super::io;
use crate::history::Payload;
use crate::model::jsonata::JsonataFields;
use crate::model::{IoPath, ResultPath, StateId, StateKind, Template};
use crate::path::Scope;
use serde_json::Value;

impl Interp<'_> {
    pub(super) fn act(&mut self, f: FrameId, sid: StateId) -> Flow {
        let r = match &self.m.states[sid].kind {
            StateKind::Pass { .. } => self.act_pass(f, sid),
            StateKind::Task(_) => self.act_task(f, sid),
            StateKind::Choice { .. } => self.act_choice(f, sid),
            StateKind::Wait(_) => self.act_wait(f, sid),
            StateKind::Succeed => self.act_succeed(f, sid),
            StateKind::Fail { .. } => self.act_fail(f, sid),
            StateKind::Parallel(_) => self.act_parallel(f, sid),
            StateKind::Map(_) => self.act_map(f, sid),
        };
        r.unwrap_or_else(Flow::Error)
    }

    pub(super) fn complete(&mut self, f: FrameId, sid: StateId, result: Result<Value, Failure>) -> Flow {
        let r = match &self.m.states[sid].kind {
            StateKind::Task(_) => self.complete_task(f, sid, result),
            StateKind::Wait(_) => self.complete_wait(f, sid),
            StateKind::Parallel(_) => self.complete_parallel(f, sid, result),
            StateKind::Map(_) => self.complete_map(f, sid, result),
            _ => unreachable!("only Task, Wait, Parallel and Map states wait"),
        };
        r.unwrap_or_else(Flow::Error)
    }

    /// Evaluates a path-like step with the frame's context and variables.
    pub(super) fn with_scope<T>(
        &mut self,
        f: FrameId,
        sid: StateId,
        input: &Value,
        run: impl FnOnce(&Scope<'_>, &mut dyn crate::entropy::Entropy) -> io::IoResult<T>,
    ) -> Result<T, Failure> {
        let ctx = self.context(f, sid);
        let x = &mut *self.x;
        let fr = x.frames[f].as_ref().expect("live frame");
        let scope = Scope { input, context: &ctx, vars: fr.vars() };
        let r = run(&scope, &mut x.rng);
        r.map_err(|e| self.state_failure(f, sid, e))
    }

    /// `InputPath` applied to the frame's raw input.
    pub(super) fn effective_input(&mut self, f: FrameId, sid: StateId) -> Result<Payload, Failure> {
        let p = &self.m.states[sid].input_path;
        let raw = self.frame(f).input.clone();
        if matches!(p, IoPath::Identity) {
            return Ok(raw);
        }
        self.with_scope(f, sid, &raw, |s, _| io::apply_io_path(p, s)).map(Payload::new)
    }

    /// `Parameters` (or any payload template) applied to `input`.
    pub(super) fn template(
        &mut self,
        f: FrameId,
        sid: StateId,
        t: Option<&Template>,
        input: Payload,
    ) -> Result<Payload, Failure> {
        match t {
            None => Ok(input),
            Some(t) => self.with_scope(f, sid, &input, |s, rng| io::apply_template(t, s, rng)).map(Payload::new),
        }
    }

    /// ResultSelector, Assign, ResultPath and OutputPath on a state's result.
    pub(super) fn finish_result(
        &mut self,
        f: FrameId,
        sid: StateId,
        result: Payload,
        selector: Option<&Template>,
        result_path: &ResultPath,
    ) -> Result<Payload, Failure> {
        let result = self.template(f, sid, selector, result)?;
        if let Some(a) = &self.m.states[sid].assign {
            self.assign(f, sid, a, &result)?;
        }
        let raw = self.frame(f).input.clone();
        let merged = io::apply_result_path(result_path, &raw, result).map_err(|e| self.state_failure(f, sid, e))?;
        self.output_path(f, sid, merged)
    }

    /// Output and Assign of a JSONata Task, Parallel or Map with its result.
    pub(super) fn jsonata_result(
        &mut self,
        f: FrameId,
        sid: StateId,
        j: &JsonataFields,
        result: Value,
    ) -> Result<Payload, Failure> {
        let raw = self.frame(f).input.clone();
        if j.output.is_none() && j.assign.is_none() {
            return Ok(Payload::new(result));
        }
        let states = self.states_value(f, sid, &raw, Some(("result", result.clone())));
        self.jsonata_output_in(f, sid, &states, j.output.as_ref(), j.assign.as_ref(), Payload::new(result))
    }

    pub(super) fn output_path(&mut self, f: FrameId, sid: StateId, v: Payload) -> Result<Payload, Failure> {
        let p = &self.m.states[sid].output_path;
        if matches!(p, IoPath::Identity) {
            return Ok(v);
        }
        self.with_scope(f, sid, &v, |s, _| io::apply_io_path(p, s)).map(Payload::new)
    }
}
