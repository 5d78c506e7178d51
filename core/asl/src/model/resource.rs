//! What a Task `Resource` ARN names: an activity, a Lambda function or a service
//! integration, how the task waits for its answer, and how that answer is shaped.
//!
//! Parsed once at compile time into a [`TaskTarget`]; the interpreter, the engine and the
//! command-line workers all route a task through [`route`], so the rule that picks the
//! activity a `lambda:invoke` goes to is written once.

use serde_json::{json, Value};

/// What a Task hands its work to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// `arn:aws:lambda:...:function:NAME`.
    LambdaFunction,
    /// `arn:aws:states:...:activity:NAME`.
    Activity,
    /// `arn:aws:states:::SERVICE:API[.sync|.waitForTaskToken]`.
    Service { service: String, api: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationPattern {
    RequestResponse,
    Sync,
    WaitForTaskToken,
}

/// Classifies a Task `Resource` ARN.
pub fn parse_resource(arn: &str) -> Option<(ResourceKind, IntegrationPattern)> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return None;
    }
    match (parts[2], parts.get(5).copied()) {
        ("lambda", Some("function")) if parts.len() >= 7 => {
            Some((ResourceKind::LambdaFunction, IntegrationPattern::RequestResponse))
        }
        ("states", Some("activity")) if parts.len() >= 7 => {
            Some((ResourceKind::Activity, IntegrationPattern::RequestResponse))
        }
        ("states", Some(service)) if parts[3].is_empty() && parts[4].is_empty() => {
            let api = parts.get(6).copied().unwrap_or("");
            let (api, pattern) = if let Some(a) = api.strip_suffix(".sync:2") {
                (a, IntegrationPattern::Sync)
            } else if let Some(a) = api.strip_suffix(".sync") {
                (a, IntegrationPattern::Sync)
            } else if let Some(a) = api.strip_suffix(".waitForTaskToken") {
                (a, IntegrationPattern::WaitForTaskToken)
            } else {
                (api, IntegrationPattern::RequestResponse)
            };
            if service.is_empty() || api.is_empty() {
                return None;
            }
            Some((ResourceKind::Service { service: service.to_string(), api: api.to_string() }, pattern))
        }
        _ => None,
    }
}

/// How a worker's answer becomes the task's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerShape {
    /// The answer is the result.
    Raw,
    /// `lambda:invoke`: the answer is the function's `Payload`, wrapped as AWS's Lambda
    /// integration returns it (see [`lambda_response`]).
    LambdaResponse,
}

/// What a Task targets, resolved when the definition is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTarget {
    pub kind: ResourceKind,
    /// The worker-facing name: the activity or function name, or `service:api`.
    pub name: String,
    pub pattern: IntegrationPattern,
    pub answer: AnswerShape,
}

impl TaskTarget {
    /// The target of `resource`, already classified by [`parse_resource`].
    pub fn new(resource: &str, kind: ResourceKind, pattern: IntegrationPattern) -> TaskTarget {
        let (name, answer) = match &kind {
            ResourceKind::LambdaFunction | ResourceKind::Activity => {
                (resource.split(':').nth(6).unwrap_or_default().to_string(), AnswerShape::Raw)
            }
            ResourceKind::Service { service, api } => {
                let answer =
                    if service == "lambda" && api == "invoke" { AnswerShape::LambdaResponse } else { AnswerShape::Raw };
                (format!("{service}:{api}"), answer)
            }
        };
        TaskTarget { kind, name, pattern, answer }
    }

    /// Parses and classifies a Task `Resource` ARN.
    pub fn parse(resource: &str) -> Option<TaskTarget> {
        parse_resource(resource).map(|(kind, pattern)| TaskTarget::new(resource, kind, pattern))
    }

    /// Where a task with this target and `input` (its effective input) goes.
    pub fn route(&self, input: &Value) -> Route {
        route(&self.name, self.answer, input)
    }
}

/// Where one task goes: the activity whose workers get it, what they are sent, and whether
/// their answer is wrapped as a Lambda response.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub activity: String,
    pub payload: Value,
    pub wrap: bool,
}

