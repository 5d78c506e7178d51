//! The one error type of the crate, shared by the lexer, the parser and the evaluator, so
//! that every stage reports JSONata's error codes the same way.

/// Errors from parsing or evaluating; `code` is JSONata's error code (e.g. `S0202`, `T2001`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonataError {
    #[error("{message}")]
    Syntax { code: String, position: usize, message: String },
    #[error("{message}")]
    Runtime { code: String, message: String },
}

impl JsonataError {
    /// JSONata's error code.
    pub fn code(&self) -> &str {
        match self {
            JsonataError::Syntax { code, .. } | JsonataError::Runtime { code, .. } => code,
        }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            JsonataError::Syntax { message, .. } | JsonataError::Runtime { message, .. } => message,
        }
    }
}

/// A runtime error with JSONata's `code` (e.g. `T2001`).
pub fn rt(code: &str, message: impl Into<String>) -> JsonataError {
    JsonataError::Runtime { code: code.to_string(), message: message.into() }
}
