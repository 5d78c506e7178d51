//! Object constructors and grouping (`{k: v}`, `expr{k: v}`): items, or tuples of a tuple
//! stream, grouped by key, each group's value evaluated once (reference
//! `evaluateGroupExpression`).

use super::path::{GroupInput, Tuple};
use super::sequence::append_into;
use super::types::{Evaluator, Flags, Frame, V};
use super::value::show;
use crate::ast::Node;
use crate::error::{rt, JsonataError};
use crate::jstext::json_quote;
use indexmap::IndexMap;
use std::rc::Rc;

type Res<T> = Result<T, JsonataError>;

impl<'a> Evaluator<'a, '_> {
    /// Object construction and grouping (reference `evaluateGroupExpression`).
    pub(super) fn eval_group(
        &mut self,
        pairs: &'a [(Node, Node)],
        input: GroupInput<'a>,
        frame: &Rc<Frame<'a>>,
    ) -> Res<V<'a>> {
        // key -> (pair index, grouped items)
        let mut groups: IndexMap<String, (usize, GroupInput<'a>)> = IndexMap::new();
        let (values, tuples) = match input {
            GroupInput::Values(mut v) => {
                if v.is_empty() {
                    v.push(None);
                }
                (v, None)
            }
            GroupInput::Tuples(t) => (Vec::new(), Some(t)),
        };
        let count = tuples.as_ref().map(|t| t.len().max(1)).unwrap_or(values.len());
        #[allow(clippy::needless_range_loop)]
        for idx in 0..count {
            let (ctx, f) = match &tuples {
                Some(ts) => match ts.get(idx) {
                    Some(t) => (t.ctx.clone(), t.frame(frame)),
                    None => (None, frame.clone()),
                },
                None => (values.get(idx).cloned().flatten(), frame.clone()),
            };
            for (pi, (kexpr, _)) in pairs.iter().enumerate() {
                let key = self.eval(kexpr, &ctx, &f)?;
                let key = match key {
                    None => continue,
                    Some(V::Str(s)) => s.to_string(),
                    Some(other) => {
                        return Err(rt(
                            "T1003",
                            format!("Key in object structure must evaluate to a string; got: {}", show(&other)),
                        ))
                    }
                };
                let entry = groups.entry(key.clone()).or_insert_with(|| {
                    (pi, if tuples.is_some() { GroupInput::Tuples(Vec::new()) } else { GroupInput::Values(Vec::new()) })
                });
                if entry.0 != pi {
                    return Err(rt(
                        "D1009",
                        format!("Multiple key definitions evaluate to same key: {}", json_quote(&key)),
                    ));
                }
                match (&mut entry.1, &tuples) {
                    (GroupInput::Tuples(g), Some(ts)) => {
                        if let Some(t) = ts.get(idx) {
                            g.push(t.clone())
                        }
                    }
                    (GroupInput::Values(g), _) => g.push(ctx.clone()),
                    _ => {}
                }
            }
        }
        let mut out: IndexMap<String, V<'a>> = IndexMap::new();
        for (key, (pi, data)) in groups {
            let (ctx, f) = match data {
                GroupInput::Values(vals) => {
                    let vals: Vec<V<'a>> = vals.into_iter().flatten().collect();
                    (group_context(vals), frame.clone())
                }
                GroupInput::Tuples(ts) => {
                    let mut merged = Tuple { ctx: None, binds: Vec::new() };
                    let n = ts.len();
                    let mut ctxs = Vec::new();
                    let mut binds: Vec<(&'a str, Vec<V<'a>>)> = Vec::new();
                    for t in ts {
                        if let Some(c) = t.ctx {
                            ctxs.push(c);
                        }
                        for (name, v) in t.binds {
                            match binds.iter_mut().find(|(n, _)| *n == name) {
                                Some(slot) => slot.1.push(v),
                                None => binds.push((name, vec![v])),
                            }
                        }
                    }
                    merged.ctx = if n > 1 { group_context(ctxs) } else { ctxs.pop() };
                    for (name, vs) in binds {
                        let v = if n > 1 { group_context(vs) } else { vs.into_iter().next() };
                        if let Some(v) = v {
                            merged.set(name, v);
                        }
                    }
                    let f = merged.frame(frame);
                    (merged.ctx, f)
                }
            };
            if let Some(v) = self.eval(&pairs[pi].1, &ctx, &f)? {
                out.insert(key, v);
            }
        }
        Ok(V::obj(out))
    }
}

/// The context for a group's value: the single item, or the items appended into an array.
fn group_context(vals: Vec<V<'_>>) -> Option<V<'_>> {
    if vals.len() <= 1 {
        return vals.into_iter().next();
    }
    let mut out = Vec::new();
    for v in vals {
        append_into(&mut out, v);
    }
    Some(V::Arr(Rc::new(out), Flags::PLAIN))
}
