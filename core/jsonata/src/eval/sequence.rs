//! Sequences, the reference's flagged arrays: collapsing results, selecting by predicate,
//! appending, and the stable sort `$sort` and `order by` share.

use super::types::V;
use super::value::to_boolean;

/// Collapses a result sequence: empty is undefined, a singleton is its item (unless kept).
pub fn collapse<'a>(mut result: Option<V<'a>>, keep_array: bool) -> Option<V<'a>> {
    if let Some(V::Arr(a, f)) = &mut result {
        if f.seq {
            if keep_array {
                f.keep = true;
            }
            if a.is_empty() {
                return None;
            }
            if a.len() == 1 && !f.keep {
                return a.first().cloned();
            }
        }
    }
    result
}

/// Whether a predicate result selects the item at `index` (numbers are positions).
pub fn matches_predicate(res: &Option<V<'_>>, index: usize, len: usize) -> bool {
    let hit = |n: f64| {
        let mut i = n.floor();
        if i < 0.0 {
            i += len as f64;
        }
        i == index as f64
    };
    match res {
        Some(V::Num(n)) => hit(*n),
        Some(v) if v.is_array() => {
            let items = v.items().unwrap_or_default();
            if items.iter().all(|x| matches!(x, V::Num(_))) {
                items.iter().any(|x| x.as_num().is_some_and(hit))
            } else {
                to_boolean(res.as_ref()).unwrap_or(false)
            }
        }
        other => to_boolean(other.as_ref()).unwrap_or(false),
    }
}

/// `fn.append` into a vector: arrays are spread, other values pushed.
pub fn append_into<'a>(out: &mut Vec<V<'a>>, v: V<'a>) {
    match v.items() {
        Some(items) => out.extend(items),
        None => out.push(v),
    }
}

/// Stable merge sort with a fallible "should `a` come after `b`" comparator, as the
/// reference `$sort` (so user comparators see the same pairs).
pub fn merge_sort<T: Clone, E>(items: Vec<T>, swap: &mut dyn FnMut(&T, &T) -> Result<bool, E>) -> Result<Vec<T>, E> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mid = items.len() / 2;
    let mut left = items;
    let right = left.split_off(mid);
    let left = merge_sort(left, swap)?;
    let right = merge_sort(right, swap)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if swap(&left[i], &right[j])? {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}
