//! The second parser pass (the reference `processAST`): rewrites the raw Pratt tree into the
//! form the evaluator walks, flattening paths into steps and attaching predicates, groups,
//! sort terms and `@`/`#` bindings to them. The parent operator's slots are resolved here
//! too (see `ancestry.rs`).

use super::ancestry::Ancestry;
use super::guard::{err, stack_addr, too_deep, MAX_PARSE_DEPTH, STACK_BUDGET};
use crate::ast::{Group, Kind, Lambda, Node, Stage};
use crate::error::JsonataError;
use crate::jstext::js_number;

/// Wraps a node as a single-step path unless it already is one.
fn as_path(n: Node) -> (Vec<Node>, Node) {
    match n.kind {
        Kind::Path(steps) => {
            let shell = Node { kind: Kind::Null, ..n };
            (steps, shell)
        }
        _ => {
            let pos = n.pos;
            (vec![n], Node::new(Kind::Null, pos))
        }
    }
}

fn finish_path(steps: Vec<Node>, mut shell: Node) -> Node {
    shell.kind = Kind::Path(steps);
    shell
}

/// Rewrites a whole raw tree; a `%` whose parent cannot be found is error S0217.
pub fn process_root(n: Node, sb: usize) -> Result<Node, JsonataError> {
    let mut anc = Ancestry::default();
    let mut root = process(n, 0, sb, &mut anc)?;
    if matches!(root.kind, Kind::Parent(_)) || !root.seeking.is_empty() {
        return Err(super::ancestry::underivable(root.pos));
    }
    anc.finish(&mut root);
    Ok(root)
}

