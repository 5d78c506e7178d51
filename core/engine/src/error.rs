//! What can go wrong in the engine, named after AWS's error types so the control API can
//! answer in AWS's shape without guessing.

use crate::store::StoreError;

/// Errors a control-API caller can get, named after AWS's error types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    #[error("State Machine Already Exists: '{0}'")]
    StateMachineAlreadyExists(String),
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    #[error("Invalid State Machine Definition: '{0}'")]
    InvalidDefinition(String),
    #[error("Invalid Name: '{0}'")]
    InvalidName(String),
    #[error("Invalid Execution Input: {0}")]
    InvalidExecutionInput(String),
    #[error("Execution Not Redrivable: '{0}'")]
    ExecutionNotRedrivable(String),
    #[error("Activity Does Not Exist: '{0}'")]
    ActivityDoesNotExist(String),
    #[error("This operation is not supported by this type of state machine: '{0}'")]
    StateMachineTypeNotSupported(String),
    #[error("Task Does Not Exist")]
    TaskDoesNotExist,
    #[error("Execution is not running: '{0}'")]
    ExecutionNotRunning(String),
    #[error("Map Run Does Not Exist: '{0}'")]
    MapRunDoesNotExist(String),
    #[error("The Map Run is not running: '{0}'")]
    MapRunNotRunning(String),
    /// A `<machine>#<test case>` the mock config cannot answer.
    #[error("{0}")]
    TestCase(String),
    /// A change that contradicts what is stored (a version an alias routes to, a stale
    /// revision): AWS's `ConflictException`.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    QuotaExceeded(String),
    /// A version, alias or tagged resource that does not exist: AWS's `ResourceNotFound`.
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("Too many tags on resource: '{0}' (at most 50)")]
    TooManyTags(String),
    /// A request AWS's front end would refuse: AWS's `ValidationException`.
    #[error("{0}")]
    Validation(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store refused a write (a full disk, an I/O error): nothing of the request was
    /// kept, and the engine takes work again by itself once writes succeed.
    #[error("{0}; try again later")]
    Unavailable(String),
    /// The engine thread could not be started.
    #[error("starting the engine thread: {0}")]
    Thread(#[source] std::io::Error),
    #[error("the engine has stopped")]
    Stopped,
}

/// AWS's error types (`__type`) the engine's errors map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AwsErrorType {
    StateMachineDoesNotExist,
    StateMachineAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionAlreadyExists,
    InvalidDefinition,
    InvalidName,
    InvalidExecutionInput,
    ExecutionNotRedrivable,
    ActivityDoesNotExist,
    StateMachineTypeNotSupported,
    TaskDoesNotExist,
    ValidationException,
    ServiceUnavailable,
    InternalFailure,
    // Raised by the control API itself, before the engine is asked.
    InvalidArn,
    InvalidToken,
    InvalidOutput,
    ResourceNotFound,
    TaskTimedOut,
    SerializationException,
    UnknownOperationException,
    MissingRequiredParameter,
    RequestTooLargeException,
    ConflictException,
    ServiceQuotaExceededException,
    TooManyTags,
}

