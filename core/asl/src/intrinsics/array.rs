//! The array functions: `States.ArrayPartition`, `ArrayContains`, `ArrayRange`,
//! `ArrayGetItem`, `ArrayLength` and `ArrayUnique` (`States.Array` needs no code).
//! Argument types have been checked by the caller.

use super::call::{as_integer, runtime, Function, IntrinsicError};
use super::java;
use serde_json::Value;
use std::collections::HashSet;

/// AWS caps the arrays `States.ArrayRange` builds.
pub(super) const MAX_RANGE_ITEMS: i128 = 1000;

fn split(args: Vec<Value>) -> (Vec<Value>, Value) {
    let mut args = args.into_iter();
    let array = match args.next() {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    (array, args.next().unwrap_or(Value::Null))
}

/// Chunks of `size` items; the last chunk holds what is left.
pub(super) fn partition(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let (array, size) = split(args);
    let size = match as_integer(&size) {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => {
            return Err(runtime(
                Function::ArrayPartition,
                format!("the chunk size must be an integer greater than 0, but was {}", text(&size)),
            ))
        }
    };
    let mut chunks = Vec::with_capacity(array.len().div_ceil(size));
    let mut items = array.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(Value::Array(items.by_ref().take(size).collect()));
    }
    Ok(Value::Array(chunks))
}

/// JSON equality: `1` and `1.0` differ, object key order does not matter.
pub(super) fn contains(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let (array, needle) = split(args);
    Ok(Value::Bool(array.contains(&needle)))
}

/// `start`, `start + step`, ... up to and including `end`; a negative step counts down.
pub(super) fn range(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let ints: Vec<i64> = args.iter().filter_map(as_integer).collect();
    let [start, end, step] = ints[..] else {
        return Err(runtime(Function::ArrayRange, "the start, end and step must be integers"));
    };
    if step == 0 {
        return Err(runtime(Function::ArrayRange, "the step must not be 0"));
    }
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let span = (end - start) * step.signum();
    let count = if span < 0 { 0 } else { span / step.abs() + 1 };
    if count > MAX_RANGE_ITEMS {
        return Err(runtime(
            Function::ArrayRange,
            format!("the range would have {count} items, but an array can hold at most {MAX_RANGE_ITEMS}"),
        ));
    }
    Ok(Value::Array((0..count).map(|i| Value::from((start + i * step) as i64)).collect()))
}

/// The item at a zero-based index.
pub(super) fn get_item(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let (array, index) = split(args);
    let len = array.len();
    match as_integer(&index) {
        Some(i) if i >= 0 && (i as u64) < len as u64 => Ok(array.into_iter().nth(i as usize).unwrap_or(Value::Null)),
        Some(i) => {
            Err(runtime(Function::ArrayGetItem, format!("the index {i} is out of bounds for an array of length {len}")))
        }
        None => Err(runtime(Function::ArrayGetItem, format!("the index must be an integer, but was {}", text(&index)))),
    }
}

pub(super) fn length(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let (array, _) = split(args);
    Ok(Value::from(array.len()))
}

/// Drops repeated items, keeping the first occurrence of each.
pub(super) fn unique(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let (array, _) = split(args);
    let mut seen = HashSet::with_capacity(array.len());
    Ok(Value::Array(array.into_iter().filter(|v| seen.insert(canonical(v))).collect()))
}

/// A text that is equal for exactly the values that are equal as JSON (object keys sorted).
fn canonical(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (k, item) in entries {
                    java::write_json(&Value::String(k.clone()), out);
                    out.push(':');
                    write(item, out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    write(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            // Integers and floats stay apart (`1` vs `1.0`), as in `Value`'s equality.
            Value::Number(n) if n.is_f64() => {
                out.push('f');
                // `0.0 == -0.0` as JSON numbers.
                match n.as_f64() {
                    Some(0.0) => out.push('0'),
                    _ => out.push_str(&java::number(n)),
                }
            }
            other => java::write_json(other, out),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

fn text(v: &Value) -> String {
    let mut out = String::new();
    java::write_json(v, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partitions() {
        assert_eq!(partition(vec![json!([1, 2, 3, 4, 5]), json!(2)]).unwrap(), json!([[1, 2], [3, 4], [5]]));
        assert_eq!(partition(vec![json!([]), json!(3)]).unwrap(), json!([]));
        assert_eq!(partition(vec![json!([1]), json!(i64::MAX)]).unwrap(), json!([[1]]));
        assert_eq!(
            partition(vec![json!([1]), json!(-1)]).unwrap_err().to_string(),
            "Invalid arguments in States.ArrayPartition: the chunk size must be an integer greater than 0, but was -1"
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(range(vec![json!(1), json!(9), json!(2)]).unwrap(), json!([1, 3, 5, 7, 9]));
        assert_eq!(range(vec![json!(10), json!(1), json!(-4)]).unwrap(), json!([10, 6, 2]));
        assert_eq!(range(vec![json!(5), json!(1), json!(1)]).unwrap(), json!([]));
        assert_eq!(range(vec![json!(0), json!(999), json!(1)]).unwrap().as_array().unwrap().len(), 1000);
        assert_eq!(
            range(vec![json!(0), json!(1000), json!(1)]).unwrap_err().to_string(),
            "Invalid arguments in States.ArrayRange: the range would have 1001 items, but an array can hold at most 1000"
        );
        assert!(range(vec![json!(i64::MIN), json!(i64::MAX), json!(1)]).is_err());
        assert_eq!(range(vec![json!(i64::MAX - 1), json!(i64::MAX), json!(i64::MAX)]).unwrap(), json!([i64::MAX - 1]));
        assert!(range(vec![json!(1), json!(2), json!(0)]).is_err());
    }

    #[test]
    fn get_item_checks_bounds() {
        assert_eq!(get_item(vec![json!([1, 2, 3]), json!(2)]).unwrap(), json!(3));
        assert_eq!(get_item(vec![json!(["a"]), json!(0.0)]).unwrap(), json!("a"));
        assert_eq!(
            get_item(vec![json!([1, 2, 3]), json!(3)]).unwrap_err().to_string(),
            "Invalid arguments in States.ArrayGetItem: the index 3 is out of bounds for an array of length 3"
        );
        assert!(get_item(vec![json!([1]), json!(-1)]).is_err());
    }

    #[test]
    fn unique_keeps_first_occurrences() {
        let v = json!([null, null, true, true, false, 1, 1, 1.0, 1.1, 0, "a", "a", [], [], [null], [null], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}, "1"]);
        assert_eq!(
            unique(vec![v]).unwrap(),
            json!([null, true, false, 1, 1.0, 1.1, 0, "a", [], [null], {"a": 1, "b": 2}, {"a": 1, "b": 1}, "1"])
        );
        assert_eq!(unique(vec![json!([1, 2, 2, 3, 3, 4])]).unwrap(), json!([1, 2, 3, 4]));
    }

    #[test]
    fn contains_uses_json_equality() {
        assert_eq!(contains(vec![json!([[1, 2, 3], 2]), json!([1, 2, 3])]).unwrap(), json!(true));
        assert_eq!(contains(vec![json!([{"a": 1, "b": 2}]), json!({"b": 2, "a": 1})]).unwrap(), json!(true));
        assert_eq!(contains(vec![json!([1]), json!(1.0)]).unwrap(), json!(false));
        assert_eq!(contains(vec![json!([]), json!(null)]).unwrap(), json!(false));
    }
}
