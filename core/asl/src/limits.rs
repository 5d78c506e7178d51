//! AWS's quotas on one execution, and the interpreter's own, in one bottom module: the
//! compiler sets them on a machine at load time and the interpreter checks them at run
//! time, so neither has to reach into the other for a constant.

/// Largest state input, output or task result: AWS's 256 KiB. Beyond it a state fails with
/// `States.DataLimitExceeded`.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// AWS's limits on variables: one value, and all of an execution's variables together.
pub const MAX_VARIABLE_BYTES: usize = 256 * 1024;
pub const MAX_VARIABLES_TOTAL_BYTES: usize = 10 * 1024 * 1024;

/// Deepest nesting of arrays and objects a state output, task result or variable may have:
/// the JSON parser's limit for inputs, so whatever the engine stores it can read back.
pub const MAX_NESTING: usize = 128;

/// Most bytes of new state outputs one step may build (they are all held until stored).
pub const MAX_STEP_BYTES: usize = 256 * 1024 * 1024;

/// AWS's hard quota on an execution's history.
pub const MAX_HISTORY_EVENTS: u64 = 25_000;
/// AWS's longest STANDARD execution: one year.
pub const MAX_STANDARD_SECONDS: u64 = 365 * 24 * 3600;
/// AWS's longest EXPRESS execution: five minutes.
pub const MAX_EXPRESS_SECONDS: u64 = 300;