impl AwsErrorType {
    /// The name AWS writes in `__type`.
    pub fn as_str(self) -> &'static str {
        match self {
            AwsErrorType::StateMachineDoesNotExist => "StateMachineDoesNotExist",
            AwsErrorType::StateMachineAlreadyExists => "StateMachineAlreadyExists",
            AwsErrorType::ExecutionDoesNotExist => "ExecutionDoesNotExist",
            AwsErrorType::ExecutionAlreadyExists => "ExecutionAlreadyExists",
            AwsErrorType::InvalidDefinition => "InvalidDefinition",
            AwsErrorType::InvalidName => "InvalidName",
            AwsErrorType::InvalidExecutionInput => "InvalidExecutionInput",
            AwsErrorType::ExecutionNotRedrivable => "ExecutionNotRedrivable",
            AwsErrorType::ActivityDoesNotExist => "ActivityDoesNotExist",
            AwsErrorType::StateMachineTypeNotSupported => "StateMachineTypeNotSupported",
            AwsErrorType::TaskDoesNotExist => "TaskDoesNotExist",
            AwsErrorType::ValidationException => "ValidationException",
            AwsErrorType::ServiceUnavailable => "ServiceUnavailable",
            AwsErrorType::InternalFailure => "InternalFailure",
            AwsErrorType::InvalidArn => "InvalidArn",
            AwsErrorType::InvalidToken => "InvalidToken",
            AwsErrorType::InvalidOutput => "InvalidOutput",
            AwsErrorType::ResourceNotFound => "ResourceNotFound",
            AwsErrorType::TaskTimedOut => "TaskTimedOut",
            AwsErrorType::SerializationException => "SerializationException",
            AwsErrorType::UnknownOperationException => "UnknownOperationException",
            AwsErrorType::MissingRequiredParameter => "MissingRequiredParameter",
            AwsErrorType::RequestTooLargeException => "RequestTooLargeException",
            AwsErrorType::ConflictException => "ConflictException",
            AwsErrorType::ServiceQuotaExceededException => "ServiceQuotaExceededException",
            AwsErrorType::TooManyTags => "TooManyTags",
        }
    }

    /// The type AWS names `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<AwsErrorType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    /// Every type, for lookups and tests.
    pub const ALL: [AwsErrorType; 26] = [
        AwsErrorType::StateMachineDoesNotExist,
        AwsErrorType::StateMachineAlreadyExists,
        AwsErrorType::ExecutionDoesNotExist,
        AwsErrorType::ExecutionAlreadyExists,
        AwsErrorType::InvalidDefinition,
        AwsErrorType::InvalidName,
        AwsErrorType::InvalidExecutionInput,
        AwsErrorType::ExecutionNotRedrivable,
        AwsErrorType::ActivityDoesNotExist,
        AwsErrorType::StateMachineTypeNotSupported,
        AwsErrorType::TaskDoesNotExist,
        AwsErrorType::ValidationException,
        AwsErrorType::ServiceUnavailable,
        AwsErrorType::InternalFailure,
        AwsErrorType::InvalidArn,
        AwsErrorType::InvalidToken,
        AwsErrorType::InvalidOutput,
        AwsErrorType::ResourceNotFound,
        AwsErrorType::TaskTimedOut,
        AwsErrorType::SerializationException,
        AwsErrorType::UnknownOperationException,
        AwsErrorType::MissingRequiredParameter,
        AwsErrorType::RequestTooLargeException,
        AwsErrorType::ConflictException,
        AwsErrorType::ServiceQuotaExceededException,
        AwsErrorType::TooManyTags,
    ];

    /// The HTTP status AWS answers with: a client error is a 400, an engine failure a 500,
    /// a store that cannot take writes for now a 503 (which SDKs retry).
    pub fn http_status(self) -> u16 {
        match self {
            AwsErrorType::InternalFailure => 500,
            AwsErrorType::ServiceUnavailable => 503,
            _ => 400,
        }
    }
}

impl PartialEq<&str> for AwsErrorType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for AwsErrorType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl EngineError {
    /// AWS's error type for this error.
    pub fn error_type(&self) -> AwsErrorType {
        use AwsErrorType as T;
        match self {
            EngineError::StateMachineDoesNotExist(_) => T::StateMachineDoesNotExist,
            EngineError::StateMachineAlreadyExists(_) => T::StateMachineAlreadyExists,
            EngineError::ExecutionDoesNotExist(_) => T::ExecutionDoesNotExist,
            EngineError::ExecutionAlreadyExists(_) => T::ExecutionAlreadyExists,
            EngineError::InvalidDefinition(_) => T::InvalidDefinition,
            EngineError::InvalidName(_) => T::InvalidName,
            EngineError::InvalidExecutionInput(_) => T::InvalidExecutionInput,
            EngineError::TaskDoesNotExist => T::TaskDoesNotExist,
            EngineError::StateMachineTypeNotSupported(_) => T::StateMachineTypeNotSupported,
            EngineError::ActivityDoesNotExist(_) => T::ActivityDoesNotExist,
            EngineError::ExecutionNotRedrivable(_) => T::ExecutionNotRedrivable,
            EngineError::ExecutionNotRunning(_) => T::ExecutionDoesNotExist,
            EngineError::MapRunDoesNotExist(_) => T::ResourceNotFound,
            EngineError::MapRunNotRunning(_) => T::ValidationException,
            EngineError::TestCase(_) | EngineError::Validation(_) => T::ValidationException,
            EngineError::Conflict(_) => T::ConflictException,
            EngineError::QuotaExceeded(_) => T::ServiceQuotaExceededException,
            EngineError::ResourceNotFound(_) => T::ResourceNotFound,
            EngineError::TooManyTags(_) => T::TooManyTags,
            EngineError::Unavailable(_) => T::ServiceUnavailable,
            EngineError::Store(e) if e.needs_reopen() || e.is_no_space() => T::ServiceUnavailable,
            EngineError::Store(_) | EngineError::Thread(_) | EngineError::Stopped => T::InternalFailure,
        }
    }

