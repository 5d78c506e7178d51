//! Map: runs its item processor once per item of an array, up to `MaxConcurrency` at a
//! time, tolerating up to the configured failures.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::FrameId;
use super::super::io;
use super::children::new_children;
use crate::error_names;
use crate::history::{EventKind, Payload};
use crate::model::{ItemBatcher, NumberSource, StateId, StateKind};
use serde_json::Value;

use super::map_limits::Want;

/// Most bytes the `ItemSelector` results of one Map state may hold together: iterations
/// are built at once, so this bounds the memory one Map can take in a single step.
pub const MAX_MAP_INPUT_BYTES: usize = 64 * 1024 * 1024;

impl Interp<'_> {
    pub(super) fn map_number(
        &mut self,
        f: FrameId,
        sid: StateId,
        input: &Value,
        src: Option<&NumberSource>,
        field: &str,
        want: Want,
    ) -> Result<Option<f64>, Failure> {
        match src {
            None => Ok(None),
            Some(NumberSource::Literal(n)) => Ok(Some(*n)),
            Some(NumberSource::Path(p)) => {
                let v = self.with_scope(f, sid, input, |s, _| {
                    p.select(s).map_err(|e| (error_names::RUNTIME.to_string(), e.to_string()))
                })?;
                // AWS accepts a number, or a string holding one.
                let n = match (want, &v) {
                    (Want::Integer, Value::String(s)) => s.trim().parse::<i64>().ok().map(|n| n as f64),
                    (Want::Float, Value::String(s)) => s.trim().parse::<f64>().ok(),
                    (Want::Integer, _) => v.as_i64().map(|n| n as f64),
                    (Want::Float, _) => v.as_f64(),
                };
                n.map(Some).ok_or_else(|| {
                    let kind = match want {
                        Want::Integer => "integer",
                        Want::Float => "float",
                    };
                    self.state_failure(
                        f,
                        sid,
                        (
                            error_names::RUNTIME.into(),
                            format!(
                                "The {field}Path field refers to value \"{}\" which is not a valid {kind}: {}",
                                io::raw_text(&v),
                                p.source()
                            ),
                        ),
                    )
                })
            }
        }
    }

    pub(in super::super) fn act_map(&mut self, f: FrameId, sid: StateId) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Map(map) = &m.states[sid].kind else { unreachable!() };
        let jsonata = m.states[sid].jsonata.as_deref();
        let effective = match jsonata {
            Some(_) => self.frame(f).input.clone(),
            None => self.effective_input(f, sid)?,
        };
        let states = jsonata.map(|_| self.states_value(f, sid, &effective, None));
        // A Map Run reads its items itself (`ItemReader`): the state input is not the list.
        let external = map.distributed && m.map_runs;
        let reader = map.run.as_ref().filter(|_| external).and_then(|r| r.item_reader.as_deref());
        if !external && map.run.as_ref().is_some_and(|r| r.item_reader.is_some() || r.result_writer.is_some()) {
            return Err(self.state_failure(
                f,
                sid,
                (
                    error_names::RUNTIME.into(),
                    "ItemReader and ResultWriter are run by the engine's Map Runs; this runner runs Distributed Maps inline over the state input".into(),
                ),
            ));
        }
        let items_value = match (jsonata, &states) {
            _ if reader.is_some() => Value::Array(Vec::new()),
            (Some(j), Some(states)) => {
                let v = match &j.items {
                    Some(t) => self.jeval(f, sid, t, "Items", states)?,
                    None => Value::clone(&effective),
                };
                if !v.is_array() {
                    let msg = match &j.items {
                        Some(t) => format!(
                            "The JSONata expression '{}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {v}",
                            t.text(),
                            super::super::jsonata::type_name(&v)
                        ),
                        None => format!("Map state input must be an array but was: {v}"),
                    };
                    let failure = self.query_failure(f, sid, msg);
                    self.frame_mut(f).children_failed = true;
                    return Err(failure);
                }
                v
            }
            _ => match &map.items {
                Some(t) => Payload::unwrap_or_clone(self.template(f, sid, Some(t), effective.clone())?),
                None => self.with_scope(f, sid, &effective, |s, _| io::apply_io_path(&map.items_path, s))?,
            },
        };
        let Value::Array(items) = items_value else {
            return Err(self.state_failure(
                f,
                sid,
                (error_names::RUNTIME.into(), format!("Map state input must be an array but was: {items_value}")),
            ));
        };
        let (max, count, pct) = match (jsonata, &states) {
            (Some(j), Some(states)) => {
                let num = |this: &mut Self,
                           t: Option<&crate::model::jsonata::Jt>,
                           lit: Option<&NumberSource>,
                           field: &str|
                 -> Result<Option<f64>, Failure> {
                    match (t, lit) {
                        (Some(t), _) => this.jnumber(f, sid, t, field, states).map(Some),
                        (None, Some(NumberSource::Literal(n))) => Ok(Some(*n)),
                        _ => Ok(None),
                    }
                };
                let max = num(self, j.max_concurrency.as_ref(), map.max_concurrency.as_ref(), "MaxConcurrency")?;
                self.record_in(f, EventKind::MapStateStarted { length: items.len() });
                let count = num(
                    self,
                    j.tolerated_failure_count.as_ref(),
                    map.tolerated_failure_count.as_ref(),
                    "ToleratedFailureCount",
                )?;
                let pct = num(
                    self,
                    j.tolerated_failure_percentage.as_ref(),
                    map.tolerated_failure_percentage.as_ref(),
                    "ToleratedFailurePercentage",
                )?;
                (max, count, pct)
            }
            _ => {
                let max =
                    self.map_number(f, sid, &effective, map.max_concurrency.as_ref(), "MaxConcurrency", Want::Integer)?;
                self.record_in(f, EventKind::MapStateStarted { length: items.len() });
                let count = self.map_number(
                    f,
                    sid,
                    &effective,
                    map.tolerated_failure_count.as_ref(),
                    "ToleratedFailureCount",
                    Want::Integer,
                )?;
                let pct = self.map_number(
                    f,
                    sid,
                    &effective,
                    map.tolerated_failure_percentage.as_ref(),
                    "ToleratedFailurePercentage",
                    Want::Float,
                )?;
                (max, count, pct)
            }
        };
        if count.is_some_and(|c| c < 0.0) {
            return Err(self.state_failure(
                f,
                sid,
                (error_names::RUNTIME.into(), "ToleratedFailureCount cannot be negative.".into()),
            ));
        }
        if pct.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(self.state_failure(
                f,
                sid,
                (error_names::RUNTIME.into(), "ToleratedFailurePercentage must be between 0 and 100.".into()),
            ));
        }
        if max.is_some_and(|m| m < 0.0) {
            return Err(self.state_failure(
                f,
                sid,
                (error_names::RUNTIME.into(), "MaxConcurrency cannot be negative.".into()),
            ));
        }
        // Every iteration records at least two events: a Map whose iterations cannot fit in
        // the history fails now, before it builds their inputs.
        if !map.distributed && !self.frame(f).silent {
            let used = self.x.event_count() - self.step_base;
            if used + 2 * items.len() as u64 + 2 >= self.m.max_history_events {
                self.x.halted = Some(super::super::execution::Halt::HistoryFull);
                return Ok(Flow::Blocked);
            }
        }
        // Every iteration's input: ItemSelector (with `$$.Map.Item`) or the item itself.
        let items: Vec<Payload> = items.into_iter().map(Payload::new).collect();
        let mut inputs = Vec::with_capacity(items.len());
        let mut selected_bytes = 0;
        for (i, item) in items.iter().enumerate() {
            let selector = jsonata.and_then(|j| j.item_selector.as_ref());
            let input = match &map.item_selector {
                _ if selector.is_some() => {
                    self.frame_mut(f).map_item = Some((i, item.clone()));
                    let states = self.states_value(f, sid, &effective, None);
                    let r = self.jeval(f, sid, selector.expect("checked"), "ItemSelector", &states);
                    self.frame_mut(f).map_item = None;
                    Payload::new(r?)
                }
                None => item.clone(),
                Some(t) => {
                    self.frame_mut(f).map_item = Some((i, item.clone()));
                    let r = self.with_scope(f, sid, &effective, |s, rng| io::apply_template(t, s, rng));
                    self.frame_mut(f).map_item = None;
                    Payload::new(r?)
                }
            };
            if !Payload::ptr_eq(&input, item) {
                selected_bytes += io::json_len(&input, MAX_MAP_INPUT_BYTES + 1);
                if selected_bytes > MAX_MAP_INPUT_BYTES {
                    let name = &self.m.states[sid].name;
                    return Err(Failure::new(
                        error_names::DATA_LIMIT_EXCEEDED,
                        format!("The iteration inputs of the Map state '{name}' are larger than the limit of {MAX_MAP_INPUT_BYTES} bytes in total."),
                    ));
                }
            }
            inputs.push(input);
        }
        let batcher = match &map.item_batcher {
            Some(b) => Some(self.batch_spec(f, sid, &effective, b)?),
            None => None,
        };
        let limits = super::map_limits::Limits { max, count, pct };
        if let Some(reader) = reader {
            return self.start_map_run_reading(f, sid, &effective, reader, batcher, limits);
        }
        let inputs = match batcher {
            Some(spec) => {
                let mut b = crate::interp::map_run::Batcher::new(spec);
                let mut out: Vec<Payload> =
                    inputs.into_iter().filter_map(|i| b.push(Payload::unwrap_or_clone(i)).map(Payload::new)).collect();
                out.extend(b.finish().map(Payload::new));
                out
            }
            None => inputs,
        };
        if external {
            return self.start_map_run(f, sid, &effective, crate::interp::MapItems::Inputs(inputs), limits);
        }
        if map.distributed {
            let arn = self.new_map_run_arn(f, sid);
            self.record_in(f, EventKind::MapRunStarted { map_run_arn: arn });
        }
        let mut ch = new_children(true, inputs, max.unwrap_or(0.0) as usize);
        ch.tolerated_count = count.map(|c| c as u64);
        ch.tolerated_percentage = pct;
        self.frame_mut(f).map_items = Some(items);
        Ok(self.spawn_children(f, ch))
    }

    /// `ItemBatcher` with its numbers and `BatchInput` evaluated.
    fn batch_spec(
        &mut self,
        f: FrameId,
        sid: StateId,
        effective: &Value,
        b: &ItemBatcher,
    ) -> Result<crate::interp::BatchSpec, Failure> {
        let max_items = self
            .map_number(f, sid, effective, b.max_items.as_ref(), "MaxItemsPerBatch", Want::Integer)?
            .map(|n| n as usize)
            .filter(|n| *n > 0);
        let max_bytes = self
            .map_number(f, sid, effective, b.max_bytes.as_ref(), "MaxInputBytesPerBatch", Want::Integer)?
            .map(|n| n as usize)
            .filter(|n| *n > 0);
        let batch_input = match &b.batch_input {
            Some(t) => {
                Some(Payload::unwrap_or_clone(self.template(f, sid, Some(t), Payload::new(effective.clone()))?))
            }
            None => None,
        };
        Ok(crate::interp::BatchSpec { max_items, max_bytes, batch_input })
    }

    pub(in super::super) fn complete_map(
        &mut self,
        f: FrameId,
        sid: StateId,
        result: Result<Value, Failure>,
    ) -> Result<Flow, Failure> {
        let m = self.m;
        let StateKind::Map(map) = &m.states[sid].kind else { unreachable!() };
        self.frame_mut(f).map_items = None;
        match result {
            Ok(v) => {
                if map.distributed && !m.map_runs {
                    self.record_in(f, EventKind::MapRunSucceeded);
                }
                self.record_in(f, EventKind::MapStateSucceeded);
                if let Some(j) = &m.states[sid].jsonata {
                    return self.jsonata_result(f, sid, j, v).map(|output| Flow::Exit { output });
                }
                let output =
                    self.finish_result(f, sid, Payload::new(v), map.result_selector.as_ref(), &map.result_path)?;
                Ok(Flow::Exit { output })
            }
            Err(e) => {
                if map.distributed && !m.map_runs {
                    self.record_in(f, EventKind::MapRunFailed { error: e.error.clone(), cause: e.cause.clone() });
                }
                // `MapStateFailed` is recorded once Retry has declined the error.
                self.frame_mut(f).children_failed = true;
                Err(e)
            }
        }
    }
}
