//! Execution logs as AWS's `loggingConfiguration` defines them: per state machine a level
//! (`ALL`, `ERROR`, `FATAL`, `OFF`) and whether execution data (inputs, outputs,
//! parameters, results) is included; each history event written as the JSON record
//! Step Functions sends to CloudWatch Logs, to every sink configured (files, a NATS
//! subject, an AMQP exchange). EXPRESS executions, which keep no history, record their
//! events for the logs when their machine logs.

pub mod level;
pub mod record;
pub mod sink;

use record::log_record;
use serde_json::Value;

/// The log lines of `events` (stored history JSON) of one execution, as `(machine, line)`.
pub(crate) fn lines<'a>(
    events: impl IntoIterator<Item = &'a Value>,
    execution_arn: &str,
    redrive_count: u32,
    logging: &level::Logging,
) -> Vec<String> {
    events
        .into_iter()
        .filter_map(|e| log_record(e, execution_arn, redrive_count, logging))
        .map(|r| r.to_string())
        .collect()
}

/// A state machine's name from its ARN (a Map Run's `machine/label` included).
pub(crate) fn machine_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}
