//! Array functions (`$append`, `$reverse`, `$shuffle`, `$sort`, `$distinct`, `$zip`).

use super::args::{arg, items_arg, Entry};
use crate::error::rt;
use crate::eval::{cmp_js_str, merge_sort, Evaluator, R};
use crate::eval::{deep_equal, js_truthy, V};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("append", "<xx:a>", append));
    r.push(("reverse", "<a:a>", reverse));
    r.push(("shuffle", "<a:a>", shuffle));
    r.push(("sort", "<af?:a>", sort));
    r.push(("distinct", "<x:x>", distinct));
    r.push(("zip", "<a+>", zip));
}

fn append<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let (a, b) = (arg(&args, 0), arg(&args, 1));
    let (Some(a), Some(b)) = (a, b) else { return Ok(a.or(b).cloned()) };
    let mut out = a.items().unwrap_or_else(|| vec![a.clone()]);
    out.extend(b.items().unwrap_or_else(|| vec![b.clone()]));
    Ok(Some(V::arr(out)))
}

fn reverse<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(v) = arg(&args, 0) else { return Ok(None) };
    if v.arr_len().unwrap_or(0) <= 1 {
        return Ok(Some(v.clone()));
    }
    let mut items = v.items().unwrap_or_default();
    items.reverse();
    Ok(Some(V::arr(items)))
}

fn shuffle<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(v) = arg(&args, 0) else { return Ok(None) };
    if v.arr_len().unwrap_or(0) <= 1 {
        return Ok(Some(v.clone()));
    }
    let mut items = v.items().unwrap_or_default();
    for i in (1..items.len()).rev() {
        let j = (ev.rng.next_f64() * (i + 1) as f64) as usize;
        items.swap(i, j.min(i));
    }
    Ok(Some(V::arr(items)))
}

fn sort<'a>(ev: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, input: &Option<V<'a>>) -> R<'a> {
    let Some(v) = arg(&args, 0) else { return Ok(None) };
    if v.arr_len().unwrap_or(0) <= 1 {
        return Ok(Some(v.clone()));
    }
    let items = v.items().unwrap_or_default();
    let sorted = match arg(&args, 1).cloned() {
        None => {
            let all_num = items.iter().all(|x| matches!(x, V::Num(_)));
            let all_str = items.iter().all(|x| matches!(x, V::Str(_)));
            if !all_num && !all_str {
                return Err(rt(
                    "D3070",
                    "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
                ));
            }
            merge_sort(items, &mut |a: &V<'a>, b: &V<'a>| {
                Ok::<bool, crate::error::JsonataError>(match (a, b) {
                    (V::Num(x), V::Num(y)) => x > y,
                    (V::Str(x), V::Str(y)) => cmp_js_str(x, y) == std::cmp::Ordering::Greater,
                    _ => false,
                })
            })?
        }
        Some(f) => merge_sort(items, &mut |a: &V<'a>, b: &V<'a>| {
            let r = ev.apply(&f, vec![Some(a.clone()), Some(b.clone())], input)?;
            Ok(js_truthy(r.as_ref()))
        })?,
    };
    Ok(Some(V::arr(sorted)))
}

fn distinct<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(v) = arg(&args, 0) else { return Ok(None) };
    if v.arr_len().unwrap_or(0) <= 1 {
        return Ok(Some(v.clone()));
    }
    let mut out: Vec<V<'a>> = Vec::new();
    for item in v.items().unwrap_or_default() {
        if !out.iter().any(|x| deep_equal(x, &item)) {
            out.push(item);
        }
    }
    Ok(Some(if v.is_seq() { V::seq(out) } else { V::arr(out) }))
}

fn zip<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let arrays: Vec<Vec<V<'a>>> = (0..args.len()).map(|i| items_arg(&args, i).unwrap_or_default()).collect();
    let n = arrays.iter().map(|a| a.len()).min().unwrap_or(0);
    let out = (0..n).map(|i| V::arr(arrays.iter().map(|a| a[i].clone()).collect())).collect();
    Ok(Some(V::arr(out)))
}
