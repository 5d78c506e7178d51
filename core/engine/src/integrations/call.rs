//! Which Task resources the engine answers itself, and what it keeps of each call.

use serde_json::Value;
use stepline_asl::interp::{TaskRequest, WaitId};

/// How a `startExecution` task waits for the child it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildMode {
    /// Request-response: the answer is the start (`ExecutionArn`, `StartDate`).
    Start,
    /// `.sync`: the child's end, with `Input`/`Output` as JSON text.
    Sync,
    /// `.sync:2`: the child's end, with `Input`/`Output` as JSON.
    Sync2,
    /// `.waitForTaskToken`: whoever has the token answers (the child, usually).
    Callback,
}

/// An `aws-sdk:sfn:` API other than `startExecution`, called back into the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SdkApi {
    DescribeExecution,
    DescribeStateMachine,
    DescribeStateMachineForExecution,
    ListExecutions,
    StopExecution,
    RedriveExecution,
    SendTaskSuccess,
    SendTaskFailure,
    SendTaskHeartbeat,
}

/// A Task the engine answers instead of a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EngineCall {
    /// `states:startExecution` in its four patterns, or `aws-sdk:sfn:startExecution`
    /// (`sdk`: errors named `Sfn.*` and the plain SDK answer).
    StartExecution {
        mode: ChildMode,
        sdk: bool,
    },
    Sdk(SdkApi),
}

impl EngineCall {
    /// The engine's own call a task's resource names, if it names one.
    pub(crate) fn of(req: &TaskRequest) -> Option<EngineCall> {
        EngineCall::parse(&req.task.resource)
    }

    /// Reads `arn:<partition>:states:::<service>:<api>[.pattern]`.
    pub(crate) fn parse(resource: &str) -> Option<EngineCall> {
        let parts: Vec<&str> = resource.splitn(7, ':').collect();
        let [_, _, "states", "", "", service, api] = parts.as_slice() else { return None };
        match *service {
            "states" => {
                let mode = match *api {
                    "startExecution" => ChildMode::Start,
                    "startExecution.sync" => ChildMode::Sync,
                    "startExecution.sync:2" => ChildMode::Sync2,
                    "startExecution.waitForTaskToken" => ChildMode::Callback,
                    _ => return None,
                };
                Some(EngineCall::StartExecution { mode, sdk: false })
            }
            "aws-sdk" => {
                let api = api.strip_prefix("sfn:")?;
                let (api, callback) = match api.strip_suffix(".waitForTaskToken") {
                    Some(a) => (a, true),
                    None => (api, false),
                };
                let call = match api {
                    "startExecution" => {
                        let mode = if callback { ChildMode::Callback } else { ChildMode::Start };
                        return Some(EngineCall::StartExecution { mode, sdk: true });
                    }
                    "describeExecution" => SdkApi::DescribeExecution,
                    "describeStateMachine" => SdkApi::DescribeStateMachine,
                    "describeStateMachineForExecution" => SdkApi::DescribeStateMachineForExecution,
                    "listExecutions" => SdkApi::ListExecutions,
                    "stopExecution" => SdkApi::StopExecution,
                    "redriveExecution" => SdkApi::RedriveExecution,
                    "sendTaskSuccess" => SdkApi::SendTaskSuccess,
                    "sendTaskFailure" => SdkApi::SendTaskFailure,
                    "sendTaskHeartbeat" => SdkApi::SendTaskHeartbeat,
                    _ => return None,
                };
                // Only a start has anyone to hand a token to.
                (!callback).then_some(EngineCall::Sdk(call))
            }
            _ => None,
        }
    }
}

/// A call scheduled in this batch, made once the request that scheduled it is applied
/// (it may start an execution, which needs the batch).
pub(crate) struct PendingCall {
    /// The execution whose task it is.
    pub arn: String,
    pub token: String,
    /// The task's wait id: a retry reuses the token, not the id.
    pub id: WaitId,
    pub call: EngineCall,
    pub input: Value,
    pub retry_count: u32,
}

/// A child execution started by a task that still waits on it.
pub(crate) struct ChildLink {
    pub child: String,
    pub mode: ChildMode,
}

/// Who starts an execution, when a task of another does.
pub(crate) struct ParentCall {
    pub arn: String,
    /// See `ExecutionRecord::parent_call`.
    pub call: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_the_engine_answers() {
        use ChildMode::*;
        for (arn, want) in [
            ("arn:aws:states:::states:startExecution", Some(EngineCall::StartExecution { mode: Start, sdk: false })),
            (
                "arn:aws:states:::states:startExecution.sync",
                Some(EngineCall::StartExecution { mode: Sync, sdk: false }),
            ),
            (
                "arn:aws:states:::states:startExecution.sync:2",
                Some(EngineCall::StartExecution { mode: Sync2, sdk: false }),
            ),
            (
                "arn:aws-cn:states:::states:startExecution.waitForTaskToken",
                Some(EngineCall::StartExecution { mode: Callback, sdk: false }),
            ),
            (
                "arn:aws:states:::aws-sdk:sfn:startExecution",
                Some(EngineCall::StartExecution { mode: Start, sdk: true }),
            ),
            (
                "arn:aws:states:::aws-sdk:sfn:startExecution.waitForTaskToken",
                Some(EngineCall::StartExecution { mode: Callback, sdk: true }),
            ),
            ("arn:aws:states:::aws-sdk:sfn:describeExecution", Some(EngineCall::Sdk(SdkApi::DescribeExecution))),
            ("arn:aws:states:::aws-sdk:sfn:sendTaskSuccess", Some(EngineCall::Sdk(SdkApi::SendTaskSuccess))),
            ("arn:aws:states:::aws-sdk:sfn:listExecutions", Some(EngineCall::Sdk(SdkApi::ListExecutions))),
            ("arn:aws:states:::aws-sdk:sfn:redriveExecution", Some(EngineCall::Sdk(SdkApi::RedriveExecution))),
            ("arn:aws:states:::aws-sdk:sfn:sendTaskSuccess.waitForTaskToken", None),
            ("arn:aws:states:::aws-sdk:sfn:listTagsForResource", None),
            ("arn:aws:states:::aws-sdk:sqs:sendMessage", None),
            ("arn:aws:states:::states:startSyncExecution", None),
            ("arn:aws:states:::lambda:invoke", None),
            ("arn:aws:states:us-east-1:1:activity:startExecution", None),
        ] {
            assert_eq!(EngineCall::parse(arn), want, "{arn}");
        }
    }
}
