//! Evaluation of JSONata states' expressions: the `$states` binding, `Output` and
//! `Assign` (both read the variables as they were before the state assigns), and
//! `States.QueryEvaluationError` with its `EvaluationFailed` event.

use super::errors::Failure;
use super::exec::Interp;
use super::frame::FrameId;
use crate::error_names;
use crate::history::{EventKind, Payload};
use crate::model::jsonata::Jt;
use crate::model::StateId;
use serde_json::{Map, Value};
use stepline_jsonata::{Bindings, Env};

/// `$states` plus the workflow variables.
pub(super) struct Vars<'a> {
    pub(super) states: &'a Value,
    pub(super) vars: &'a Map<String, Value>,
}

impl Bindings for Vars<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        if name == "states" {
            Some(self.states)
        } else {
            self.vars.get(name)
        }
    }
}

pub const QUERY_ERROR: &str = error_names::QUERY_EVALUATION_ERROR;

impl Interp<'_> {
    /// `$states` for the current state: `input` and `context`, and `extra` members
    /// (`result`, `errorOutput`).
    pub(super) fn states_value(&self, f: FrameId, sid: StateId, input: &Value, extra: Option<(&str, Value)>) -> Value {
        let mut m = Map::with_capacity(3);
        m.insert("input".into(), input.clone());
        let ctx = self.context(f, sid);
        if !ctx.is_null() {
            m.insert("context".into(), ctx);
        }
        if let Some((k, v)) = extra {
            m.insert(k.into(), v);
        }
        Value::Object(m)
    }

    /// Evaluates `t` for `field` with `$states` = `states` and `$` = the state input.
    pub(super) fn jeval(
        &mut self,
        f: FrameId,
        sid: StateId,
        t: &Jt,
        field: &str,
        states: &Value,
    ) -> Result<Value, Failure> {
        let now = self.now;
        let x = &mut *self.x;
        let fr = x.frames[f].as_ref().expect("live frame");
        let vars = Vars { states, vars: fr.vars() };
        let input = states.get("input").unwrap_or(&Value::Null);
        let mut env = Env { rng: &mut x.rng, now_millis: now };
        let r = t.eval(field, input, &vars, &mut env);
        r.map_err(|msg| self.query_failure(f, sid, msg))
    }

    /// A `States.QueryEvaluationError` of this state, recorded as `EvaluationFailed`.
    pub(super) fn query_failure(&mut self, f: FrameId, sid: StateId, message: String) -> Failure {
        let failure = self.state_failure(f, sid, (QUERY_ERROR.to_string(), message));
        let state = self.m.states[sid].name.to_string();
        self.record_in(
            f,
            EventKind::EvaluationFailed(Box::new(crate::history::EvaluationFailure {
                state,
                error: failure.error.clone(),
                cause: failure.cause.clone(),
            })),
        );
        failure
    }

    /// Output and Assign of a JSONata state (or of a Choice rule or catcher that has its
    /// own): both see the variables as they were; the assignments apply afterwards.
    /// [`Interp::jsonata_output_in`] building `$states` only when there is something to
    /// evaluate: a state with neither `Output` nor `Assign` passes `default` on as is.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn jsonata_output(
        &mut self,
        f: FrameId,
        sid: StateId,
        input: &Value,
        extra: Option<(&str, Value)>,
        output: Option<&Jt>,
        assign: Option<&Jt>,
        default: Payload,
    ) -> Result<Payload, Failure> {
        if output.is_none() && assign.is_none() {
            return Ok(default);
        }
        let states = self.states_value(f, sid, input, extra);
        self.jsonata_output_in(f, sid, &states, output, assign, default)
    }

    pub(super) fn jsonata_output_in(
        &mut self,
        f: FrameId,
        sid: StateId,
        states: &Value,
        output: Option<&Jt>,
        assign: Option<&Jt>,
        default: Payload,
    ) -> Result<Payload, Failure> {
        let assigned = match assign {
            Some(a) => Some(self.jeval(f, sid, a, "Assign", states)?),
            None => None,
        };
        let out = match output {
            Some(o) => Payload::new(self.jeval(f, sid, o, "Output", states)?),
            None => default,
        };
        if let Some(Value::Object(vars)) = assigned {
            if let Err(e) = super::io::check_variables(&vars, self.frame(f).vars()) {
                return Err(self.state_failure(f, sid, e));
            }
            let own = self.frame_mut(f).vars_mut();
            for (k, v) in vars {
                own.insert(k, v);
            }
        }
        Ok(out)
    }

    /// A whole number from an expression field (`Seconds`, `MaxConcurrency`, ...).
    pub(super) fn jnumber(
        &mut self,
        f: FrameId,
        sid: StateId,
        t: &Jt,
        field: &str,
        states: &Value,
    ) -> Result<f64, Failure> {
        let v = self.jeval(f, sid, t, field, states)?;
        v.as_f64().ok_or_else(|| {
            self.query_failure(
                f,
                sid,
                format!(
                    "The JSONata expression '{}' specified for the field '{field}' returned an unexpected result type. Expected 'number', but was '{}' for value: {v}",
                    t.text(),
                    type_name(&v)
                ),
            )
        })
    }
}

/// JSON type names as AWS's messages spell them.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
