//! Which events a `loggingConfiguration` logs.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    All,
    Error,
    Fatal,
}

/// What one state machine logs; `None` (`OFF`, or no configuration) logs nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logging {
    pub level: LogLevel,
    pub include_data: bool,
}

impl Logging {
    /// Reads AWS's `loggingConfiguration`; `OFF` or none is `None`.
    pub fn of(config: Option<&Value>) -> Option<Logging> {
        let c = config?;
        let level = match c.get("level").and_then(Value::as_str)? {
            "ALL" => LogLevel::All,
            "ERROR" => LogLevel::Error,
            "FATAL" => LogLevel::Fatal,
            _ => return None,
        };
        let include_data = c.get("includeExecutionData").and_then(Value::as_bool).unwrap_or(false);
        Some(Logging { level, include_data })
    }

    /// Whether an event of AWS type `ty` is logged: `ALL` every one; `ERROR` the events
    /// of a failure (`*Failed`, `*TimedOut`, `ExecutionAborted`, ...); `FATAL` only the
    /// execution's own failure, abort or time-out.
    pub fn wants(&self, ty: &str) -> bool {
        match self.level {
            LogLevel::All => true,
            LogLevel::Error => {
                ty.ends_with("Failed")
                    || ty.ends_with("TimedOut")
                    || ty.ends_with("Aborted")
                    || ty.ends_with("StartFailed")
                    || ty.ends_with("SubmitFailed")
            }
            LogLevel::Fatal => matches!(ty, "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_pick_events_as_aws_documents_them() {
        let at = |level: &str| Logging::of(Some(&json!({"level": level}))).unwrap();
        let types = ["ExecutionStarted", "TaskFailed", "LambdaFunctionTimedOut", "ExecutionFailed", "PassStateEntered"];
        let picked = |l: Logging| types.iter().filter(|t| l.wants(t)).count();
        assert_eq!((picked(at("ALL")), picked(at("ERROR")), picked(at("FATAL"))), (5, 3, 1));
        assert_eq!(Logging::of(Some(&json!({"level": "OFF"}))), None);
        assert_eq!(Logging::of(None), None);
        assert!(!at("ALL").include_data);
    }
}
