//! Choice: picks the next state by the first matching rule.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::FrameId;
use crate::model::{StateId, StateKind};

impl Interp<'_> {
    pub(in super::super) fn act_choice(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let StateKind::Choice { choices, default } = &self.m.states[sid].kind else { unreachable!() };
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
                return Err(self.state_failure(f, sid, ("States.NoChoiceMatched".into(), "No Matches!".into())));
            }
        };
        if let Some(a) = assign.or(self.m.states[sid].assign.as_ref()) {
            self.assign(f, sid, a, &effective)?;
        }
        let output = self.output_path(f, sid, effective)?;
        Ok(Flow::Goto { output, next })
    }
}
