//! One finding of the validator, shaped like AWS's `ValidateStateMachineDefinition`
//! diagnostics.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in a definition, with the JSON pointer of where it is (`/States/Foo/Next`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// AWS's code: `SCHEMA_VALIDATION_FAILED`, `INVALID_JSON_DESCRIPTION`, ...
    pub code: String,
    pub message: String,
    pub location: String,
}

impl Diagnostic {
    pub fn error(code: &str, location: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code: code.into(), message: message.into(), location: location.into() }
    }

    pub fn schema(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::error(codes::SCHEMA, location, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} at {}", self.code, self.message, if self.location.is_empty() { "/" } else { &self.location })
    }
}

/// AWS's diagnostic codes.
pub mod codes {
    pub const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
    pub const INVALID_JSON: &str = "INVALID_JSON_DESCRIPTION";
    pub const MISSING_TRANSITION: &str = "MISSING_TRANSITION_TARGET";
    pub const UNREACHABLE: &str = "UNREACHABLE_STATE";
    pub const NO_TERMINAL: &str = "NO_TERMINAL_STATE";
    pub const DUPLICATE_STATE: &str = "DUPLICATE_STATE_NAME";
    pub const INVALID_PATH: &str = "INVALID_JSON_PATH";
    pub const INVALID_INTRINSIC: &str = "INVALID_INTRINSIC_FUNCTION";
    pub const INVALID_RESOURCE: &str = "INVALID_RESOURCE";
}
