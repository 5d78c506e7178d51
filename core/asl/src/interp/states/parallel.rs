//! Parallel: runs every branch on the same input; the output is the array of their outputs.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::FrameId;
use super::children::new_children;
use crate::history::{EventKind, Payload};
use crate::model::{StateId, StateKind};
use serde_json::Value;

impl Interp<'_> {
    pub(in super::super) fn act_parallel(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Parallel(p) = &m.states[sid].kind else { unreachable!() };
        let input = match &m.states[sid].jsonata {
            Some(j) => {
                let raw = self.frame(f).input.clone();
                match &j.arguments {
                    Some(a) => {
                        let states = self.states_value(f, sid, &raw, None);
                        Payload::new(self.jeval(f, sid, a, "Arguments", &states)?)
                    }
                    None => raw,
                }
            }
            None => {
                let effective = self.effective_input(f, sid)?;
                self.template(f, sid, p.parameters.as_ref(), effective)?
            }
        };
        self.record_in(f, EventKind::ParallelStateStarted);
        let inputs = vec![input; p.branches.len()];
        Ok(self.spawn_children(f, new_children(false, inputs, 0)))
    }

    pub(in super::super) fn complete_parallel(
        &mut self,
        f: FrameId,
        sid: StateId,
        result: Result<Value, Failure>,
    ) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Parallel(p) = &m.states[sid].kind else { unreachable!() };
        match result {
            Ok(v) => {
                self.record_in(f, EventKind::ParallelStateSucceeded);
                if let Some(j) = &m.states[sid].jsonata {
                    return self.jsonata_result(f, sid, j, v).map(|output| Flow::Exit { output });
                }
                let output = self.finish_result(f, sid, Payload::new(v), p.result_selector.as_ref(), &p.result_path)?;
                Ok(Flow::Exit { output })
            }
            Err(e) => {
                // `ParallelStateFailed` is recorded once Retry has declined the error.
                self.frame_mut(f).children_failed = true;
                Err(e)
            }
        }
    }
}
