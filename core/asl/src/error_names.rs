//! The error names ASL defines (`States.*`), written once.
//!
//! Retry and Catch match on these strings, workers and tests compare against them, and a
//! misspelt literal would silently never match; every crate names them through here.

/// Matches every error but [`RUNTIME`] in `ErrorEquals`.
pub const ALL: &str = "States.ALL";
/// An error the language itself raises (bad path, wrong type); no Retry or Catch applies.
pub const RUNTIME: &str = "States.Runtime";
/// A state or task ran past its `TimeoutSeconds`, or an execution past its maximum duration.
pub const TIMEOUT: &str = "States.Timeout";
/// A task failed; in `ErrorEquals` it matches every error but [`TIMEOUT`].
pub const TASK_FAILED: &str = "States.TaskFailed";
/// A task sent no heartbeat within its `HeartbeatSeconds`.
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// A payload, output or history grew past a limit.
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
/// A Choice state matched no rule and has no `Default`.
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// An intrinsic function failed on its arguments.
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// A `ResultPath` could not be applied to the state's input.
pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// A JSONata expression failed.
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
/// A Map state's failed items passed its `ToleratedFailure*` threshold.
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
/// A Map Run's items could not be read (`ItemReader`).
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// A Map Run's results could not be written (`ResultWriter`).
pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
