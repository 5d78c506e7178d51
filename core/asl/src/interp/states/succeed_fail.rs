//! Succeed and Fail: the two terminal state types.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::FrameId;
use crate::error_names;
use crate::history::EventKind;
use crate::model::{select_field, ErrorSource, StateId, StateKind};
use serde_json::Value;

impl Interp<'_> {
    pub(in super::super) fn act_succeed(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        let output = if let Some(j) = &m.states[sid].jsonata {
            let input = self.frame(f).input.clone();
            self.jsonata_output(f, sid, &input, None, j.output.as_ref(), j.assign.as_ref(), input.clone())?
        } else {
            let effective = self.effective_input(f, sid)?;
            let output = self.output_path(f, sid, effective)?;
            if let Some(a) = &m.states[sid].assign {
                self.assign(f, sid, a, &output)?;
            }
            output
        };
        let name = self.m.states[sid].name.clone();
        self.record_in(f, EventKind::StateExited { state_type: "Succeed", name, output: output.clone() });
        Ok(Flow::Succeed(output))
    }

    pub(in super::super) fn act_fail(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let StateKind::Fail { error, cause } = &self.m.states[sid].kind else { unreachable!() };
        let raw = self.frame(f).input.clone();
        let eval = |this: &mut Self, src: &ErrorSource, field: &str| -> Result<String, Failure> {
            match src {
                ErrorSource::None => Ok(String::new()),
                ErrorSource::Literal(s) => Ok(s.clone()),
                ErrorSource::Path(p) => {
                    let v = this.with_scope(f, sid, &raw, |s, _| {
                        select_field(p, s, || format!("{field}Path"))
                            .map_err(|e| (error_names::RUNTIME.to_string(), e.to_string()))
                    })?;
                    match v {
                        Value::String(s) => Ok(s),
                        other => Err(this.state_failure(
                            f,
                            sid,
                            (
                                error_names::RUNTIME.into(),
                                format!(
                                    "The {field}Path '{}' must resolve to a string, but it resolved to {other}",
                                    p.source()
                                ),
                            ),
                        )),
                    }
                }
                ErrorSource::Intrinsic(i) => {
                    let v = this.with_scope(f, sid, &raw, |s, rng| {
                        i.eval(s, rng).map_err(|e| (e.error_name().to_string(), e.to_string()))
                    })?;
                    Ok(match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                }
            }
        };
        let (error, cause) = match &self.m.states[sid].jsonata {
            Some(j) => {
                let states = self.states_value(f, sid, &raw, None);
                let text =
                    |this: &mut Self, t: Option<&crate::model::jsonata::Jt>, field: &str| -> Result<String, Failure> {
                        Ok(match t {
                            None => String::new(),
                            Some(t) => match this.jeval(f, sid, t, field, &states)? {
                                Value::String(s) => s,
                                other => other.to_string(),
                            },
                        })
                    };
                (text(self, j.error.as_ref(), "Error")?, text(self, j.cause.as_ref(), "Cause")?)
            }
            None => (eval(self, error, "Error")?, eval(self, cause, "Cause")?),
        };
        self.frame_done(f, Err(Failure::new(error, cause)));
        Ok(Flow::Blocked)
    }
}
