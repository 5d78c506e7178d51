//! The evaluator: walks the processed tree over borrowed input (reference `jsonata.js`
//! `evaluate`). This module dispatches on the node kind and holds the small cases; paths,
//! operators, calls and transforms each have their own module.

mod apply;
mod binary;
mod coerce;
mod group;
mod order_by;
pub mod path;
pub mod regex;
mod sequence;
mod transform;
mod types;
pub mod value;

use crate::ast::{Kind, Node, Stage};
use crate::error::rt;
use sequence::{append_into, collapse, matches_predicate};
use std::rc::Rc;

pub use sequence::merge_sort;
pub use transform::deep_clone;
pub use types::{Builtin, BuiltinFn, Evaluator, Flags, Frame, Func, ObjMap, Parsed, RegexFn, Str, R, V};
pub use value::{cmp_js_str, deep_equal, js_number, js_truthy, show, to_boolean};

impl<'a, 'e> Evaluator<'a, 'e> {
    pub fn eval(&mut self, node: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        self.enter()?;
        let r = self.eval_inner(node, input, frame);
        self.leave();
        r
    }

    fn eval_inner(&mut self, node: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        if !node.predicate.is_empty() && path::yields_tuples(node) {
            return self.eval_filtered_tuples(node, input, frame);
        }
        let result = self.eval_kind(node, input, frame)?;
        self.finish_node(node, result, frame)
    }

