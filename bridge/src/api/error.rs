//! Errors in AWS's shape: `__type` names the error type, `message` explains it.

use stepline_core::engine::{AwsErrorType, DefinitionError, EngineError, ExecutionError, TaskError};

#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    pub kind: AwsErrorType,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: AwsErrorType, message: impl Into<String>) -> Self {
        ApiError { kind, message: message.into() }
    }

    /// The HTTP status AWS answers this error with.
    pub fn status(&self) -> u16 {
        self.kind.http_status()
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        ApiError::new(e.error_type(), e.to_string())
    }
}

impl From<DefinitionError> for ApiError {
    fn from(e: DefinitionError) -> Self {
        ApiError::new(e.error_type(), e.to_string())
    }
}

impl From<ExecutionError> for ApiError {
    fn from(e: ExecutionError) -> Self {
        ApiError::new(e.error_type(), e.to_string())
    }
}

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> Self {
        ApiError::new(e.error_type(), e.to_string())
    }
}
