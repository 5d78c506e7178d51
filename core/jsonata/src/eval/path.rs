//! Path evaluation: steps mapped over sequences with flattening, and tuple streams for
//! `@`/`#` bindings and parents (`%`) (reference `evaluatePath`, `evaluateStep`,
//! `evaluateTupleStep`). Grouping is in `group.rs`, order-by in `order_by.rs`.

use super::sequence::{append_into, collapse, matches_predicate};
use super::types::{Evaluator, Frame, R, V};
use super::value::MAX_VALUE_DEPTH;
use crate::ast::{Kind, Node, Stage};
use crate::error::{rt, JsonataError};
use std::rc::Rc;

/// One tuple of a tuple stream: the context item and the variables bound along the path.
#[derive(Debug, Clone)]
pub struct Tuple<'a> {
    pub ctx: Option<V<'a>>,
    pub binds: Vec<(&'a str, V<'a>)>,
}

impl<'a> Tuple<'a> {
    pub(super) fn set(&mut self, name: &'a str, v: V<'a>) {
        if let Some(slot) = self.binds.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = v;
        } else {
            self.binds.push((name, v));
        }
    }

    pub(super) fn frame(&self, parent: &Rc<Frame<'a>>) -> Rc<Frame<'a>> {
        let f = Frame::child(parent);
        for (n, v) in &self.binds {
            f.bind(n, Some(v.clone()));
        }
        f
    }
}

/// What a step yields inside a tuple stream: values, or the tuples of a path (or block)
/// that binds parents itself, merged into the enclosing stream (reference `tupleStream`).
enum StepOut<'a> {
    Values(Option<V<'a>>),
    Tuples(Vec<Tuple<'a>>),
}

/// The outcome of a path's steps: the tuple stream when a step bound variables or
/// parents, else the result sequence.
enum Steps<'a> {
    Values(V<'a>),
    Tuples(Vec<Tuple<'a>>),
}

pub enum GroupInput<'a> {
    Values(Vec<Option<V<'a>>>),
    Tuples(Vec<Tuple<'a>>),
}

type Res<T> = Result<T, JsonataError>;

/// Field lookup; over arrays it maps and flattens one level (reference `fn.lookup`).
pub fn lookup_field<'a>(input: &V<'a>, key: &str) -> Option<V<'a>> {
    match input {
        V::JObj(o) => o.get(key).map(V::from_json),
        V::Obj(o) => o.get(key).cloned(),
        V::JArr(_) | V::Arr(..) => {
            let mut out = Vec::new();
            for item in input.items().unwrap_or_default() {
                if let Some(r) = lookup_field(&item, key) {
                    append_into(&mut out, r);
                }
            }
            Some(V::seq(out))
        }
        _ => None,
    }
}

fn flatten_into<'a>(v: V<'a>, out: &mut Vec<V<'a>>, depth: usize) {
    match v.items() {
        Some(items) if depth < MAX_VALUE_DEPTH => {
            for i in items {
                flatten_into(i, out, depth + 1);
            }
        }
        _ => out.push(v),
    }
}

/// `*`: the values of all fields, arrays flattened.
pub fn wildcard<'a>(input: Option<&V<'a>>) -> Option<V<'a>> {
    let mut input = input?.clone();
    if let V::Arr(a, f) = &input {
        if f.outer && !a.is_empty() {
            input = a[0].clone();
        }
    }
    let mut out = Vec::new();
    let values: Vec<V<'a>> = if let Some(e) = input.entries() {
        e.into_iter().map(|(_, v)| v).collect()
    } else if let Some(items) = input.items() {
        items
    } else {
        return Some(V::seq(out));
    };
    for v in values {
        if v.is_array() {
            flatten_into(v, &mut out, 0);
        } else {
            out.push(v);
        }
    }
    Some(V::seq(out))
}

/// `**`: every descendant value, depth first.
pub fn descendants<'a>(input: Option<&V<'a>>) -> R<'a> {
    let Some(input) = input else { return Ok(None) };
    let mut out = Vec::new();
    recurse_descendants(input, &mut out, 0)?;
    if out.len() == 1 {
        return Ok(out.pop());
    }
    Ok(Some(V::seq(out)))
}

