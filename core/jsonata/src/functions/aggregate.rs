//! Aggregation functions over arrays of numbers (`$sum`, `$max`, `$min`, `$average`, `$count`).

use super::args::{items_arg, ok_num, Entry};
use crate::eval::V;
use crate::eval::{Evaluator, R};

pub fn register(r: &mut Vec<Entry>) {
    r.push(("sum", "<a<n>:n>", sum));
    r.push(("count", "<a:n>", count));
    r.push(("max", "<a<n>:n>", max));
    r.push(("min", "<a<n>:n>", min));
    r.push(("average", "<a<n>:n>", average));
}

fn nums(items: &[V<'_>]) -> Vec<f64> {
    items.iter().filter_map(|v| v.as_num()).collect()
}

fn sum<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    match items_arg(&args, 0) {
        Some(items) => ok_num(nums(&items).iter().sum()),
        None => Ok(None),
    }
}

fn count<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    ok_num(items_arg(&args, 0).map(|i| i.len()).unwrap_or(0) as f64)
}

fn max<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let n = nums(&items);
    if n.is_empty() {
        return Ok(None);
    }
    ok_num(n.into_iter().fold(f64::NEG_INFINITY, f64::max))
}

fn min<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let n = nums(&items);
    if n.is_empty() {
        return Ok(None);
    }
    ok_num(n.into_iter().fold(f64::INFINITY, f64::min))
}

fn average<'a>(_: &mut Evaluator<'a, '_>, args: Vec<Option<V<'a>>>, _: &Option<V<'a>>) -> R<'a> {
    let Some(items) = items_arg(&args, 0) else { return Ok(None) };
    let n = nums(&items);
    if n.is_empty() {
        return Ok(None);
    }
    ok_num(n.iter().sum::<f64>() / n.len() as f64)
}
