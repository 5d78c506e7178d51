//! The `timestamp` of a stored history event: integer milliseconds since the epoch, or,
//! in stores written before timestamps were kept typed, RFC 3339 text.

use crate::time::{parse_timestamp, Millis};
use serde_json::Value;

/// The instant of a stored event, whichever form it was stored in; `None` when it has none.
pub fn stored_timestamp(event: &Value) -> Option<Millis> {
    match event.get("timestamp")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_timestamp(s),
        _ => None,
    }
}

/// Rewrites an event read from an older store so its `timestamp` is integer milliseconds.
pub fn normalize_stored(event: &mut Value) {
    if event.get("timestamp").is_some_and(Value::is_string) {
        if let Some(ms) = stored_timestamp(event) {
            event["timestamp"] = Value::from(ms);
        }
    }
}
