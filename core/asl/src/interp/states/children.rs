//! Branches and iterations: the child frames of Parallel and Map states, started up to the
//! concurrency limit and collected in order.

use super::super::errors::Failure;
use super::super::exec::{Flow, Interp};
use super::super::frame::{Children, Frame, FrameId, Phase};
use crate::error_names;
use crate::history::{EventKind, Payload};
use crate::model::StateKind;
use serde_json::Value;

impl Interp<'_> {
    /// Puts the frame in wait for `ch` and starts the first children.
    /// After a redrive, the children that had succeeded keep their results and are not
    /// run again (AWS's rule for Parallel and Map).
    pub(in super::super) fn spawn_children(&mut self, f: FrameId, mut ch: Children) -> Flow {
        if ch.inputs.is_empty() {
            return Flow::Blocked.with_completion(self, f, Ok(Value::Array(Vec::new())));
        }
        if let Some(kept) = self.frame_mut(f).resume.take().filter(|k| k.len() == ch.inputs.len()) {
            for (i, r) in kept.into_iter().enumerate() {
                if let Some(v) = r {
                    ch.results[i] = Some(v);
                    ch.succeeded[i] = true;
                    ch.inputs[i] = None;
                    ch.done += 1;
                }
            }
            if ch.done == ch.inputs.len() {
                let results = ch.results.into_iter().map(|r| r.unwrap_or(Value::Null)).collect();
                return Flow::Blocked.with_completion(self, f, Ok(Value::Array(results)));
            }
        }
        self.frame_mut(f).phase = Phase::WaitingChildren(Box::new(ch));
        self.fill_children(f);
        Flow::Blocked
    }

    /// Starts children until the concurrency limit is reached.
    fn fill_children(&mut self, p: FrameId) {
        loop {
            let (index, input, is_map) = {
                let Phase::WaitingChildren(ch) = &mut self.frame_mut(p).phase else { return };
                // Children kept by a redrive are done already.
                while ch.next < ch.inputs.len() && ch.succeeded[ch.next] {
                    ch.next += 1;
                }
                if ch.next >= ch.inputs.len() || (ch.max_concurrency > 0 && ch.running >= ch.max_concurrency) {
                    return;
                }
                let i = ch.next;
                ch.next += 1;
                (i, ch.inputs[i].take().unwrap_or_default(), ch.is_map)
            };
            let parent = self.frame(p);
            let sid = parent.state;
            // A distributed Map's iterations are child executions: they do not see the
            // outer variables; every other branch or iteration reads a copy of them.
            let (machine, map_item, silent) = match &self.m.states[sid].kind {
                StateKind::Parallel(par) => (par.branches[index], None, parent.silent),
                StateKind::Map(m) => {
                    let item =
                        parent.map_items.as_ref().and_then(|items| items.get(index)).cloned().unwrap_or_default();
                    (m.processor, Some((index, item)), parent.silent || m.distributed)
                }
                _ => unreachable!("only Parallel and Map have children"),
            };
            let vars = if matches!(&self.m.states[sid].kind, StateKind::Map(m) if m.distributed) {
                Default::default()
            } else {
                parent.vars.clone()
            };
            let child = Frame {
                parent: Some((p, index)),
                map_item,
                silent,
                ..Frame::new(self.m.machines[machine].start_at, input, vars, parent.last_event, self.now)
            };
            let id = self.x.frames.len();
            self.x.frames.push(Some(child));
            if is_map {
                let name = self.m.states[sid].name.clone();
                self.record_in(id, EventKind::MapIterationStarted { name, index });
            }
            if let Phase::WaitingChildren(ch) = &mut self.frame_mut(p).phase {
                ch.running += 1;
            }
            self.x.ready.push_back(id);
        }
    }

    /// A child frame ended with `result`.
    pub(in super::super) fn child_done(
        &mut self,
        p: FrameId,
        _child: FrameId,
        index: usize,
        last_event: u64,
        result: Result<Value, Failure>,
    ) {
        let sid = self.frame(p).state;
        let is_map = matches!(self.m.states[sid].kind, StateKind::Map(_));
        let silent_child =
            self.frame(p).silent || matches!(&self.m.states[sid].kind, StateKind::Map(m) if m.distributed);
        if is_map && !silent_child {
            let name = self.m.states[sid].name.clone();
            let kind = if result.is_ok() {
                EventKind::MapIterationSucceeded { name, index }
            } else {
                EventKind::MapIterationFailed { name, index }
            };
            let id = self.record(last_event, kind);
            self.frame_mut(p).last_event = id;
        }
        let fail = {
            let Phase::WaitingChildren(ch) = &mut self.frame_mut(p).phase else { return };
            ch.running -= 1;
            ch.done += 1;
            match result {
                Ok(v) => {
                    ch.results[index] = Some(v);
                    ch.succeeded[index] = true;
                    None
                }
                Err(e) => {
                    ch.failed += 1;
                    ch.results[index] = Some(e.to_output());
                    let total = ch.inputs.len() as f64;
                    let over_count = ch.tolerated_count.is_none_or(|c| ch.failed as u64 > c);
                    let over_pct = ch.tolerated_percentage.is_none_or(|pc| (ch.failed as f64) * 100.0 / total > pc);
                    let tolerated = ch.is_map
                        && (ch.tolerated_count.is_some() || ch.tolerated_percentage.is_some())
                        && !(over_count && over_pct);
                    if tolerated {
                        None
                    } else if ch.is_map && (ch.tolerated_count.is_some() || ch.tolerated_percentage.is_some()) {
                        Some(Failure::new(
                            error_names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                            "The specified tolerated failure threshold was exceeded",
                        ))
                    } else {
                        Some(e)
                    }
                }
            }
        };
        if let Some(failure) = fail {
            let kept = match &self.frame(p).phase {
                Phase::WaitingChildren(ch) => Some(ch.successes()),
                _ => None,
            };
            self.frame_mut(p).kept = kept;
            for c in self.children_of(p) {
                if let Some(Some(cf)) = self.x.frames.get(c) {
                    if let (true, Some((i, _))) = (is_map && !silent_child, cf.map_item.as_ref()) {
                        let name = self.m.states[sid].name.clone();
                        let i = *i;
                        self.record_in(c, EventKind::MapIterationAborted { name, index: i });
                    }
                }
                self.abort_frame(c);
            }
            self.frame_mut(p).phase = Phase::Completed(Err(failure));
            self.x.ready.push_back(p);
            return;
        }
        self.fill_children(p);
        let finished = match &self.frame(p).phase {
            Phase::WaitingChildren(ch) => ch.done == ch.inputs.len(),
            _ => false,
        };
        if finished {
            let Phase::WaitingChildren(ch) = std::mem::replace(&mut self.frame_mut(p).phase, Phase::Done) else {
                unreachable!()
            };
            let results = ch.results.into_iter().map(|r| r.unwrap_or(Value::Null)).collect();
            self.frame_mut(p).phase = Phase::Completed(Ok(Value::Array(results)));
            self.x.ready.push_back(p);
        }
    }
}

impl Flow {
    /// Completes the frame at once (no children to wait for).
    fn with_completion(self, it: &mut Interp<'_>, f: FrameId, result: Result<Value, Failure>) -> Flow {
        it.frame_mut(f).phase = Phase::Completed(result);
        it.x.ready.push_back(f);
        self
    }
}

/// Inputs as the children take them.
pub(in super::super) fn new_children(is_map: bool, inputs: Vec<Payload>, max_concurrency: usize) -> Children {
    let n = inputs.len();
    Children {
        is_map,
        inputs: inputs.into_iter().map(Some).collect(),
        results: vec![None; n],
        succeeded: vec![false; n],
        running: 0,
        next: 0,
        done: 0,
        failed: 0,
        max_concurrency,
        tolerated_count: None,
        tolerated_percentage: None,
    }
}