    /// AWS's `__type` for this error.
    pub fn aws_type(&self) -> &'static str {
        self.error_type().as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_found_by_its_name() {
        for t in AwsErrorType::ALL {
            assert_eq!(AwsErrorType::from_name(t.as_str()), Some(t));
        }
        assert_eq!(AwsErrorType::from_name("NoSuchThing"), None);
        assert_eq!(AwsErrorType::InternalFailure.http_status(), 500);
        assert_eq!(AwsErrorType::ServiceUnavailable.http_status(), 503);
        assert_eq!(AwsErrorType::InvalidArn.http_status(), 400);
    }
}

/// Errors of the operations on state machines and activities (create, update, delete,
/// describe, list).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    #[error("State Machine Already Exists: '{0}'")]
    StateMachineAlreadyExists(String),
    #[error("Invalid State Machine Definition: '{0}'")]
    InvalidDefinition(String),
    #[error("Invalid Name: '{0}'")]
    InvalidName(String),
    #[error("Activity Does Not Exist: '{0}'")]
    ActivityDoesNotExist(String),
    /// The store or the engine failed, or cannot take work for now (see the source).
    #[error(transparent)]
    Engine(EngineError),
}

/// Errors of the operations on executions (start, stop, redrive, replay, describe, list,
/// history, counts).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecutionError {
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    #[error("Invalid Name: '{0}'")]
    InvalidName(String),
    #[error("Invalid Execution Input: {0}")]
    InvalidExecutionInput(String),
    #[error("Execution Not Redrivable: '{0}'")]
    ExecutionNotRedrivable(String),
    #[error("This operation is not supported by this type of state machine: '{0}'")]
    StateMachineTypeNotSupported(String),
    /// A stored definition that no longer compiles.
    #[error("Invalid State Machine Definition: '{0}'")]
    InvalidDefinition(String),
    #[error("Execution is not running: '{0}'")]
    ExecutionNotRunning(String),
    #[error("Map Run Does Not Exist: '{0}'")]
    MapRunDoesNotExist(String),
    /// A `<machine>#<test case>` the mock config cannot answer.
    #[error("{0}")]
    TestCase(String),
    /// The store or the engine failed, or cannot take work for now (see the source).
    #[error(transparent)]
    Engine(EngineError),
}

/// Errors of the operations on tasks (answers, heartbeats, the task board, a task run
/// outside any execution).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    #[error("Task Does Not Exist")]
    TaskDoesNotExist,
    #[error("Execution is not running: '{0}'")]
    ExecutionNotRunning(String),
    /// The store or the engine failed, or cannot take work for now (see the source).
    #[error(transparent)]
    Engine(EngineError),
}

impl From<EngineError> for DefinitionError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::StateMachineDoesNotExist(a) => DefinitionError::StateMachineDoesNotExist(a),
            EngineError::StateMachineAlreadyExists(a) => DefinitionError::StateMachineAlreadyExists(a),
            EngineError::InvalidDefinition(a) => DefinitionError::InvalidDefinition(a),
            EngineError::InvalidName(a) => DefinitionError::InvalidName(a),
            EngineError::ActivityDoesNotExist(a) => DefinitionError::ActivityDoesNotExist(a),
            other => DefinitionError::Engine(other),
        }
    }
}