fn recurse_descendants<'a>(v: &V<'a>, out: &mut Vec<V<'a>>, depth: usize) -> Res<()> {
    if depth > MAX_VALUE_DEPTH {
        return Err(rt("U1001", "Input nested too deeply"));
    }
    if let Some(items) = v.items() {
        for i in items {
            recurse_descendants(&i, out, depth + 1)?;
        }
        return Ok(());
    }
    out.push(v.clone());
    if let Some(entries) = v.entries() {
        for (_, x) in entries {
            recurse_descendants(&x, out, depth + 1)?;
        }
    }
    Ok(())
}

impl<'a> Evaluator<'a, '_> {
    pub(super) fn eval_path(
        &mut self,
        node: &'a Node,
        steps: &'a [Node],
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        if let Some(v) = self.fast_path(node, steps, input, frame) {
            return Ok(v);
        }
        let (mut result, tuples) = match self.run_steps(steps, input, frame)? {
            Steps::Values(v) => (v, None),
            Steps::Tuples(ts) => (V::seq(ts.iter().filter_map(|t| t.ctx.clone()).collect()), Some(ts)),
        };
        if node.keep_array {
            if let V::Arr(_, f) = &result {
                if f.cons && !f.seq {
                    result = V::seq(vec![result]);
                }
            }
            if let V::Arr(_, f) = &mut result {
                f.keep = true;
            }
        }
        if let Some(g) = &node.group {
            let gi = match tuples {
                Some(ts) => GroupInput::Tuples(ts),
                None => GroupInput::Values(match result.items() {
                    Some(items) => items.into_iter().map(Some).collect(),
                    None => vec![Some(result)],
                }),
            };
            return Ok(Some(self.eval_group(&g.pairs, gi, frame)?));
        }
        Ok(Some(result))
    }

    /// Evaluates the steps of a path in turn (reference `evaluatePath`, less grouping).
    fn run_steps(&mut self, steps: &'a [Node], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> Res<Steps<'a>> {
        let first_is_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Var(_)));
        let mut inseq: Vec<Option<V<'a>>> = match input {
            Some(v) if v.is_array() && !first_is_var => v.items().unwrap_or_default().into_iter().map(Some).collect(),
            other => vec![other.clone()],
        };
        let mut result = V::seq(Vec::new());
        let mut tuples: Option<Vec<Tuple<'a>>> = None;
        let mut is_tuple = false;
        for (i, step) in steps.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if i == 0 && step.cons_array {
                let ctx = match input {
                    Some(v) if v.is_array() => Some(v.clone()),
                    Some(v) => Some(V::seq(vec![v.clone()])),
                    None => Some(V::seq(Vec::new())),
                };
                result = self.eval(step, &ctx, frame)?.unwrap_or_else(|| V::seq(Vec::new()));
            } else if is_tuple {
                tuples = Some(self.tuple_step(step, &inseq, tuples.take(), frame)?);
            } else {
                result = self.eval_step(step, &inseq, frame, i == steps.len() - 1)?;
            }
            if !is_tuple && result.arr_len() == Some(0) {
                break;
            }
            if step.focus.is_none() {
                inseq = match result.items() {
                    Some(items) => items.into_iter().map(Some).collect(),
                    None => vec![Some(result.clone())],
                };
            }
        }
        Ok(if is_tuple { Steps::Tuples(tuples.unwrap_or_default()) } else { Steps::Values(result) })
    }

    /// Evaluates a step of a tuple stream; a path or block flagged as binding parents
    /// yields its own tuples instead of values.
    fn step_out(&mut self, step: &'a Node, ctx: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> Res<StepOut<'a>> {
        if !yields_tuples(step) {
            return Ok(StepOut::Values(self.eval(step, ctx, frame)?));
        }
        self.enter()?;
        let out = self.step_out_inner(step, ctx, frame);
        self.leave();
        out
    }

    fn step_out_inner(&mut self, step: &'a Node, ctx: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> Res<StepOut<'a>> {
        let out = match &step.kind {
            Kind::Path(steps) => match self.run_steps(steps, ctx, frame)? {
                Steps::Tuples(ts) => StepOut::Tuples(ts),
                Steps::Values(v) => return Ok(StepOut::Values(self.finish_node(step, Some(v), frame)?)),
            },
            Kind::Block(items) => {
                let f = Frame::child(frame);
                let (last, init) = items.split_last().ok_or_else(|| rt("S0206", "Unknown expression type"))?;
                for i in init {
                    self.eval(i, ctx, &f)?;
                }
                match self.step_out(last, ctx, &f)? {
                    StepOut::Values(v) => return Ok(StepOut::Values(self.finish_node(step, v, frame)?)),
                    tuples => tuples,
                }
            }
            _ => return Ok(StepOut::Values(self.eval(step, ctx, frame)?)),
        };
        let StepOut::Tuples(mut ts) = out else { return Ok(out) };
        for stage in &step.predicate {
            if let Stage::Filter(p) = stage {
                ts = self.filter_tuples(p, ts, frame)?;
            }
        }
        Ok(StepOut::Tuples(ts))
    }

    /// A parenthesised path filtered by a predicate that reads a parent, outside a path
    /// (`(a.b)[%.x] ~> $f()`): the predicate sees each tuple's bindings and the value is the
    /// selected items. (The reference hands its internal tuples on here.)
    pub(super) fn eval_filtered_tuples(
        &mut self,
        node: &'a Node,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let result = match self.step_out(node, input, frame)? {
            StepOut::Tuples(ts) => Some(V::seq(ts.into_iter().filter_map(|t| t.ctx).collect())),
            StepOut::Values(v) => v,
        };
        Ok(collapse(result, node.keep_array))
    }

    /// `$var.a.b` / `a.b` over objects without predicates: walk borrowed values directly.
    fn fast_path(
        &mut self,
        node: &'a Node,
        steps: &'a [Node],
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> Option<Option<V<'a>>> {
        if node.keep_array || node.group.is_some() {
            return None;
        }
        let plain =
            |s: &Node| s.stages.is_empty() && s.predicate.is_empty() && s.group.is_none() && !s.tuple && !s.keep_array;
        let mut cur = match steps.first() {
            Some(s) if plain(s) => match &s.kind {
                Kind::Var(name) if !name.is_empty() && name != "$" => self.lookup_var(name, frame)?,
                Kind::Name(name) => match input {
                    Some(v) if v.is_object() => v.get(name)?,
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        for s in &steps[1..] {
            if !plain(s) {
                return None;
            }
            let Kind::Name(name) = &s.kind else { return None };
            if !cur.is_object() {
                return None;
            }
            match cur.get(name) {
                Some(v) => cur = v,
                None => return Some(None),
            }
        }
        if let V::Arr(_, f) = &cur {
            if f.seq {
                return None;
            }
        }
        Some(Some(cur))
    }

    fn eval_step(&mut self, step: &'a Node, inseq: &[Option<V<'a>>], frame: &Rc<Frame<'a>>, last: bool) -> Res<V<'a>> {
        if let Kind::Sort(terms) = &step.kind {
            let items: Vec<V<'a>> = inseq.iter().flatten().cloned().collect();
            let mut r = Some(V::seq(self.sort_values(terms, items, frame)?));
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    r = self.filter(p, r, frame)?;
                }
            }
            return Ok(r.unwrap_or_else(|| V::seq(Vec::new())));
        }
        let mut results: Vec<V<'a>> = Vec::new();
        for item in inseq {
            let mut res = self.eval(step, item, frame)?;
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    res = self.filter(p, res, frame)?;
                }
            }
            if let Some(r) = res {
                results.push(r);
            }
        }
        if last && results.len() == 1 && results[0].is_array() && !results[0].is_seq() {
            return Ok(results.pop().unwrap_or(V::Null));
        }
        let mut out = Vec::new();
        for r in results {
            if r.is_array() && !r.flags().cons {
                out.extend(r.items().unwrap_or_default());
            } else {
                out.push(r);
            }
        }
        Ok(V::seq(out))
    }

    fn tuple_step(
        &mut self,
        step: &'a Node,
        inseq: &[Option<V<'a>>],
        tuples: Option<Vec<Tuple<'a>>>,
        frame: &Rc<Frame<'a>>,
    ) -> Res<Vec<Tuple<'a>>> {
        if let Kind::Sort(terms) = &step.kind {
            let result = match tuples {
                Some(ts) => self.sort_tuples(terms, ts, frame)?,
                None => {
                    let items: Vec<V<'a>> = inseq.iter().flatten().cloned().collect();
                    let sorted = self.sort_values(terms, items, frame)?;
                    sorted
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut t = Tuple { ctx: Some(v), binds: Vec::new() };
                            if let Some(ix) = &step.index {
                                t.set(ix, V::Num(i as f64));
                            }
                            t
                        })
                        .collect()
                }
            };
            return self.tuple_stages(&step.stages, result, frame);
        }
        let tuples =
            tuples.unwrap_or_else(|| inseq.iter().map(|v| Tuple { ctx: v.clone(), binds: Vec::new() }).collect());
        let mut out = Vec::new();
        for t in &tuples {
            let f = t.frame(frame);
            let res = match self.step_out(step, &t.ctx, &f)? {
                StepOut::Tuples(inner) => {
                    for it in inner {
                        let mut nt = t.clone();
                        nt.ctx = it.ctx;
                        for (name, v) in it.binds {
                            nt.set(name, v);
                        }
                        out.push(nt);
                    }
                    continue;
                }
                StepOut::Values(None) => continue,
                StepOut::Values(Some(res)) => res,
            };
            let items = res.items().unwrap_or_else(|| vec![res]);
            for (bb, item) in items.into_iter().enumerate() {
                let mut nt = t.clone();
                if let Some(focus) = &step.focus {
                    nt.set(focus, item);
                } else {
                    nt.ctx = Some(item);
                }
                if let Some(ix) = &step.index {
                    nt.set(ix, V::Num(bb as f64));
                }
                if let (Some(slot), Some(parent)) = (&step.ancestor, &t.ctx) {
                    nt.set(&slot.label, parent.clone());
                }
                out.push(nt);
            }
        }
        self.tuple_stages(&step.stages, out, frame)
    }

    fn tuple_stages(
        &mut self,
        stages: &'a [Stage],
        mut tuples: Vec<Tuple<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> Res<Vec<Tuple<'a>>> {
        for stage in stages {
            match stage {
                Stage::Filter(p) => tuples = self.filter_tuples(p, tuples, frame)?,
                Stage::Index(name) => {
                    for (i, t) in tuples.iter_mut().enumerate() {
                        t.set(name, V::Num(i as f64));
                    }
                }
            }
        }
        Ok(tuples)
    }

    fn filter_tuples(&mut self, pred: &'a Node, tuples: Vec<Tuple<'a>>, frame: &Rc<Frame<'a>>) -> Res<Vec<Tuple<'a>>> {
        let len = tuples.len();
        if let Kind::Num(n) = pred.kind {
            let mut idx = n.floor();
            if idx < 0.0 {
                idx += len as f64;
            }
            return Ok(if idx >= 0.0 && (idx as usize) < len {
                vec![tuples[idx as usize].clone()]
            } else {
                Vec::new()
            });
        }
        let mut out = Vec::new();
        for (index, t) in tuples.into_iter().enumerate() {
            let f = t.frame(frame);
            let res = self.eval(pred, &t.ctx, &f)?;
            if matches_predicate(&res, index, len) {
                out.push(t);
            }
        }
        Ok(out)
    }
}

/// A path or block that is a step and binds parents itself: its value is a tuple stream.
pub(super) fn yields_tuples(step: &Node) -> bool {
    step.tuple
        && step.group.is_none()
        && match &step.kind {
            Kind::Path(_) => true,
            Kind::Block(items) => items.last().is_some_and(yields_tuples),
            _ => false,
        }
}
