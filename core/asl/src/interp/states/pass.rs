//! Pass: passes its input (or `Result`, or `Parameters`) to its output.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::FrameId;
use crate::history::Payload;
use crate::model::{StateId, StateKind};

impl Interp<'_> {
    pub(in super::super) fn act_pass(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        if let Some(j) = &m.states[sid].jsonata {
            let input = self.frame(f).input.clone();
            let output =
                self.jsonata_output(f, sid, &input, None, j.output.as_ref(), j.assign.as_ref(), input.clone())?;
            return Ok(Flow::Exit { output });
        }
        let StateKind::Pass { result, parameters, result_path } = &m.states[sid].kind else { unreachable!() };
        let effective = self.effective_input(f, sid)?;
        let value = match result {
            Some(r) => Payload::new(r.clone()),
            None => self.template(f, sid, parameters.as_ref(), effective)?,
        };
        let output = self.finish_result(f, sid, value, None, result_path)?;
        Ok(Flow::Exit { output })
    }
}
