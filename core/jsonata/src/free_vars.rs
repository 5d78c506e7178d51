//! The variables an expression reads without binding them, for validation of a state
//! machine's definition (which variables must exist before the expression runs).

use crate::ast::{Kind, Node, Stage};
use crate::functions;
use std::collections::BTreeSet;

/// Collects into `out` the variables `n` reads that are not in `bound` (built-in function
/// names excluded).
pub fn collect_vars(n: &Node, bound: &mut Vec<String>, out: &mut BTreeSet<String>) {
    match &n.kind {
        Kind::Var(v) if !v.is_empty() && v != "$" && !bound.contains(v) && functions::lookup(v).is_none() => {
            out.insert(v.clone());
        }
        Kind::Path(steps) => {
            let mark = bound.len();
            for s in steps {
                collect_vars(s, bound, out);
                if let Some(f) = &s.focus {
                    bound.push(f.clone());
                }
                if let Some(i) = &s.index {
                    bound.push(i.clone());
                }
                for st in &s.stages {
                    if let Stage::Index(i) = st {
                        bound.push(i.clone());
                    }
                }
            }
            if let Some(g) = &n.group {
                for (k, v) in &g.pairs {
                    collect_vars(k, bound, out);
                    collect_vars(v, bound, out);
                }
            }
            bound.truncate(mark);
        }
        Kind::Binary(_, l, r) | Kind::Apply(l, r) => {
            collect_vars(l, bound, out);
            collect_vars(r, bound, out);
        }
        Kind::Neg(e) => collect_vars(e, bound, out),
        Kind::Condition(c, t, e) => {
            collect_vars(c, bound, out);
            collect_vars(t, bound, out);
            if let Some(e) = e {
                collect_vars(e, bound, out);
            }
        }
        Kind::Block(items) => {
            let mark = bound.len();
            for i in items {
                collect_vars(i, bound, out);
            }
            bound.truncate(mark);
        }
        Kind::Bind(name, rhs) => {
            collect_vars(rhs, bound, out);
            bound.push(name.clone());
        }
        Kind::Call { proc, args, .. } => {
            collect_vars(proc, bound, out);
            for a in args {
                collect_vars(a, bound, out);
            }
        }
        Kind::Lambda(l) => {
            let mark = bound.len();
            bound.extend(l.params.iter().cloned());
            collect_vars(&l.body, bound, out);
            bound.truncate(mark);
        }
        Kind::Array(items) => {
            for i in items {
                collect_vars(i, bound, out);
            }
        }
        Kind::Object(pairs) => {
            for (k, v) in pairs {
                collect_vars(k, bound, out);
                collect_vars(v, bound, out);
            }
        }
        Kind::Sort(terms) => {
            for (t, _) in terms {
                collect_vars(t, bound, out);
            }
        }
        Kind::Transform(a, b, c) => {
            collect_vars(a, bound, out);
            collect_vars(b, bound, out);
            if let Some(c) = c {
                collect_vars(c, bound, out);
            }
        }
        _ => {}
    }
    for st in n.predicate.iter().chain(n.stages.iter()) {
        if let Stage::Filter(p) = st {
            collect_vars(p, bound, out);
        }
    }
    if !matches!(n.kind, Kind::Path(_)) {
        if let Some(g) = &n.group {
            for (k, v) in &g.pairs {
                collect_vars(k, bound, out);
                collect_vars(v, bound, out);
            }
        }
    }
}
