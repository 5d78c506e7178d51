//! The second parser pass (the reference `processAST`): rewrites the raw Pratt tree into the
//! form the evaluator walks, flattening paths into steps and attaching predicates, groups,
//! sort terms and `@`/`#` bindings to them.

use super::guard::{err, stack_addr, too_deep, MAX_PARSE_DEPTH, STACK_BUDGET};
use crate::ast::{Group, Kind, Node, Stage};
use crate::error::JsonataError;

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

/// Rewrites the raw tree (the reference `processAST`).
pub fn process(n: Node, depth: usize, sb: usize) -> Result<Node, JsonataError> {
    if depth > MAX_PARSE_DEPTH * 2 || sb.abs_diff(stack_addr()) > STACK_BUDGET {
        return Err(too_deep(n.pos));
    }
    let d = depth + 1;
    let pos = n.pos;
    let keep = n.keep_array;
    let mut result = match n.kind {
        Kind::RawDot(l, r) => {
            let lstep = process(*l, d, sb)?;
            let (mut steps, mut shell) = as_path(lstep);
            let rest = process(*r, d, sb)?;
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
                        return Err(err(
                            "S0213",
                            s.pos,
                            "The literal value cannot be used as a step within a path expression",
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
            finish_path(steps, shell)
        }
        Kind::RawFilter(l, r) => {
            let mut result = process(*l, d, sb)?;
            let pred = process(*r, d, sb)?;
            let in_path = matches!(result.kind, Kind::Path(_));
            let step = last_step(&mut result);
            if step.group.is_some() {
                return Err(err("S0209", pos, "A predicate cannot follow a grouping expression in a step"));
            }
            if in_path {
                step.stages.push(Stage::Filter(pred));
            } else {
                step.predicate.push(Stage::Filter(pred));
            }
            result
        }
        Kind::RawGroup(l, pairs) => {
            let mut result = process(*l, d, sb)?;
            if result.group.is_some() {
                return Err(err("S0210", pos, "Each step can only have one grouping expression"));
            }
            let mut ps = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                ps.push((process(k, d, sb)?, process(v, d, sb)?));
            }
            result.group = Some(Box::new(Group { pairs: ps }));
            result
        }
        Kind::RawSort(l, terms) => {
            let lhs = process(*l, d, sb)?;
            let (mut steps, shell) = as_path(lhs);
            let mut ts = Vec::with_capacity(terms.len());
            for (t, desc) in terms {
                ts.push((process(t, d, sb)?, desc));
            }
            steps.push(Node::new(Kind::Sort(ts), pos));
            finish_path(steps, shell)
        }
        Kind::RawFocus(l, var) => {
            let mut result = process(*l, d, sb)?;
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
            let result = process(*l, d, sb)?;
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
            let l = process(*l, d, sb)?;
            let r = process(*r, d, sb)?;
            let mut node = Node::new(Kind::Null, pos);
            node.keep_array = l.keep_array || r.keep_array;
            node.kind = Kind::Apply(Box::new(l), Box::new(r));
            node
        }
        Kind::Binary(op, l, r) => {
            Node::new(Kind::Binary(op, Box::new(process(*l, d, sb)?), Box::new(process(*r, d, sb)?)), pos)
        }
        Kind::Bind(name, r) => Node::new(Kind::Bind(name, Box::new(process(*r, d, sb)?)), pos),
        Kind::Neg(e) => {
            let e = process(*e, d, sb)?;
            match e.kind {
                Kind::Num(v) => Node::new(Kind::Num(-v), pos),
                _ => Node::new(Kind::Neg(Box::new(e)), pos),
            }
        }
        Kind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(process(i, d, sb)?);
            }
            Node::new(Kind::Array(out), pos)
        }
        Kind::Object(pairs) => {
            let mut ps = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                ps.push((process(k, d, sb)?, process(v, d, sb)?));
            }
            Node::new(Kind::Object(ps), pos)
        }
        Kind::Call { proc, args, partial } => {
            let mut out = Vec::with_capacity(args.len());
            for a in args {
                if matches!(a.kind, Kind::Placeholder) {
                    out.push(a);
                } else {
                    out.push(process(a, d, sb)?);
                }
            }
            Node::new(Kind::Call { proc: Box::new(process(*proc, d, sb)?), args: out, partial }, pos)
        }
        Kind::Condition(c, t, e) => {
            let c = process(*c, d, sb)?;
            let t = process(*t, d, sb)?;
            let e = match e {
                Some(e) => Some(Box::new(process(*e, d, sb)?)),
                None => None,
            };
            Node::new(Kind::Condition(Box::new(c), Box::new(t), e), pos)
        }
        Kind::Transform(p, u, del) => {
            let p = process(*p, d, sb)?;
            let u = process(*u, d, sb)?;
            let del = match del {
                Some(x) => Some(Box::new(process(*x, d, sb)?)),
                None => None,
            };
            Node::new(Kind::Transform(Box::new(p), Box::new(u), del), pos)
        }
        Kind::Block(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut cons = false;
            for i in items {
                let part = process(i, d, sb)?;
                if part.cons_array || matches!(&part.kind, Kind::Path(s) if s.first().is_some_and(|f| f.cons_array)) {
                    cons = true;
                }
                out.push(part);
            }
            let mut node = Node::new(Kind::Block(out), pos);
            node.cons_array = cons;
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
            return Err(err("S0201", pos, "Syntax error: ?"));
        }
        other => Node::new(other, pos),
    };
    if keep {
        result.keep_array = true;
    }
    Ok(result)
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