    /// What follows a node's own evaluation: its predicates, its grouping, and collapsing
    /// the result sequence.
    pub(super) fn finish_node(&mut self, node: &'a Node, result: Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        if node.predicate.is_empty() && (node.group.is_none() || matches!(node.kind, Kind::Path(_))) {
            return Ok(collapse(result, node.keep_array));
        }
        self.post_process(node, result, frame)
    }

    /// Dispatch on the node kind; every arm is out of line so that this frame stays small
    /// (recursion depth is bounded by stack use).
    fn eval_kind(&mut self, node: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        match &node.kind {
            Kind::Path(steps) => self.eval_path(node, steps, input, frame),
            Kind::Binary(op, l, r) => self.eval_binary(*op, l, r, input, frame),
            Kind::Neg(e) => self.eval_neg(e, input, frame),
            Kind::Name(n) => Ok(input.as_ref().and_then(|i| path::lookup_field(i, n))),
            Kind::Str(s) => Ok(Some(V::Str(Str::B(s)))),
            Kind::Num(n) => Ok(Some(V::Num(*n))),
            Kind::Bool(b) => Ok(Some(V::Bool(*b))),
            Kind::Null => Ok(Some(V::Null)),
            Kind::Wildcard => Ok(path::wildcard(input.as_ref())),
            Kind::Descendant => path::descendants(input.as_ref()),
            Kind::Condition(c, t, e) => self.eval_condition(c, t, e.as_deref(), input, frame),
            Kind::Block(items) => self.eval_block(items, input, frame),
            Kind::Bind(name, rhs) => self.eval_bind(name, rhs, input, frame),
            Kind::Regex(re) => {
                Ok(Some(V::Func(Rc::new(Func::Regex(Rc::new(RegexFn { lit: re, last_index: 0.into() }))))))
            }
            Kind::Call { proc, args, partial } => self.eval_call(proc, args, *partial, input, frame),
            Kind::Placeholder => Err(rt("S0201", "Syntax error: \"?\"")),
            Kind::Parent(slot) => Ok(frame.lookup(&slot.label).flatten()),
            Kind::Var(name) => Ok(self.eval_var(name, input, frame)),
            Kind::Lambda(l) => {
                Ok(Some(V::Func(Rc::new(Func::Lambda { def: l, env: frame.clone(), input: input.clone() }))))
            }
            Kind::Apply(l, r) => self.eval_apply(l, r, input, frame),
            Kind::Array(items) => self.eval_array(node, items, input, frame),
            Kind::Object(pairs) => self.eval_object(pairs, input, frame),
            Kind::Sort(terms) => self.eval_sort(terms, input, frame),
            Kind::Transform(..) => Ok(Some(V::Func(Rc::new(Func::Transform { node, env: frame.clone() })))),
            Kind::RawDot(..)
            | Kind::RawFilter(..)
            | Kind::RawGroup(..)
            | Kind::RawSort(..)
            | Kind::RawFocus(..)
            | Kind::RawIndex(..)
            | Kind::RawEnd => Err(rt("S0206", "Unknown expression type: undefined")),
        }
    }

    #[inline(never)]
    fn post_process(&mut self, node: &'a Node, mut result: Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        for stage in &node.predicate {
            if let Stage::Filter(p) = stage {
                result = self.filter(p, result, frame)?;
            }
        }
        if !matches!(node.kind, Kind::Path(_)) {
            if let Some(g) = &node.group {
                let items = match result {
                    Some(v) if v.is_array() => v.items().unwrap_or_default().into_iter().map(Some).collect(),
                    other => vec![other],
                };
                result = Some(self.eval_group(&g.pairs, path::GroupInput::Values(items), frame)?);
            }
        }
        Ok(collapse(result, node.keep_array))
    }

    #[inline(never)]
    fn eval_neg(&mut self, e: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        match self.eval(e, input, frame)? {
            None => Ok(None),
            Some(V::Num(n)) => Ok(Some(V::Num(-n))),
            Some(v) => Err(rt("D1002", format!("Cannot negate a non-numeric value: {}", show(&v)))),
        }
    }

    #[inline(never)]
    fn eval_condition(
        &mut self,
        c: &'a Node,
        t: &'a Node,
        e: Option<&'a Node>,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let cv = self.eval(c, input, frame)?;
        if to_boolean(cv.as_ref()).unwrap_or(false) {
            self.eval(t, input, frame)
        } else if let Some(e) = e {
            self.eval(e, input, frame)
        } else {
            Ok(None)
        }
    }

    #[inline(never)]
    fn eval_block(&mut self, items: &'a [Node], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let f = Frame::child(frame);
        let mut r = None;
        for i in items {
            r = self.eval(i, input, &f)?;
        }
        Ok(r)
    }

    #[inline(never)]
    fn eval_bind(&mut self, name: &'a str, rhs: &'a Node, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let v = self.eval(rhs, input, frame)?;
        frame.bind(name, v.clone());
        Ok(v)
    }

    #[inline(never)]
    fn eval_var(&mut self, name: &str, input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> Option<V<'a>> {
        match name {
            "" => match input {
                Some(V::Arr(a, f)) if f.outer => a.first().cloned(),
                other => other.clone(),
            },
            "$" => self.root.clone(),
            _ => self.lookup_var(name, frame),
        }
    }

    #[inline(never)]
    fn eval_array(&mut self, node: &'a Node, items: &'a [Node], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let mut out = Vec::new();
        for it in items {
            if let Some(v) = self.eval(it, input, frame)? {
                if matches!(it.kind, Kind::Array(_)) {
                    out.push(v);
                } else {
                    append_into(&mut out, v);
                }
            }
        }
        Ok(Some(V::Arr(Rc::new(out), Flags { cons: node.cons_array, ..Flags::PLAIN })))
    }

    #[inline(never)]
    fn eval_object(&mut self, pairs: &'a [(Node, Node)], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let items = match input {
            Some(v) if v.is_array() => v.items().unwrap_or_default().into_iter().map(Some).collect(),
            other => vec![other.clone()],
        };
        Ok(Some(self.eval_group(pairs, path::GroupInput::Values(items), frame)?))
    }

    #[inline(never)]
    fn eval_sort(&mut self, terms: &'a [(Node, bool)], input: &Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let items = match input {
            Some(v) if v.is_array() => v.items().unwrap_or_default(),
            Some(v) => vec![v.clone()],
            None => vec![],
        };
        Ok(Some(V::seq(self.sort_values(terms, items, frame)?)))
    }

    pub fn lookup_var(&self, name: &str, frame: &Rc<Frame<'a>>) -> Option<V<'a>> {
        if let Some(v) = frame.lookup(name) {
            return v;
        }
        if let Some(j) = self.bindings.get(name) {
            return Some(V::from_json(j));
        }
        (self.builtins)(name).map(V::Builtin)
    }

    /// Applies a predicate to a value (reference `evaluateFilter`), returning a sequence.
    pub fn filter(&mut self, pred: &'a Node, input: Option<V<'a>>, frame: &Rc<Frame<'a>>) -> R<'a> {
        let items = match &input {
            Some(v) if v.is_array() => v.items().unwrap_or_default(),
            Some(v) => vec![v.clone()],
            None => vec![],
        };
        let mut out = Vec::new();
        if let Kind::Num(n) = pred.kind {
            let mut idx = n.floor();
            if idx < 0.0 {
                idx += items.len() as f64;
            }
            if idx >= 0.0 && (idx as usize) < items.len() {
                let item = items[idx as usize].clone();
                if item.is_array() {
                    return Ok(Some(item));
                }
                out.push(item);
            }
            return Ok(Some(V::seq(out)));
        }
        let len = items.len();
        for (index, item) in items.into_iter().enumerate() {
            let ctx = Some(item);
            let res = self.eval(pred, &ctx, frame)?;
            if let (true, Some(item)) = (matches_predicate(&res, index, len), ctx) {
                out.push(item);
            }
        }
        Ok(Some(V::seq(out)))
    }
}
