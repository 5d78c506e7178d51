//! Binary operators (reference `evaluateBinary`): arithmetic, comparison, `&`, `in`, `..`,
//! and the short-circuit `and`/`or`.

use super::types::{Evaluator, Frame, R, V};
use super::value::{cmp_js_str, deep_equal, js_number, show, to_boolean, to_string};
use crate::ast::{BinOp, Node};
use crate::error::rt;
use crate::jstext::json_quote;
use std::rc::Rc;

impl<'a> Evaluator<'a, '_> {
    #[inline(never)]
    pub(super) fn eval_binary(
        &mut self,
        op: BinOp,
        l: &'a Node,
        r: &'a Node,
        input: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> R<'a> {
        let lhs = self.eval(l, input, frame)?;
        match op {
            BinOp::And => {
                if !to_boolean(lhs.as_ref()).unwrap_or(false) {
                    return Ok(Some(V::Bool(false)));
                }
                let rhs = self.eval(r, input, frame)?;
                return Ok(Some(V::Bool(to_boolean(rhs.as_ref()).unwrap_or(false))));
            }
            BinOp::Or => {
                if to_boolean(lhs.as_ref()).unwrap_or(false) {
                    return Ok(Some(V::Bool(true)));
                }
                let rhs = self.eval(r, input, frame)?;
                return Ok(Some(V::Bool(to_boolean(rhs.as_ref()).unwrap_or(false))));
            }
            _ => {}
        }
        let rhs = self.eval(r, input, frame)?;
        let sym = op.symbol();
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                let ln = match &lhs {
                    None => None,
                    Some(V::Num(n)) if !n.is_nan() => Some(*n),
                    Some(_) => {
                        return Err(rt(
                            "T2001",
                            format!("The left side of the {} operator must evaluate to a number", json_quote(sym)),
                        ))
                    }
                };
                let rn = match &rhs {
                    None => None,
                    Some(V::Num(n)) if !n.is_nan() => Some(*n),
                    Some(_) => {
                        return Err(rt(
                            "T2002",
                            format!("The right side of the {} operator must evaluate to a number", json_quote(sym)),
                        ))
                    }
                };
                let (Some(a), Some(b)) = (ln, rn) else { return Ok(None) };
                let v = match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => a % b,
                };
                Ok(Some(V::Num(v)))
            }
            BinOp::Eq | BinOp::Ne => {
                let (Some(a), Some(b)) = (&lhs, &rhs) else { return Ok(Some(V::Bool(false))) };
                let eq = deep_equal(a, b);
                Ok(Some(V::Bool(if op == BinOp::Eq { eq } else { !eq })))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let comparable = |v: &Option<V<'_>>| matches!(v, None | Some(V::Num(_)) | Some(V::Str(_)));
                if !comparable(&lhs) || !comparable(&rhs) {
                    return Err(rt(
                        "T2010",
                        format!(
                            "The expressions either side of operator {} must evaluate to numeric or string values",
                            json_quote(sym)
                        ),
                    ));
                }
                let (Some(a), Some(b)) = (&lhs, &rhs) else { return Ok(None) };
                let ord = match (a, b) {
                    (V::Num(x), V::Num(y)) => x.partial_cmp(y),
                    (V::Str(x), V::Str(y)) => Some(cmp_js_str(x, y)),
                    _ => {
                        return Err(rt(
                            "T2009",
                            format!(
                                "The values {} and {} either side of operator {} must be of the same data type",
                                show(a),
                                show(b),
                                json_quote(sym)
                            ),
                        ))
                    }
                };
                use std::cmp::Ordering::*;
                let res = match (op, ord) {
                    (_, None) => false,
                    (BinOp::Lt, Some(o)) => o == Less,
                    (BinOp::Le, Some(o)) => o != Greater,
                    (BinOp::Gt, Some(o)) => o == Greater,
                    (_, Some(o)) => o != Less,
                };
                Ok(Some(V::Bool(res)))
            }
            BinOp::Concat => {
                let mut s = String::new();
                if let Some(a) = &lhs {
                    s.push_str(&to_string(a)?);
                }
                if let Some(b) = &rhs {
                    s.push_str(&to_string(b)?);
                }
                Ok(Some(V::str(s)))
            }
            BinOp::In => {
                let (Some(a), Some(b)) = (&lhs, &rhs) else { return Ok(Some(V::Bool(false))) };
                // JavaScript `===`: arrays and objects are never equal to a fresh value
                let strict = |x: &V<'_>| !x.is_array() && !x.is_object() && deep_equal(x, a);
                let found = match b.items() {
                    Some(items) => items.iter().any(strict),
                    None => strict(b),
                };
                Ok(Some(V::Bool(found)))
            }
            BinOp::Range => {
                let int = |v: &Option<V<'_>>| match v {
                    None => Ok(None),
                    Some(V::Num(n)) if n.fract() == 0.0 && n.is_finite() => Ok(Some(*n)),
                    Some(_) => Err(()),
                };
                let a = int(&lhs)
                    .map_err(|_| rt("T2003", "The left side of the range operator (..) must evaluate to an integer"))?;
                let b = int(&rhs).map_err(|_| {
                    rt("T2004", "The right side of the range operator (..) must evaluate to an integer")
                })?;
                let (Some(a), Some(b)) = (a, b) else { return Ok(None) };
                if a > b {
                    return Ok(None);
                }
                let size = b - a + 1.0;
                if size > 1e7 {
                    return Err(rt(
                        "D2014",
                        format!(
                            "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {}.",
                            js_number(size)
                        ),
                    ));
                }
                let n = size as i64;
                Ok(Some(V::seq((0..n).map(|i| V::Num(a + i as f64)).collect())))
            }
            BinOp::And | BinOp::Or => Ok(None),
        }
    }
}
