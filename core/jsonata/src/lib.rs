//! A JSONata 2.x expression engine for the JSONata query language of Amazon States Language.
//!
//! Expressions are parsed once ([`parse`]) into an [`Expr`] and evaluated many times against
//! borrowed JSON ([`Expr::eval`]), so nothing is re-parsed or deep-copied on the hot path.
//! Semantics follow the reference implementation (the npm package `jsonata`): sequences,
//! singleton collapsing, undefined propagation, error codes. AWS's additional functions
//! (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`) are included. Randomness and
//! the time come from [`Env`], so evaluations replay deterministically.

mod ast;
mod eval;
mod functions;
mod lexer;
mod parser;
mod random;

#[cfg(test)]
mod tests;

pub use random::{Random, SplitMix64};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Errors from parsing or evaluating; `code` is JSONata's error code (e.g. `S0202`, `T2001`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonataError {
    #[error("{message}")]
    Syntax { code: String, position: usize, message: String },
    #[error("{message}")]
    Runtime { code: String, message: String },
}

impl JsonataError {
    /// JSONata's error code.
    pub fn code(&self) -> &str {
        match self {
            JsonataError::Syntax { code, .. } | JsonataError::Runtime { code, .. } => code,
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            JsonataError::Syntax { message, .. } | JsonataError::Runtime { message, .. } => message,
        }
    }
}

/// A parsed JSONata expression; parse once at load time, evaluate many times.
#[derive(Debug, Clone)]
pub struct Expr {
    src: Arc<str>,
    ast: Arc<ast::Node>,
}

/// Parses an expression; syntax errors carry the byte position.
pub fn parse(src: &str) -> Result<Expr, JsonataError> {
    let ast = parser::parse_source(src)?;
    Ok(Expr { src: src.into(), ast: Arc::new(ast) })
}

/// Variables visible to an evaluation (`$name` -> value), e.g. `states` and workflow variables.
pub trait Bindings {
    fn get(&self, name: &str) -> Option<&Value>;
}

impl Bindings for Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        Map::get(self, name)
    }
}

impl Bindings for std::collections::HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        std::collections::HashMap::get(self, name)
    }
}

/// What an evaluation needs from outside: randomness and the time, never read from the OS.
pub struct Env<'a> {
    pub rng: &'a mut dyn Random,
    pub now_millis: i64,
}

impl Expr {
    /// Evaluates against `input` (the context value `$`); `Ok(None)` is JSONata's undefined.
    pub fn eval(&self, input: &Value, vars: &dyn Bindings, env: &mut Env<'_>) -> Result<Option<Value>, JsonataError> {
        let root = eval::V::from_json(input);
        // a top-level array is wrapped so that paths treat it as a single input
        let ctx = if root.is_array() {
            eval::V::Arr(
                std::rc::Rc::new(vec![root.clone()]),
                eval::Flags { seq: true, outer: true, ..Default::default() },
            )
        } else {
            root.clone()
        };
        let mut ev = eval::Evaluator::new(Some(root), vars, &mut *env.rng, env.now_millis);
        let frame = eval::Frame::root();
        let result = ev.eval(&self.ast, &Some(ctx), &frame)?;
        match result {
            None => Ok(None),
            Some(v) => v.to_json().map(Some).map_err(|m| eval::rt("D1001", format!("Number out of range: {m}"))),
        }
    }

    /// The source text the expression was parsed from.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Names of the variables (`$x`) the expression reads that it does not bind itself
    /// (built-in function names excluded), for validation.
    pub fn free_variables(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut bound = Vec::new();
        collect_vars(&self.ast, &mut bound, &mut out);
        out
    }
}

fn collect_vars(n: &ast::Node, bound: &mut Vec<String>, out: &mut BTreeSet<String>) {
    use ast::{Kind, Stage};
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
