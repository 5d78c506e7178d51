//! Choice: picks the next state by the first matching rule.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::FrameId;
use crate::error_names;
use crate::model::{StateId, StateKind};
use serde_json::Value;

impl Interp<'_> {
    pub(in super::super) fn act_choice(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Choice { choices, default } = &m.states[sid].kind else { unreachable!() };
        if let Some(j) = &m.states[sid].jsonata {
            let input = self.frame(f).input.clone();
            let states = self.states_value(f, sid, &input, None);
            for (c, jc) in choices.iter().zip(&j.choices) {
                match self.jeval(f, sid, &jc.condition, "Condition", &states)? {
                    Value::Bool(true) => {
                        let output = self.jsonata_output_in(
                            f,
                            sid,
                            &states,
                            jc.output.as_ref().or(j.output.as_ref()),
                            jc.assign.as_ref().or(j.assign.as_ref()),
                            input,
                        )?;
                        return Ok(Flow::Goto { output, next: c.next });
                    }
                    Value::Bool(false) => {}
                    other => {
                        let msg = format!(
                            "The JSONata expression '{}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '{}' for value: {other}",
                            jc.condition.text(),
                            super::super::jsonata::type_name(&other)
                        );
                        return Err(self.query_failure(f, sid, msg));
                    }
                }
            }
            let Some(d) = default else {
                return Err(self.state_failure(f, sid, (error_names::NO_CHOICE_MATCHED.into(), "No Matches!".into())));
            };
            let output = self.jsonata_output_in(f, sid, &states, j.output.as_ref(), j.assign.as_ref(), input)?;
            return Ok(Flow::Goto { output, next: *d });
        }
        let effective = self.effective_input(f, sid)?;
        let mut chosen = None;
        for c in choices {
            let hit = self.with_scope(f, sid, &effective, |s, _| {
                c.rule.matches(s).map_err(|e| (e.error_name().to_string(), e.to_string()))
            })?;
            if hit {
                chosen = Some((c.next, c.assign.as_ref()));
                break;
            }
        }
        let (next, assign) = match (chosen, default) {
            (Some(c), _) => c,
            (None, Some(d)) => (*d, None),
            (None, None) => {
                return Err(self.state_failure(f, sid, (error_names::NO_CHOICE_MATCHED.into(), "No Matches!".into())));
            }
        };
        if let Some(a) = assign.or(self.m.states[sid].assign.as_ref()) {
            self.assign(f, sid, a, &effective)?;
        }
        let output = self.output_path(f, sid, effective)?;
        Ok(Flow::Goto { output, next })
    }
}
