//! The pure half of `arn:aws:states:::nats:publish` and `...:amqp:publish`: which fields
//! the task's input must hold, the bytes of `Message` (a string as it is, anything else
//! as JSON), and how the task is answered once the bus has the message (at once with
//! what was published to, unless `.waitForTaskToken`). Publishing and confirming is each
//! bus's own.

use serde_json::Value;
use stepline_core::engine::TaskAnswer;
use stepline_core::error_names;

/// Why a publish task's input cannot be published: the task fails with `States.Runtime`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrationError {
    #[error("{resource} needs a string field \"{field}\" in its Parameters or Arguments")]
    Missing { resource: &'static str, field: &'static str },
    #[error("{resource}: \"{field}\" must be {expected}")]
    WrongType { resource: &'static str, field: &'static str, expected: &'static str },
}

impl IntegrationError {
    /// The task's answer: `States.Runtime` with this as its cause.
    pub fn answer(&self) -> TaskAnswer {
        TaskAnswer::Failure { error: error_names::RUNTIME.into(), cause: self.to_string() }
    }
}

/// A string field the input must have.
pub fn required_string<'a>(
    input: &'a Value,
    resource: &'static str,
    field: &'static str,
) -> Result<&'a str, IntegrationError> {
    input.get(field).and_then(Value::as_str).ok_or(IntegrationError::Missing { resource, field })
}

/// A string field the input may have (absent or `null`: `None`).
pub fn optional_string<'a>(
    input: &'a Value,
    resource: &'static str,
    field: &'static str,
) -> Result<Option<&'a str>, IntegrationError> {
    match input.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(IntegrationError::WrongType { resource, field, expected: "a string" }),
    }
}

/// The message a publish task sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub body: Vec<u8>,
    /// The body is JSON (`Message` was not a string).
    pub is_json: bool,
}

/// `Message` of the input: a string as it is, anything else (`null` when absent) as JSON.
pub fn message(input: &Value) -> Message {
    match input.get("Message").unwrap_or(&Value::Null) {
        Value::String(s) => Message { body: s.clone().into_bytes(), is_json: false },
        other => Message { body: serde_json::to_vec(other).unwrap_or_default(), is_json: true },
    }
}

/// The answer once the bus has the message: `output` at once, or none when the task
/// waits for a callback with its token.
pub fn published(wait_for_token: bool, output: Value) -> Option<TaskAnswer> {
    match wait_for_token {
        true => None,
        false => Some(TaskAnswer::Success(output)),
    }
}

/// The answer when the bus refused the message (`error` names the bus's failure).
pub fn not_published(error: &str, cause: String) -> TaskAnswer {
    TaskAnswer::Failure { error: error.into(), cause }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_field_is_a_runtime_failure_that_names_it() {
        let e = required_string(&json!({"Message": 1}), "nats:publish", "Subject").unwrap_err();
        assert_eq!(e.to_string(), "nats:publish needs a string field \"Subject\" in its Parameters or Arguments");
        assert!(matches!(e.answer(), TaskAnswer::Failure { error, .. } if error == "States.Runtime"));
        let e = optional_string(&json!({"Exchange": 1}), "amqp:publish", "Exchange").unwrap_err();
        assert_eq!(e.to_string(), "amqp:publish: \"Exchange\" must be a string");
        assert_eq!(optional_string(&json!({"Exchange": null}), "amqp:publish", "Exchange"), Ok(None));
    }

    #[test]
    fn a_string_message_goes_as_it_is_and_anything_else_as_json() {
        assert_eq!(message(&json!({"Message": "plain"})), Message { body: b"plain".to_vec(), is_json: false });
        assert_eq!(message(&json!({"Message": {"a": 1}})), Message { body: br#"{"a":1}"#.to_vec(), is_json: true });
        assert_eq!(message(&json!({})), Message { body: b"null".to_vec(), is_json: true });
    }

    #[test]
    fn a_task_that_waits_for_its_token_is_not_answered_on_publish() {
        assert!(published(true, json!({})).is_none());
        assert!(matches!(published(false, json!({"Subject": "s"})), Some(TaskAnswer::Success(_))));
    }
}
