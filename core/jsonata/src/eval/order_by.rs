//! Order-by (`^(...)`): sorting a sequence or a tuple stream by its terms (reference
//! `evaluateSortExpression`), with the stable merge sort `$sort` uses too.

use super::path::Tuple;
use super::sequence::merge_sort;
use super::types::{Evaluator, Frame, V};
use super::value::{cmp_js_str, show};
use crate::ast::Node;
use crate::error::{rt, JsonataError};
use std::rc::Rc;

type Res<T> = Result<T, JsonataError>;

impl<'a> Evaluator<'a, '_> {
    /// Evaluates order-by terms for an item: `None` entries are undefined keys.
    fn sort_keys(
        &mut self,
        terms: &'a [(Node, bool)],
        ctx: &Option<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> Res<Vec<Option<V<'a>>>> {
        let mut keys = Vec::with_capacity(terms.len());
        for (t, _) in terms {
            keys.push(self.eval(t, ctx, frame)?);
        }
        Ok(keys)
    }

    pub(super) fn sort_values(
        &mut self,
        terms: &'a [(Node, bool)],
        items: Vec<V<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> Res<Vec<V<'a>>> {
        let mut keyed = Vec::with_capacity(items.len());
        for v in items {
            let ctx = Some(v);
            let k = self.sort_keys(terms, &ctx, frame)?;
            if let Some(v) = ctx {
                keyed.push((v, k));
            }
        }
        let sorted = merge_sort(keyed, &mut |a, b| order_swap(terms, &a.1, &b.1))?;
        Ok(sorted.into_iter().map(|(v, _)| v).collect())
    }

    pub(super) fn sort_tuples(
        &mut self,
        terms: &'a [(Node, bool)],
        tuples: Vec<Tuple<'a>>,
        frame: &Rc<Frame<'a>>,
    ) -> Res<Vec<Tuple<'a>>> {
        let mut keyed = Vec::with_capacity(tuples.len());
        for t in tuples {
            let f = t.frame(frame);
            let k = self.sort_keys(terms, &t.ctx, &f)?;
            keyed.push((t, k));
        }
        let sorted = merge_sort(keyed, &mut |a, b| order_swap(terms, &a.1, &b.1))?;
        Ok(sorted.into_iter().map(|(t, _)| t).collect())
    }
}

/// Order-by comparator: true when `a` must come after `b` (reference `evaluateSortExpression`).
fn order_swap(terms: &[(Node, bool)], a: &[Option<V<'_>>], b: &[Option<V<'_>>]) -> Res<bool> {
    let mut comp = 0i32;
    for (i, (_, desc)) in terms.iter().enumerate() {
        if comp != 0 {
            break;
        }
        let (aa, bb) = (&a[i], &b[i]);
        match (aa, bb) {
            (None, None) => continue,
            (None, _) => {
                comp = 1;
                continue;
            }
            (_, None) => {
                comp = -1;
                continue;
            }
            _ => {}
        }
        let (Some(x), Some(y)) = (aa, bb) else { continue };
        let c = match (x, y) {
            (V::Num(p), V::Num(q)) => p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal),
            (V::Str(p), V::Str(q)) => cmp_js_str(p, q),
            (V::Num(_) | V::Str(_), V::Num(_) | V::Str(_)) => {
                return Err(rt(
                    "T2007",
                    format!("Type mismatch when comparing values {} and {} in order-by clause", show(x), show(y)),
                ))
            }
            _ => {
                return Err(rt(
                    "T2008",
                    "The expressions within an order-by clause must evaluate to numeric or string values",
                ))
            }
        };
        comp = match c {
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Greater => 1,
        };
        if *desc {
            comp = -comp;
        }
    }
    Ok(comp == 1)
}
