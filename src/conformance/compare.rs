//! What a case's run comes to, and how results are compared with the recording: JSON by
//! value, causes as text or JSON, long values shortened for the report.

use serde_json::Value;

/// The result of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `None` when the case passed; otherwise a short description of the difference.
    pub failure: Option<String>,
    /// `Some(equal)` when the case records history event types.
    pub events_equal: Option<bool>,
    /// Our event types, kept when they differ from the recorded ones.
    pub events_got: Option<Vec<String>>,
}

/// JSON equality with numbers compared by value (`1.0 == 1`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Causes are compared as text, or as JSON when both are JSON documents.
pub fn cause_eq(got: &str, want: &str) -> bool {
    if got == want {
        return true;
    }
    match (serde_json::from_str::<Value>(got), serde_json::from_str::<Value>(want)) {
        (Ok(g), Ok(w)) if g.is_object() || g.is_array() => json_eq(&g, &w),
        _ => false,
    }
}

pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 160 {
        format!("{}...", &s[..s.char_indices().nth(157).map(|(i, _)| i).unwrap_or(s.len())])
    } else {
        s
    }
}