impl From<EngineError> for ExecutionError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::StateMachineDoesNotExist(a) => ExecutionError::StateMachineDoesNotExist(a),
            EngineError::ExecutionDoesNotExist(a) => ExecutionError::ExecutionDoesNotExist(a),
            EngineError::ExecutionAlreadyExists(a) => ExecutionError::ExecutionAlreadyExists(a),
            EngineError::InvalidName(a) => ExecutionError::InvalidName(a),
            EngineError::InvalidExecutionInput(a) => ExecutionError::InvalidExecutionInput(a),
            EngineError::ExecutionNotRedrivable(a) => ExecutionError::ExecutionNotRedrivable(a),
            EngineError::StateMachineTypeNotSupported(a) => ExecutionError::StateMachineTypeNotSupported(a),
            EngineError::InvalidDefinition(a) => ExecutionError::InvalidDefinition(a),
            EngineError::ExecutionNotRunning(a) => ExecutionError::ExecutionNotRunning(a),
            EngineError::MapRunDoesNotExist(a) => ExecutionError::MapRunDoesNotExist(a),
            EngineError::TestCase(a) => ExecutionError::TestCase(a),
            other => ExecutionError::Engine(other),
        }
    }
}

impl From<EngineError> for TaskError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::TaskDoesNotExist => TaskError::TaskDoesNotExist,
            EngineError::ExecutionNotRunning(a) => TaskError::ExecutionNotRunning(a),
            other => TaskError::Engine(other),
        }
    }
}

impl From<StoreError> for DefinitionError {
    fn from(e: StoreError) -> Self {
        DefinitionError::Engine(EngineError::Store(e))
    }
}

impl From<StoreError> for ExecutionError {
    fn from(e: StoreError) -> Self {
        ExecutionError::Engine(EngineError::Store(e))
    }
}

impl From<StoreError> for TaskError {
    fn from(e: StoreError) -> Self {
        TaskError::Engine(EngineError::Store(e))
    }
}

impl DefinitionError {
    /// AWS's `__type` for this error.
    pub fn aws_type(&self) -> &'static str {
        self.error_type().as_str()
    }

    /// AWS's error type for this error.
    pub fn error_type(&self) -> AwsErrorType {
        use AwsErrorType as T;
        match self {
            DefinitionError::StateMachineDoesNotExist(_) => T::StateMachineDoesNotExist,
            DefinitionError::StateMachineAlreadyExists(_) => T::StateMachineAlreadyExists,
            DefinitionError::InvalidDefinition(_) => T::InvalidDefinition,
            DefinitionError::InvalidName(_) => T::InvalidName,
            DefinitionError::ActivityDoesNotExist(_) => T::ActivityDoesNotExist,
            DefinitionError::Engine(e) => e.error_type(),
        }
    }
}

impl ExecutionError {
    /// AWS's `__type` for this error.
    pub fn aws_type(&self) -> &'static str {
        self.error_type().as_str()
    }

    /// AWS's error type for this error.
    pub fn error_type(&self) -> AwsErrorType {
        use AwsErrorType as T;
        match self {
            ExecutionError::StateMachineDoesNotExist(_) => T::StateMachineDoesNotExist,
            ExecutionError::ExecutionDoesNotExist(_) | ExecutionError::ExecutionNotRunning(_) => {
                T::ExecutionDoesNotExist
            }
            ExecutionError::ExecutionAlreadyExists(_) => T::ExecutionAlreadyExists,
            ExecutionError::InvalidName(_) => T::InvalidName,
            ExecutionError::InvalidExecutionInput(_) => T::InvalidExecutionInput,
            ExecutionError::ExecutionNotRedrivable(_) => T::ExecutionNotRedrivable,
            ExecutionError::StateMachineTypeNotSupported(_) => T::StateMachineTypeNotSupported,
            ExecutionError::InvalidDefinition(_) => T::InvalidDefinition,
            ExecutionError::MapRunDoesNotExist(_) => T::ResourceNotFound,
            ExecutionError::TestCase(_) => T::ValidationException,
            ExecutionError::Engine(e) => e.error_type(),
        }
    }
}

impl TaskError {
    /// AWS's `__type` for this error.
    pub fn aws_type(&self) -> &'static str {
        self.error_type().as_str()
    }

    /// AWS's error type for this error.
    pub fn error_type(&self) -> AwsErrorType {
        match self {
            TaskError::TaskDoesNotExist => AwsErrorType::TaskDoesNotExist,
            TaskError::ExecutionNotRunning(_) => AwsErrorType::ExecutionDoesNotExist,
            TaskError::Engine(e) => e.error_type(),
        }
    }
}
