//! A state's error meets its `Retry` (wait and enter again) and then its `Catch` (go on
//! at the catcher's state with the error as data).

use super::errors::{error_matches, is_uncatchable, Failure};
use super::events::Command;
use super::exec::Interp;
use super::execution::Wake;
use super::frame::{FrameId, Phase};
use crate::entropy::Entropy;
use crate::history::{EventKind, Payload};
use crate::model::{Catcher, Retrier, StateId, StateKind};

impl<'a> Interp<'a> {
    fn retry_catch(&self, sid: StateId) -> (&'a [Retrier], &'a [Catcher]) {
        match &self.m.states[sid].kind {
            StateKind::Task(t) => (&t.retry, &t.catch),
            StateKind::Parallel(p) => (&p.retry, &p.catch),
            StateKind::Map(m) => (&m.retry, &m.catch),
            _ => (&[], &[]),
        }
    }

    /// Applies Retry, then Catch. Returns true when the frame goes on running.
    pub(super) fn on_error(&mut self, f: FrameId, sid: StateId, failure: Failure) -> bool {
        let (retriers, catchers) = self.retry_catch(sid);
        let children_failed = std::mem::take(&mut self.frame_mut(f).children_failed);
        if !is_uncatchable(&failure.error) {
            if let Some(i) = retriers.iter().position(|r| error_matches(&r.error_equals, &failure.error)) {
                let r = &retriers[i];
                let used = self.frame(f).attempts[i];
                if used < r.max_attempts {
                    let mut delay = r.interval_seconds * r.backoff_rate.powi(used as i32);
                    if let Some(max) = r.max_delay_seconds {
                        delay = delay.min(max);
                    }
                    if r.jitter_full {
                        delay *= self.x.rng.next_f64();
                    }
                    let fr = self.frame_mut(f);
                    fr.attempts[i] += 1;
                    fr.retry_count += 1;
                    let id = self.new_wait(Wake::Retry(f));
                    let delay = delay * self.m.wait_scale;
                    self.cmds.push(Command::StartTimer { id, fire_at: self.now + (delay * 1000.0) as i64 });
                    self.frame_mut(f).phase = Phase::WaitingTimer;
                    return false;
                }
            }
        }
        if children_failed {
            let failed = match self.m.states[sid].kind {
                StateKind::Map(_) => EventKind::MapStateFailed,
                _ => EventKind::ParallelStateFailed,
            };
            self.record_in(f, failed);
        }
        if !is_uncatchable(&failure.error) {
            if let Some(i) = catchers.iter().position(|c| error_matches(&c.error_equals, &failure.error)) {
                let c = &catchers[i];
                let raw = self.frame(f).input.clone();
                let error_output = Payload::new(failure.to_output());
                let m = self.m;
                let caught = match m.states[sid].jsonata.as_deref() {
                    Some(j) => {
                        let jc = j.catch.get(i);
                        let output = jc.and_then(|c| c.output.as_ref());
                        let assign = jc.and_then(|c| c.assign.as_ref());
                        let extra = Some(("errorOutput", failure.to_output()));
                        self.jsonata_output(f, sid, &raw, extra, output, assign, error_output)
                    }
                    None => {
                        let assigned = match &c.assign {
                            Some(a) => self.assign(f, sid, a, &error_output),
                            None => Ok(()),
                        };
                        assigned.and_then(|()| {
                            super::io::apply_result_path(&c.result_path, &raw, error_output)
                                .map_err(|e| self.state_failure(f, sid, e))
                        })
                    }
                };
                match caught {
                    Ok(output) => {
                        self.exit(f, sid, output, Some(c.next));
                        return true;
                    }
                    Err(fail) => {
                        self.frame_done(f, Err(fail));
                        return false;
                    }
                }
            }
        }
        self.frame_done(f, Err(failure));
        false
    }
}
