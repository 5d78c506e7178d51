//! The transform operator `|pattern|update[, delete]|`: edits a deep copy of its argument.

use super::types::{Evaluator, Frame, ObjMap, R, V};
use super::value::{show, MAX_VALUE_DEPTH};
use crate::ast::{Kind, Node};
use crate::error::{rt, JsonataError};
use std::rc::Rc;

impl<'a> Evaluator<'a, '_> {
    /// Applies a transform (`|pattern|update, delete|`) to a copy of `arg`.
    #[inline(never)]
    pub(super) fn transform(&mut self, node: &'a Node, env: &Rc<Frame<'a>>, arg: Option<V<'a>>) -> R<'a> {
        let Kind::Transform(pattern, update, delete) = &node.kind else { return Ok(None) };
        let Some(arg) = arg else { return Ok(None) };
        if !arg.is_array() && !arg.is_object() {
            return Err(rt("T0410", "Argument 1 of function undefined does not match function signature"));
        }
        // the reference copies with whatever `$clone` names in scope
        if !self.lookup_var("clone", env).is_some_and(|f| f.is_func()) {
            return Err(rt(
                "T2013",
                "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
            ));
        }
        let copy = Some(deep_clone(&arg, 0)?);
        let matches = self.eval(pattern, &copy, env)?;
        let matches = match matches {
            None => Vec::new(),
            Some(m) => m.items().unwrap_or_else(|| vec![m]),
        };
        let mut edits: Vec<Edit<'a>> = Vec::new();
        for m in matches {
            let V::Obj(map) = &m else { continue };
            let ctx = Some(m.clone());
            let upd = match self.eval(update, &ctx, env)? {
                None => Vec::new(),
                Some(u) if u.is_object() => u.entries().unwrap_or_default(),
                Some(u) => {
                    return Err(rt(
                        "T2011",
                        format!(
                            "The insert/update clause of the transform expression must evaluate to an object: {}",
                            show(&u)
                        ),
                    ))
                }
            };
            let mut del = Vec::new();
            if let Some(d) = delete {
                if let Some(dv) = self.eval(d, &ctx, env)? {
                    let items = dv.items().unwrap_or_else(|| vec![dv.clone()]);
                    if !items.iter().all(|x| x.as_str().is_some()) {
                        return Err(rt(
                            "T2012",
                            format!(
                                "The delete clause of the transform expression must evaluate to a string or array of strings: {}",
                                show(&dv)
                            ),
                        ));
                    }
                    del = items.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
                }
            }
            edits.push((Rc::as_ptr(map), upd, del));
        }
        let Some(copy) = copy else { return Ok(None) };
        Ok(Some(apply_edits(&copy, &edits, 0)?))
    }
}

/// A deep copy with fresh identities for every array and object (the reference `$clone`).
pub fn deep_clone<'a>(v: &V<'a>, depth: usize) -> Result<V<'a>, JsonataError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(rt("U1001", "Value nested too deeply"));
    }
    Ok(if let Some(items) = v.items() {
        let mut out = Vec::with_capacity(items.len());
        for i in &items {
            out.push(deep_clone(i, depth + 1)?);
        }
        V::arr(out)
    } else if let Some(entries) = v.entries() {
        let mut out = ObjMap::new();
        for (k, x) in entries {
            out.insert(k, deep_clone(&x, depth + 1)?);
        }
        V::obj(out)
    } else {
        v.clone()
    })
}

/// One match of a transform pattern: the object's identity, fields to merge, keys to delete.
type Edit<'a> = (*const ObjMap<'a>, Vec<(String, V<'a>)>, Vec<String>);

/// Rebuilds a cloned tree applying the edits to the objects they identify.
fn apply_edits<'a>(v: &V<'a>, edits: &[Edit<'a>], depth: usize) -> Result<V<'a>, JsonataError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(rt("U1001", "Value nested too deeply"));
    }
    match v {
        V::Arr(items, f) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items.iter() {
                out.push(apply_edits(i, edits, depth + 1)?);
            }
            Ok(V::Arr(Rc::new(out), *f))
        }
        V::Obj(map) => {
            let mut out = ObjMap::new();
            for (k, x) in map.iter() {
                out.insert(k.clone(), apply_edits(x, edits, depth + 1)?);
            }
            let id = Rc::as_ptr(map);
            for (_, update, delete) in edits.iter().filter(|e| std::ptr::eq(e.0, id)) {
                for (k, x) in update {
                    out.insert(k.clone(), x.clone());
                }
                for k in delete {
                    out.shift_remove(k);
                }
            }
            Ok(V::obj(out))
        }
        other => Ok(other.clone()),
    }
}
