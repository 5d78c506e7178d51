//! Where execution log lines go. A sink must not block the engine thread: it queues.

/// Takes execution log lines (one JSON record each), in order per execution.
pub trait ExecutionLogSink: Send + Sync {
    /// `machine` is the state machine's name (for a subject or routing key per machine).
    fn write(&self, machine: &str, line: &str);
}