/// Rewrites the raw tree (the reference `processAST`).
fn process(n: Node, depth: usize, sb: usize, anc: &mut Ancestry) -> Result<Node, JsonataError> {
    if depth > MAX_PARSE_DEPTH * 2 || sb.abs_diff(stack_addr()) > STACK_BUDGET {
        return Err(too_deep(n.pos));
    }
    let d = depth + 1;
    let pos = n.pos;
    let keep = n.keep_array;
    let mut result = match n.kind {
        Kind::RawDot(l, r) => {
            let lstep = process(*l, d, sb, anc)?;
            let lparent = match &lstep.kind {
                Kind::Parent(slot) => Some(slot.index),
                _ => None,
            };
            let (mut steps, mut shell) = as_path(lstep);
            if let Some(slot) = lparent {
                shell.seeking = vec![slot];
            }
            let rest = process(*r, d, sb, anc)?;
            match rest.kind {
                Kind::Path(rsteps) => {
                    if rest.keep_array {
                        shell.keep_array = true;
                    }
                    steps.extend(rsteps)
                }
                _ => {
                    let mut rest = rest;
                    let preds = std::mem::take(&mut rest.predicate);
                    rest.stages.extend(preds);
                    steps.push(rest);
                }
            }
            for s in steps.iter_mut() {
                match &s.kind {
                    Kind::Num(_) | Kind::Bool(_) | Kind::Null => {
                        let value = match &s.kind {
                            Kind::Num(n) => js_number(*n),
                            Kind::Bool(b) => b.to_string(),
                            _ => "null".to_string(),
                        };
                        return Err(err(
                            "S0213",
                            s.pos,
                            format!("The literal value {value} cannot be used as a step within a path expression"),
                        ));
                    }
                    Kind::Str(v) => s.kind = Kind::Name(v.clone()),
                    _ => {}
                }
            }
            if steps.iter().any(|s| s.keep_array) {
                shell.keep_array = true;
            }
            if let Some(first) = steps.first_mut() {
                if matches!(first.kind, Kind::Array(_)) {
                    first.cons_array = true;
                }
            }
            if let Some(last) = steps.last_mut() {
                if matches!(last.kind, Kind::Array(_)) {
                    last.cons_array = true;
                }
            }
            let mut path = finish_path(steps, shell);
            anc.resolve(&mut path)?;
            path
        }
        Kind::RawFilter(l, r) => {
            let mut result = process(*l, d, sb, anc)?;
            let pred = process(*r, d, sb, anc)?;
            let in_path = matches!(result.kind, Kind::Path(_));
            let step = last_step(&mut result);
            if step.group.is_some() {
                return Err(err("S0209", pos, "A predicate cannot follow a grouping expression in a step"));
            }
            if !pred.seeking.is_empty() {
                for &slot in &pred.seeking {
                    if anc.level(slot) == 1 {
                        anc.seek(step, slot)?;
                    } else {
                        anc.lower(slot);
                    }
                }
                step.seeking.extend(pred.seeking.iter().copied());
            }
            if in_path {
                step.stages.push(Stage::Filter(pred));
            } else {
                step.predicate.push(Stage::Filter(pred));
            }
            result
        }
        Kind::RawGroup(l, pairs) => {
            let mut result = process(*l, d, sb, anc)?;
            if result.group.is_some() {
                return Err(err("S0210", pos, "Each step can only have one grouping expression"));
            }
            let mut ps = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                ps.push((process(k, d, sb, anc)?, process(v, d, sb, anc)?));
            }
            result.group = Some(Box::new(Group { pairs: ps }));
            result
        }
        Kind::RawSort(l, terms) => {
            let lhs = process(*l, d, sb, anc)?;
            let (mut steps, shell) = as_path(lhs);
            let mut ts = Vec::with_capacity(terms.len());
            let mut sort = Node::new(Kind::Null, pos);
            for (t, desc) in terms {
                let term = process(t, d, sb, anc)?;
                push_ancestry(&mut sort, &term);
                ts.push((term, desc));
            }
            sort.kind = Kind::Sort(ts);
            steps.push(sort);
            let mut path = finish_path(steps, shell);
            anc.resolve(&mut path)?;
            path
        }
        Kind::RawFocus(l, var) => {
            let mut result = process(*l, d, sb, anc)?;
            let step = last_step(&mut result);
            if !step.stages.is_empty() || !step.predicate.is_empty() {
                return Err(err("S0215", pos, "A context variable binding must precede any predicates on a step"));
            }
            if matches!(step.kind, Kind::Sort(_)) {
                return Err(err(
                    "S0216",
                    pos,
                    "A context variable binding must precede the 'order-by' clause on a step",
                ));
            }
            if keep {
                step.keep_array = true;
            }
            step.focus = Some(var);
            step.tuple = true;
            result
        }
        Kind::RawIndex(l, var) => {
            let result = process(*l, d, sb, anc)?;
            let (mut steps, shell) = if matches!(result.kind, Kind::Path(_)) {
                as_path(result)
            } else {
                let mut r = result;
                let preds = std::mem::take(&mut r.predicate);
                r.stages.extend(preds);
                (vec![r], Node::new(Kind::Null, pos))
            };
            if let Some(step) = steps.last_mut() {
                if step.stages.is_empty() {
                    step.index = Some(var);
                } else {
                    step.stages.push(Stage::Index(var));
                }
                step.tuple = true;
            }
            finish_path(steps, shell)
        }
        Kind::Apply(l, r) => {
            let l = process(*l, d, sb, anc)?;
            let r = process(*r, d, sb, anc)?;
            let mut node = Node::new(Kind::Null, pos);
            node.keep_array = l.keep_array || r.keep_array;
            node.kind = Kind::Apply(Box::new(l), Box::new(r));
            node
        }
        Kind::Binary(op, l, r) => {
            let l = process(*l, d, sb, anc)?;
            let r = process(*r, d, sb, anc)?;
            let mut node = Node::new(Kind::Null, pos);
            push_ancestry(&mut node, &l);
            push_ancestry(&mut node, &r);
            node.kind = Kind::Binary(op, Box::new(l), Box::new(r));
            node
        }
        Kind::Bind(name, r) => {
            let r = process(*r, d, sb, anc)?;
            let mut node = Node::new(Kind::Null, pos);
            push_ancestry(&mut node, &r);
            node.kind = Kind::Bind(name, Box::new(r));
            node
        }
        Kind::Neg(e) => {
            let e = process(*e, d, sb, anc)?;
            match e.kind {
                Kind::Num(v) => Node::new(Kind::Num(-v), pos),
                _ => {
                    let mut node = Node::new(Kind::Null, pos);
                    push_ancestry(&mut node, &e);
                    node.kind = Kind::Neg(Box::new(e));
                    node
                }
            }
        }
        Kind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut node = Node::new(Kind::Null, pos);
            for i in items {
                let item = process(i, d, sb, anc)?;
                push_ancestry(&mut node, &item);
                out.push(item);
            }
            node.kind = Kind::Array(out);
            node
        }
        Kind::Object(pairs) => {
            let mut ps = Vec::with_capacity(pairs.len());
            let mut node = Node::new(Kind::Null, pos);
            for (k, v) in pairs {
                let k = process(k, d, sb, anc)?;
                push_ancestry(&mut node, &k);
                let v = process(v, d, sb, anc)?;
                push_ancestry(&mut node, &v);
                ps.push((k, v));
            }
            node.kind = Kind::Object(ps);
            node
        }
        Kind::Call { proc, args, partial } => {
            let mut out = Vec::with_capacity(args.len());
            let mut node = Node::new(Kind::Null, pos);
            for a in args {
                if matches!(a.kind, Kind::Placeholder) {
                    out.push(a);
                } else {
                    let a = process(a, d, sb, anc)?;
                    push_ancestry(&mut node, &a);
                    out.push(a);
                }
            }
            node.kind = Kind::Call { proc: Box::new(process(*proc, d, sb, anc)?), args: out, partial };
            node
        }
        Kind::Condition(c, t, e) => {
            let mut node = Node::new(Kind::Null, pos);
            let c = process(*c, d, sb, anc)?;
            push_ancestry(&mut node, &c);
            let t = process(*t, d, sb, anc)?;
            push_ancestry(&mut node, &t);
            let e = match e {
                Some(e) => {
                    let e = process(*e, d, sb, anc)?;
                    push_ancestry(&mut node, &e);
                    Some(Box::new(e))
                }
                None => None,
            };
            node.kind = Kind::Condition(Box::new(c), Box::new(t), e);
            node
        }
        Kind::Transform(p, u, del) => {
            let p = process(*p, d, sb, anc)?;
            let u = process(*u, d, sb, anc)?;
            let del = match del {
                Some(x) => Some(Box::new(process(*x, d, sb, anc)?)),
                None => None,
            };
            Node::new(Kind::Transform(Box::new(p), Box::new(u), del), pos)
        }
        Kind::Block(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut cons = false;
            let mut seeking = Vec::new();
            for i in items {
                let part = process(i, d, sb, anc)?;
                seeking.extend(ancestry_of(&part));
                if part.cons_array || matches!(&part.kind, Kind::Path(s) if s.first().is_some_and(|f| f.cons_array)) {
                    cons = true;
                }
                out.push(part);
            }
            let mut node = Node::new(Kind::Block(out), pos);
            node.cons_array = cons;
            node.seeking = seeking;
            node
        }
        Kind::Name(name) => {
            let mut step = Node::new(Kind::Name(name), pos);
            step.keep_array = keep;
            let mut path = Node::new(Kind::Path(vec![step]), pos);
            path.keep_array = keep;
            path
        }
        Kind::Placeholder => {
            return Err(err("S0201", pos, "Syntax error: \"?\""));
        }
        Kind::Parent(_) => Node::new(Kind::Parent(anc.new_slot()), pos),
        Kind::RawEnd => return Err(err("S0207", pos, "Unexpected end of expression")),
        Kind::Lambda(l) => {
            // a lambda's body is resolved on its own: `%` does not look through a definition
            let Lambda { params, signature, body } = match std::sync::Arc::try_unwrap(l) {
                Ok(l) => l,
                Err(shared) => Lambda {
                    params: shared.params.clone(),
                    signature: shared.signature.clone(),
                    body: shared.body.clone(),
                },
            };
            let mut body = process(body, d, sb, anc)?;
            anc.finish(&mut body);
            Node::new(Kind::Lambda(std::sync::Arc::new(Lambda { params, signature, body })), pos)
        }
        other => Node::new(other, pos),
    };
    if keep {
        result.keep_array = true;
    }
    Ok(result)
}

/// The slots a child hands up to its parent node (reference `pushAncestry`).
fn ancestry_of(value: &Node) -> Vec<usize> {
    let mut slots = value.seeking.clone();
    if let Kind::Parent(slot) = &value.kind {
        slots.push(slot.index);
    }
    slots
}

fn push_ancestry(result: &mut Node, value: &Node) {
    let slots = ancestry_of(value);
    result.seeking.extend(slots);
}

fn last_step(n: &mut Node) -> &mut Node {
    let in_path = matches!(&n.kind, Kind::Path(s) if !s.is_empty());
    if !in_path {
        return n;
    }
    match &mut n.kind {
        Kind::Path(steps) => {
            let i = steps.len() - 1;
            &mut steps[i]
        }
        _ => unreachable!("checked above"),
    }
}
