//! A parsed expression and its entry points: parse once, evaluate many times.

use crate::env::{Bindings, Env};
use crate::error::{rt, JsonataError};
use crate::{ast, eval, free_vars, functions, parser};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

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
        let parsed = eval::Parsed::new();
        let mut ev = eval::Evaluator::new(Some(root), vars, &mut *env.rng, env.now_millis, functions::lookup, &parsed);
        let frame = eval::Frame::root();
        let result = ev.eval(&self.ast, &Some(ctx), &frame)?;
        match result {
            None => Ok(None),
            Some(v) => v.to_json().map(Some).map_err(|m| rt("D1001", format!("Number out of range: {m}"))),
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
        free_vars::collect_vars(&self.ast, &mut bound, &mut out);
        out
    }
}