/// Routes a task by its target's name and answer shape. A `lambda:invoke` goes to the
/// activity named by `FunctionName` (see [`lambda_function_name`]) with `Payload` as what
/// its worker sees; every other task goes to its target with its whole input.
pub fn route(name: &str, answer: AnswerShape, input: &Value) -> Route {
    match answer {
        AnswerShape::LambdaResponse => {
            let function = input.get("FunctionName").and_then(Value::as_str).unwrap_or_default();
            Route {
                activity: lambda_function_name(function).to_string(),
                payload: input.get("Payload").cloned().unwrap_or(Value::Null),
                wrap: true,
            }
        }
        AnswerShape::Raw => Route { activity: name.to_string(), payload: input.clone(), wrap: false },
    }
}

/// The function a `lambda:invoke` `FunctionName` names, in any of the forms Lambda takes:
/// a name (`f`), a function ARN (`arn:aws:lambda:us-east-1:123456789012:function:f`) or a
/// partial ARN (`123456789012:function:f`), each with an optional `:alias`, `:version` or
/// `:$LATEST`. The qualifier is dropped: workers serve a function, not one of its versions.
pub fn lambda_function_name(function_name: &str) -> &str {
    let rest = match function_name.split_once(":function:") {
        Some((_, rest)) => rest,
        None => function_name,
    };
    rest.split(':').next().unwrap_or(rest)
}

/// A Lambda function's answer as AWS's `lambda:invoke` integration returns it.
pub fn lambda_response(payload: Value) -> Value {
    json!({"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_in_every_form_lambda_takes() {
        for (given, name) in [
            ("f", "f"),
            ("f:prod", "f"),
            ("f:7", "f"),
            ("f:$LATEST", "f"),
            ("arn:aws:lambda:us-east-1:123456789012:function:f", "f"),
            ("arn:aws:lambda:us-east-1:123456789012:function:f:prod", "f"),
            ("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", "f"),
            ("123456789012:function:f", "f"),
            ("123456789012:function:f:prod", "f"),
            ("", ""),
        ] {
            assert_eq!(lambda_function_name(given), name, "{given}");
        }
    }

    #[test]
    fn lambda_invoke_goes_to_its_function_with_the_payload() {
        let t = TaskTarget::parse("arn:aws:states:::lambda:invoke").unwrap();
        assert_eq!(t.name, "lambda:invoke");
        assert_eq!(t.answer, AnswerShape::LambdaResponse);
        let r =
            t.route(&json!({"FunctionName": "arn:aws:lambda:eu-west-1:1:function:charge:live", "Payload": {"a": 1}}));
        assert_eq!(r, Route { activity: "charge".into(), payload: json!({"a": 1}), wrap: true });
        let r = t.route(&json!({"FunctionName": "charge"}));
        assert_eq!(r, Route { activity: "charge".into(), payload: Value::Null, wrap: true });
        let w = TaskTarget::parse("arn:aws:states:::lambda:invoke.waitForTaskToken").unwrap();
        assert_eq!((w.answer, w.pattern), (AnswerShape::LambdaResponse, IntegrationPattern::WaitForTaskToken));
    }

    #[test]
    fn other_targets_get_the_whole_input_unwrapped() {
        let input = json!({"FunctionName": "ignored", "x": 1});
        for (arn, name) in [
            ("arn:aws:states:us-east-1:123456789012:activity:approve", "approve"),
            ("arn:aws:lambda:us-east-1:123456789012:function:resize", "resize"),
            ("arn:aws:lambda:us-east-1:123456789012:function:resize:prod", "resize"),
            ("arn:aws:states:::nats:publish", "nats:publish"),
            ("arn:aws:states:::states:startExecution.sync:2", "states:startExecution"),
        ] {
            let t = TaskTarget::parse(arn).unwrap();
            assert_eq!(t.answer, AnswerShape::Raw, "{arn}");
            assert_eq!(t.route(&input), Route { activity: name.into(), payload: input.clone(), wrap: false }, "{arn}");
        }
    }

    #[test]
    fn the_lambda_response_shape() {
        assert_eq!(lambda_response(json!(1)), json!({"ExecutedVersion": "$LATEST", "Payload": 1, "StatusCode": 200}));
    }
}
