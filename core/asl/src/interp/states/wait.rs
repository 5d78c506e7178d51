//! Wait: delays for a number of seconds or until a timestamp. The interpreter only asks
//! for a timer; the driver decides whether time is real or virtual.

use super::super::errors::Failure;
use super::super::events::Command;
use super::super::exec::{Flow, Interp};
use super::super::execution::Wake;
use super::super::frame::{FrameId, Phase};
use super::super::io;
use crate::error_names;
use crate::model::{StateId, StateKind, WaitFor};
use crate::path::{JsonPath, PathError, Scope};
use crate::time::parse_timestamp;
use serde_json::Value;

/// The value a `SecondsPath` / `TimestampPath` selects. A path that matches nothing fails
/// with AWS's wording for the Wait fields, not the generic "Invalid path" of InputPath.
fn select_wait_path(p: &JsonPath, scope: &Scope<'_>, field: &str) -> Result<Value, (String, String)> {
    p.select(scope).map_err(|e| {
        let cause = match e {
            PathError::NoResults { .. } | PathError::MissingProperty { .. } => {
                format!("The {field} parameter does not reference an input value: {}", p.source())
            }
            other => other.to_string(),
        };
        (error_names::RUNTIME.to_string(), cause)
    })
}

impl Interp<'_> {
    pub(in super::super) fn act_wait(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Wait(w) = &m.states[sid].kind else { unreachable!() };
        let effective = self.effective_input(f, sid)?;
        if let Some(j) = m.states[sid].jsonata.as_ref().filter(|j| j.seconds.is_some() || j.timestamp.is_some()) {
            let states = self.states_value(f, sid, &effective, None);
            let fire_at = if let Some(t) = &j.seconds {
                let n = self.jnumber(f, sid, t, "Seconds", &states)?;
                if n < 0.0 || n.fract() != 0.0 {
                    let msg = format!("The JSONata expression '{}' specified for the field 'Seconds' must return a non-negative integer, but returned {n}", t.text());
                    return Err(self.query_failure(f, sid, msg));
                }
                self.now.saturating_add((n * 1000.0) as i64)
            } else {
                let t = j.timestamp.as_ref().expect("checked above");
                let v = self.jeval(f, sid, t, "Timestamp", &states)?;
                match v.as_str().and_then(parse_timestamp) {
                    Some(at) => at,
                    None => {
                        let msg = format!("The JSONata expression '{}' specified for the field 'Timestamp' must return an ISO-8601 timestamp, but returned {v}", t.text());
                        return Err(self.query_failure(f, sid, msg));
                    }
                }
            };
            let fire_at = self.scaled(fire_at);
            let id = self.new_wait(Wake::Timer(f));
            self.cmds.push(Command::StartTimer { id, fire_at });
            self.frame_mut(f).phase = Phase::WaitingTimer;
            return Ok(Flow::Blocked);
        }
        let rt = |m: String| (error_names::RUNTIME.to_string(), m);
        let fire_at = match w {
            WaitFor::Seconds(s) => self.now + (*s * 1000.0) as i64,
            WaitFor::Timestamp(at) => *at,
            WaitFor::SecondsPath(p) => {
                let v = self.with_scope(f, sid, &effective, |s, _| select_wait_path(p, s, "SecondsPath"))?;
                let secs = match &v {
                    Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
                    _ => {
                        return Err(self.state_failure(
                            f,
                            sid,
                            rt(format!(
                                "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                                p.source(),
                                io::raw_text(&v)
                            )),
                        ));
                    }
                };
                if secs < 0 {
                    return Err(self.state_failure(
                        f,
                        sid,
                        rt(format!("The SecondsPath parameter references a negative value: {} == {v}", p.source())),
                    ));
                }
                self.now.saturating_add(secs.saturating_mul(1000))
            }
            WaitFor::TimestampPath(p) => {
                let v = self.with_scope(f, sid, &effective, |s, _| select_wait_path(p, s, "TimestampPath"))?;
                match v.as_str().and_then(parse_timestamp) {
                    Some(t) => t,
                    None => {
                        return Err(self.state_failure(f, sid, rt(format!("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}", p.source(), io::raw_text(&v)))));
                    }
                }
            }
        };
        let fire_at = self.scaled(fire_at);
        let id = self.new_wait(Wake::Timer(f));
        self.cmds.push(Command::StartTimer { id, fire_at });
        self.frame_mut(f).phase = Phase::WaitingTimer;
        Ok(Flow::Blocked)
    }

    /// A wait until `fire_at`, its remaining time scaled by the machine's `wait_scale`.
    fn scaled(&self, fire_at: crate::time::Millis) -> crate::time::Millis {
        let scale = self.m.wait_scale;
        if scale == 1.0 || fire_at <= self.now {
            return fire_at;
        }
        self.now + ((fire_at - self.now) as f64 * scale) as crate::time::Millis
    }

    pub(in super::super) fn complete_wait(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        if let Some(j) = &m.states[sid].jsonata {
            let input = self.frame(f).input.clone();
            let output =
                self.jsonata_output(f, sid, &input, None, j.output.as_ref(), j.assign.as_ref(), input.clone())?;
            return Ok(Flow::Exit { output });
        }
        let effective = self.effective_input(f, sid)?;
        if let Some(a) = &self.m.states[sid].assign {
            self.assign(f, sid, a, &effective)?;
        }
        let output = self.output_path(f, sid, effective)?;
        Ok(Flow::Exit { output })
    }
}
