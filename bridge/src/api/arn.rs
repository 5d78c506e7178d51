//! Which strings can name a state machine, an execution or an activity, and which can be
//! a task token, checked before the engine is asked: a malformed ARN is AWS's
//! `InvalidArn` (in AWS's words), never a "does not exist"; a token Stepline cannot have
//! issued is `InvalidToken`. Nothing here looks anything up.

use super::error::ApiError;
use stepline_core::engine::AwsErrorType;

/// What an ARN argument must name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    StateMachine,
    Execution,
    Activity,
    MapRun,
}

impl Resource {
    /// The resource types AWS accepts for it (`express` is AWS's EXPRESS execution ARN).
    fn types(self) -> &'static [&'static str] {
        match self {
            Resource::StateMachine => &["stateMachine"],
            Resource::Execution => &["execution", "express"],
            Resource::Activity => &["activity"],
            Resource::MapRun => &["mapRun"],
        }
    }

    /// How many `:`-separated parts may follow the resource type.
    fn parts(self, kind: &str) -> std::ops::RangeInclusive<usize> {
        match (self, kind) {
            // `name`, or `name:version` / `name:alias`.
            (Resource::StateMachine, _) => 1..=2,
            (Resource::Execution, "express") => 3..=3,
            // `machine:name`, or a Map Run's `machine/label:name`.
            (Resource::Execution, _) => 2..=2,
            (Resource::Activity, _) => 1..=1,
            // `machine/label:id`.
            (Resource::MapRun, _) => 2..=2,
        }
    }
}

/// `arn:<partition>:states:<region>:<account>:<type>:<name>...`, `type` one of what
/// `resource` allows.
pub(crate) fn check(arn: &str, resource: Resource) -> Result<(), ApiError> {
    let invalid = |why: String| ApiError::new(AwsErrorType::InvalidArn, format!("Invalid Arn: '{why}'"));
    let parts: Vec<&str> = arn.split(':').collect();
    let prefix_ok = parts.len() >= 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "states"
        && !parts[3].is_empty()
        && !parts[4].is_empty();
    if !prefix_ok {
        return Err(invalid(format!("Invalid ARN prefix: {arn}")));
    }
    let kind = parts[5];
    if !resource.types().contains(&kind) {
        return Err(invalid(format!("Resource type not valid in this context: {kind}")));
    }
    let rest = &parts[6..];
    if !resource.parts(kind).contains(&rest.len()) || rest.iter().any(|p| p.is_empty()) {
        return Err(invalid(arn.to_string()));
    }
    Ok(())
}

/// Stepline's task tokens are 32 lowercase hex digits (128 random bits): anything else
/// was never issued, whereas a well-formed token that is not waiting belongs to a task
/// that has ended (AWS's `TaskTimedOut`).
pub(crate) fn check_task_token(token: &str) -> Result<(), ApiError> {
    if token.len() == 32 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(ApiError::new(AwsErrorType::InvalidToken, "Invalid Token: 'Invalid token'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(arn: &str, r: Resource) -> String {
        check(arn, r).map(|_| "ok".to_string()).unwrap_or_else(|e| format!("{}: {}", e.kind, e.message))
    }

    #[test]
    fn arns_are_checked_as_aws_checks_them() {
        let sm = "arn:aws:states:us-east-1:000000000000:stateMachine:orders";
        assert_eq!(message(sm, Resource::StateMachine), "ok");
        assert_eq!(message(&format!("{sm}:3"), Resource::StateMachine), "ok");
        assert_eq!(
            message("not_a_valid_arn", Resource::StateMachine),
            "InvalidArn: Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"
        );
        assert_eq!(
            message("arn:aws:lambda:us-east-1:000000000000:function:f", Resource::Activity),
            "InvalidArn: Invalid Arn: 'Invalid ARN prefix: arn:aws:lambda:us-east-1:000000000000:function:f'"
        );
        assert_eq!(
            message(sm, Resource::Execution),
            "InvalidArn: Invalid Arn: 'Resource type not valid in this context: stateMachine'"
        );
        assert_eq!(message("arn:aws:states:us-east-1:000000000000:mapRun:orders/fan:1a2b", Resource::MapRun), "ok");
        assert_eq!(
            message("arn:aws:states:us-east-1:000000000000:mapRun:orders", Resource::MapRun),
            "InvalidArn: Invalid Arn: 'arn:aws:states:us-east-1:000000000000:mapRun:orders'"
        );
        let exec = "arn:aws:states:us-east-1:000000000000:execution:orders:o-1";
        assert_eq!(message(exec, Resource::Execution), "ok");
        assert_eq!(
            message("arn:aws:states:us-east-1:000000000000:execution:orders", Resource::Execution),
            "InvalidArn: Invalid Arn: 'arn:aws:states:us-east-1:000000000000:execution:orders'"
        );
        assert_eq!(
            message("arn:aws:states:us-east-1:000000000000:activity:", Resource::Activity),
            "InvalidArn: Invalid Arn: 'arn:aws:states:us-east-1:000000000000:activity:'"
        );
    }

    #[test]
    fn only_tokens_stepline_issues_are_well_formed() {
        assert!(check_task_token("0123456789abcdef0123456789abcdef").is_ok());
        for bad in ["not-a-token", "0123456789ABCDEF0123456789abcdef", "0123456789abcdef", ""] {
            assert_eq!(check_task_token(bad).unwrap_err().kind, "InvalidToken", "{bad}");
        }
    }
}
