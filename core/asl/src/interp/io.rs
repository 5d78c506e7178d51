//! Input and output processing: InputPath, Parameters, ResultSelector, ResultPath,
//! OutputPath, in the order AWS applies them.

use super::errors::Failure;
use crate::entropy::Entropy;
use crate::error_names;
use crate::history::Payload;
use crate::limits::{MAX_NESTING, MAX_VARIABLES_TOTAL_BYTES, MAX_VARIABLE_BYTES};
use crate::model::{IoPath, ResultPath, Template};
use crate::path::{PathError, Scope};
use serde_json::{Map, Value};

/// A data-processing error, before the state's cause prefix is added.
pub type IoResult<T> = Result<T, (String, String)>;

fn runtime(e: impl ToString) -> (String, String) {
    (error_names::RUNTIME.to_string(), e.to_string())
}

/// `InputPath` / `OutputPath` / `ItemsPath`.
pub fn apply_io_path(p: &IoPath, scope: &Scope<'_>) -> IoResult<Value> {
    match p {
        IoPath::Identity => Ok(scope.input.clone()),
        IoPath::Null => Ok(Value::Object(Map::new())),
        IoPath::Path(p) => p.select(scope).map_err(runtime),
    }
}

/// `Parameters` / `ResultSelector` / `ItemSelector`.
pub fn apply_template(t: &Template, scope: &Scope<'_>, rng: &mut dyn Entropy) -> IoResult<Value> {
    t.eval(scope, rng).map_err(|e| (e.error_name().to_string(), e.to_string()))
}

/// `ResultPath`: merges the result into the raw state input.
pub fn apply_result_path(rp: &ResultPath, raw_input: &Payload, result: Payload) -> IoResult<Payload> {
    match rp {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(raw_input.clone()),
        ResultPath::Path(p) => {
            let mut out = Value::clone(raw_input);
            p.set(&mut out, Payload::unwrap_or_clone(result))
                .map_err(|e: PathError| (error_names::RESULT_PATH_MATCH_FAILURE.to_string(), e.to_string()))?;
            Ok(Payload::new(out))
        }
    }
}

/// A value as AWS quotes it in a cause: a string's text without JSON quotes, anything
/// else as JSON.
pub fn raw_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks assigned values against the variable limits before they are stored.
pub fn check_variables(assigned: &Map<String, Value>, existing: &Map<String, Value>) -> Result<(), (String, String)> {
    let mut total = 0;
    for (k, v) in assigned {
        if nested_deeper_than(v, MAX_NESTING) {
            return Err((
                error_names::DATA_LIMIT_EXCEEDED.into(),
                format!("The value assigned to the variable '{k}' is nested deeper than {MAX_NESTING} levels."),
            ));
        }
        let n = json_len(v, MAX_VARIABLE_BYTES + 1);
        if n > MAX_VARIABLE_BYTES {
            return Err((
                error_names::DATA_LIMIT_EXCEEDED.into(),
                format!(
                    "The value assigned to the variable '{k}' is larger than the limit of {MAX_VARIABLE_BYTES} bytes."
                ),
            ));
        }
        total += n;
    }
    for (k, v) in existing {
        if !assigned.contains_key(k) {
            total += json_len(v, MAX_VARIABLES_TOTAL_BYTES + 1);
        }
    }
    if total > MAX_VARIABLES_TOTAL_BYTES {
        return Err((
            error_names::DATA_LIMIT_EXCEEDED.into(),
            format!("The variables of the execution are larger than the limit of {MAX_VARIABLES_TOTAL_BYTES} bytes in total."),
        ));
    }
    Ok(())
}

/// True when `v` nests arrays and objects more than `max` levels deep (looks no deeper).
pub fn nested_deeper_than(v: &Value, max: usize) -> bool {
    match v {
        Value::Array(a) => max == 0 || a.iter().any(|x| nested_deeper_than(x, max - 1)),
        Value::Object(o) => max == 0 || o.values().any(|x| nested_deeper_than(x, max - 1)),
        _ => false,
    }
}

pub fn payload_too_large(v: &Value, limit: usize) -> bool {
    json_len(v, limit + 1) > limit
}

/// The length of `v` serialised as compact JSON, counted without allocating and stopping
/// once past `cap` (the check runs on every state's output).
pub fn json_len(v: &Value, cap: usize) -> usize {
    fn str_len(s: &str) -> usize {
        2 + s.len()
            + s.bytes()
                .filter(|b| matches!(b, b'"' | b'\\' | 0..=0x1f))
                .map(|b| if b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x08 | 0x0c) { 5 } else { 1 })
                .sum::<usize>()
    }
    match v {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => {
            use std::fmt::Write;
            struct Count(usize);
            impl Write for Count {
                fn write_str(&mut self, s: &str) -> std::fmt::Result {
                    self.0 += s.len();
                    Ok(())
                }
            }
            let mut c = Count(0);
            let _ = write!(c, "{n}");
            c.0
        }
        Value::String(s) => str_len(s),
        Value::Array(a) => {
            let mut n = 2 + a.len().saturating_sub(1);
            for x in a {
                n += json_len(x, cap);
                if n > cap {
                    return n;
                }
            }
            n
        }
        Value::Object(o) => {
            let mut n = 2 + o.len().saturating_sub(1);
            for (k, x) in o {
                n += str_len(k) + 1 + json_len(x, cap);
                if n > cap {
                    return n;
                }
            }
            n
        }
    }
}

impl From<(String, String)> for Failure {
    fn from((error, cause): (String, String)) -> Self {
        Failure { error, cause }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_PAYLOAD_BYTES;
    use serde_json::json;

    #[test]
    fn json_len_matches_serialisation() {
        for v in [json!(null), json!({"a": [1, 2.5, "x\"y\n\u{1}"], "b": {"c": true}}), json!([]), json!("")] {
            assert_eq!(json_len(&v, usize::MAX), v.to_string().len(), "{v}");
        }
        assert!(payload_too_large(&json!("x".repeat(MAX_PAYLOAD_BYTES)), MAX_PAYLOAD_BYTES));
        assert!(!payload_too_large(&json!("x".repeat(MAX_PAYLOAD_BYTES - 2)), MAX_PAYLOAD_BYTES));
    }
}
