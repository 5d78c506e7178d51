//! Higher-order functions (`$map`, `$filter`, `$single`, `$reduce`).

use super::args::{arg, arity, items_arg, Entry};
use crate::error::rt;
use crate::eval::{to_boolean, V};
use crate::eval::{Evaluator, R};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("map", "<af>", map));
    r.push(("filter", "<af>", filter));
    r.push(("single", "<af?>", single));
    r.push(("reduce", "<afj?:j>", reduce));
}

/// Callback arguments: value, then index and array when the callee declares them.
fn hof_args<'a>(f: &V<'a>, v: &V<'a>, i: usize, arr: &V<'a>) -> Vec<Option<V<'a>>> {
    let n = arity(f);
    let mut a = vec![Some(v.clone())];
    if n >= 2 {
        a.push(Some(V::Num(i as f64)));
    }
    if n >= 3 {
        a.push(Some(arr.clone()));
    }
    a
}

fn map<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let Some(f) = arg(&args, 1).cloned() else { return Ok(None) };
    let whole = V::arr(items.clone());
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        if let Some(r) = ev.apply(&f, hof_args(&f, v, i, &whole), input)? {
            out.push(r);
        }
    }
    Ok(Some(V::seq(out)))
}

fn filter<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let Some(f) = arg(&args, 1).cloned() else { return Ok(None) };
    let whole = V::arr(items.clone());
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let r = ev.apply(&f, hof_args(&f, v, i, &whole), input)?;
        if to_boolean(r.as_ref()).unwrap_or(false) {
            out.push(v.clone());
        }
    }
    Ok(Some(V::seq(out)))
}

fn single<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let f = arg(&args, 1).cloned();
    let whole = V::arr(items.clone());
    let mut found: Option<V<'a>> = None;
    for (i, v) in items.iter().enumerate() {
        let pass = match &f {
            Some(f) => {
                let r = ev.apply(f, hof_args(f, v, i, &whole), input)?;
                to_boolean(r.as_ref()).unwrap_or(false)
            }
            None => true,
        };
        if pass {
            if found.is_some() {
                return Err(rt(
                    "D3138",
                    "The $single() function expected exactly 1 matching result.  Instead it matched more.",
                ));
            }
            found = Some(v.clone());
        }
    }
    match found {
        Some(v) => Ok(Some(v)),
        None => Err(rt("D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0.")),
    }
}

fn reduce<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let Some(f) = arg(&args, 1).cloned() else { return Ok(None) };
    let n = arity(&f);
    if n < 2 {
        return Err(rt(
            "D3050",
            "The second argument of reduce function must be a function with at least two arguments",
        ));
    }
    let whole = V::arr(items.clone());
    let (mut acc, start) = match arg(&args, 2) {
        None if !items.is_empty() => (Some(items[0].clone()), 1),
        other => (other.cloned(), 0),
    };
    for (i, v) in items.iter().enumerate().skip(start) {
        let mut a = vec![acc, Some(v.clone())];
        if n >= 3 {
            a.push(Some(V::Num(i as f64)));
        }
        if n >= 4 {
            a.push(Some(whole.clone()));
        }
        acc = ev.apply(&f, a, input)?;
    }
    Ok(acc)
}
