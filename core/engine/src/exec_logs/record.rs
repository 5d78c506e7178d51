//! A history event as the log record Step Functions writes to CloudWatch Logs:
//! `id`, `type`, `details`, `previous_event_id`, `event_timestamp` (epoch milliseconds),
//! `execution_arn`, `redrive_count`, the numbers as strings, as AWS writes them.

use super::level::Logging;
use serde_json::{json, Map, Value};

/// Members of an event's details that are execution data, left out unless
/// `includeExecutionData` is set.
const DATA: [&str; 4] = ["input", "output", "parameters", "result"];

/// The log line of one stored history event (AWS's history JSON, `timestamp` in ms).
pub fn log_record(event: &Value, execution_arn: &str, redrive_count: u32, logging: &Logging) -> Option<Value> {
    let ty = event.get("type")?.as_str()?;
    if !logging.wants(ty) {
        return None;
    }
    let mut details = event
        .as_object()?
        .iter()
        .find(|(k, _)| k.ends_with("EventDetails"))
        .and_then(|(_, v)| v.as_object().cloned())
        .unwrap_or_default();
    if !logging.include_data {
        strip(&mut details);
    }
    let text = |v: Option<&Value>| v.map(|v| v.to_string().trim_matches('"').to_string()).unwrap_or_else(|| "0".into());
    Some(json!({
        "id": text(event.get("id")),
        "type": ty,
        "details": details,
        "previous_event_id": text(event.get("previousEventId")),
        "event_timestamp": text(event.get("timestamp")),
        "execution_arn": execution_arn,
        "redrive_count": redrive_count.to_string(),
    }))
}

fn strip(details: &mut Map<String, Value>) {
    for k in DATA {
        details.remove(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec_logs::level::LogLevel;

    #[test]
    fn an_event_becomes_aws_s_log_record_with_or_without_its_data() {
        let event = json!({"id": 2, "previousEventId": 1, "timestamp": 1_700_000_000_123_i64, "type": "TaskStateEntered",
            "stateEnteredEventDetails": {"name": "Work", "input": "{\"a\":1}", "inputDetails": {"truncated": false}}});
        let all = Logging { level: LogLevel::All, include_data: true };
        let r = log_record(&event, "arn:x", 0, &all).unwrap();
        assert_eq!(
            r,
            json!({"id": "2", "type": "TaskStateEntered", "previous_event_id": "1",
            "event_timestamp": "1700000000123", "execution_arn": "arn:x", "redrive_count": "0",
            "details": {"name": "Work", "input": "{\"a\":1}", "inputDetails": {"truncated": false}}})
        );
        let bare = log_record(&event, "arn:x", 1, &Logging { include_data: false, ..all }).unwrap();
        assert_eq!(bare["details"], json!({"name": "Work", "inputDetails": {"truncated": false}}));
        assert!(log_record(&event, "arn:x", 0, &Logging { level: LogLevel::Error, include_data: true }).is_none());
    }
}
