//! Errors as ASL sees them: a name and a cause, and the rules for which Retry or Catch
//! clause matches which name.

use crate::error_names;
use serde_json::{json, Value};

/// An error raised by a state or a task.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: String,
    pub cause: String,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Failure { error: error.into(), cause: cause.into() }
    }

    /// The error output a Catch passes on: `{"Error": ..., "Cause": ...}`.
    pub fn to_output(&self) -> Value {
        json!({"Error": self.error, "Cause": self.cause})
    }
}

/// `States.Runtime` ends the execution whatever Retry or Catch says.
pub fn is_uncatchable(error: &str) -> bool {
    error == error_names::RUNTIME
}

/// Whether an `ErrorEquals` list matches an error name.
pub fn error_matches(names: &[String], error: &str) -> bool {
    if is_uncatchable(error) {
        return false;
    }
    names.iter().any(|n| {
        n == error || n == error_names::ALL || (n == error_names::TASK_FAILED && error != error_names::TIMEOUT)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn all_matches_everything_but_runtime() {
        assert!(error_matches(&names(&["States.ALL"]), "MyError"));
        assert!(error_matches(&names(&["States.ALL"]), "States.DataLimitExceeded"));
        assert!(!error_matches(&names(&["States.ALL"]), "States.Runtime"));
        assert!(!error_matches(&names(&["States.Runtime"]), "States.Runtime"));
    }

    #[test]
    fn task_failed_does_not_match_timeouts() {
        assert!(error_matches(&names(&["States.TaskFailed"]), "Lambda.Unknown"));
        assert!(!error_matches(&names(&["States.TaskFailed"]), "States.Timeout"));
        assert!(error_matches(&names(&["A", "B"]), "B"));
        assert!(!error_matches(&names(&["A"]), "B"));
    }
}
