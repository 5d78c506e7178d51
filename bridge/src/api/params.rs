//! Request members checked as AWS's JSON 1.0 front end checks them, before any handler
//! runs: a member of the wrong JSON type is a `SerializationException`; broken
//! constraints (required, length, range, enum) are one `ValidationException` that lists
//! each, in AWS's words. Unknown members are ignored and `null` is an absent member, as at
//! AWS. This module only reads the body; it knows nothing of the engine.
//!
//! The shapes and limits are those of AWS's service model for Step Functions
//! (`2016-11-23`); Stepline's own operations follow the same conventions.

use super::error::ApiError;
use serde_json::{Map, Value};
use stepline_core::engine::AwsErrorType;

/// What a member must hold.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    /// A string of `min..=max` characters; a sensitive one is not echoed in messages.
    Str {
        min: usize,
        max: usize,
        sensitive: bool,
    },
    /// An input, output or variables document (sensitive): at most AWS's 256 KiB, or the
    /// engine's `max_payload` when that is larger.
    Data,
    /// A string among the values given (AWS lists them in this order).
    Enum(&'static [&'static str]),
    /// A whole number in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    /// Any number (Stepline's own `waitingSeconds`).
    Num,
    Bool,
    Struct(&'static [Member]),
    /// A list whose items are not looked into (`tags`).
    List,
}

pub(crate) struct Member {
    name: &'static str,
    shape: Shape,
    required: bool,
}

const fn req(name: &'static str, shape: Shape) -> Member {
    Member { name, shape, required: true }
}

const fn opt(name: &'static str, shape: Shape) -> Member {
    Member { name, shape, required: false }
}

const fn text(min: usize, max: usize) -> Shape {
    Shape::Str { min, max, sensitive: false }
}

const fn secret(min: usize, max: usize) -> Shape {
    Shape::Str { min, max, sensitive: true }
}

/// The largest input, output or variables document AWS takes: 256 KiB.
pub const MAX_DATA: usize = 262_144;
/// The largest definition AWS takes: 1 MiB.
pub const MAX_DEFINITION: usize = 1_048_576;

const ARN: Shape = text(1, 256);
const NAME: Shape = text(1, 80);
const DATA: Shape = Shape::Data;
const DEFINITION: Shape = secret(1, MAX_DEFINITION);
const ERROR: Shape = secret(0, 256);
const CAUSE: Shape = secret(0, 32_768);
const TASK_TOKEN: Shape = text(1, 2048);
const PAGE_SIZE: Shape = Shape::Int { min: 0, max: 1000 };
const PAGE_TOKEN: Shape = text(1, 1024);
const TRACE_HEADER: Shape = text(0, 256);
const ANY_TEXT: Shape = text(0, usize::MAX);
const MACHINE_TYPE: Shape = Shape::Enum(&["STANDARD", "EXPRESS"]);
const INCLUDED_DATA: Shape = Shape::Enum(&["ALL_DATA", "METADATA_ONLY"]);
/// AWS's own order in its message.
const STATUS: Shape = Shape::Enum(&["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"]);
const STRUCT: Shape = Shape::Struct(&[]);

const START: &[Member] =
    &[req("stateMachineArn", ARN), opt("name", NAME), opt("input", DATA), opt("traceHeader", TRACE_HEADER)];
const START_SYNC: &[Member] = &[
    req("stateMachineArn", ARN),
    opt("name", NAME),
    opt("input", DATA),
    opt("traceHeader", TRACE_HEADER),
    opt("includedData", INCLUDED_DATA),
];
const MOCK_ERROR: &[Member] = &[opt("error", ERROR), opt("cause", CAUSE)];
const MOCK: &[Member] = &[
    opt("result", DATA),
    opt("errorOutput", Shape::Struct(MOCK_ERROR)),
    opt("fieldValidationMode", Shape::Enum(&["STRICT", "PRESENT", "NONE"])),
];

/// A `&'static [Member]` built at compile time (a `const fn` call is not promoted).
macro_rules! members {
    ($($m:expr),* $(,)?) => {{
        const MEMBERS: &[Member] = &[$($m),*];
        MEMBERS
    }};
}

/// The members of `operation`'s request; `None` for an operation Stepline does not have.
pub(crate) fn schema(operation: &str) -> Option<&'static [Member]> {
    Some(match operation {
        "StartExecution" => START,
        "StartSyncExecution" => START_SYNC,
        "DescribeExecution" => members![req("executionArn", ARN), opt("includedData", INCLUDED_DATA)],
        "ListExecutions" => members![
            opt("stateMachineArn", ARN),
            opt("statusFilter", STATUS),
            opt("maxResults", PAGE_SIZE),
            opt("nextToken", text(1, 3096)),
            opt("mapRunArn", text(1, 2000)),
            opt("redriveFilter", Shape::Enum(&["REDRIVEN", "NOT_REDRIVEN"])),
        ],
        "GetExecutionHistory" => members![
            req("executionArn", ARN),
            opt("maxResults", PAGE_SIZE),
            opt("reverseOrder", Shape::Bool),
            opt("nextToken", PAGE_TOKEN),
            opt("includeExecutionData", Shape::Bool),
        ],
        "StopExecution" => members![req("executionArn", ARN), opt("error", ERROR), opt("cause", CAUSE)],
        "RedriveExecution" => members![req("executionArn", ARN), opt("clientToken", text(1, 64))],
        "SendTaskSuccess" => members![req("taskToken", TASK_TOKEN), req("output", DATA)],
        "SendTaskFailure" => members![req("taskToken", TASK_TOKEN), opt("error", ERROR), opt("cause", CAUSE)],
        "SendTaskHeartbeat" => members![req("taskToken", TASK_TOKEN)],
        "CreateStateMachine" => members![
            req("name", NAME),
            req("definition", DEFINITION),
            req("roleArn", ARN),
            opt("type", MACHINE_TYPE),
            opt("loggingConfiguration", STRUCT),
            opt("tags", Shape::List),
            opt("tracingConfiguration", STRUCT),
            opt("publish", Shape::Bool),
            opt("versionDescription", secret(0, 256)),
            opt("encryptionConfiguration", STRUCT),
        ],
        "UpdateStateMachine" => members![
            req("stateMachineArn", ARN),
            opt("definition", DEFINITION),
            opt("roleArn", ARN),
            opt("loggingConfiguration", STRUCT),
            opt("tracingConfiguration", STRUCT),
            opt("publish", Shape::Bool),
            opt("versionDescription", secret(0, 256)),
            opt("encryptionConfiguration", STRUCT),
        ],
        "DescribeStateMachine" => members![req("stateMachineArn", ARN), opt("includedData", INCLUDED_DATA)],
        "DescribeStateMachineForExecution" => {
            members![req("executionArn", ARN), opt("includedData", INCLUDED_DATA)]
        }
        "PublishStateMachineVersion" => {
            members![req("stateMachineArn", ARN), opt("revisionId", text(0, 2048)), opt("description", secret(0, 256)),]
        }
        "ListStateMachineVersions" | "ListStateMachineAliases" => {
            members![req("stateMachineArn", ARN), opt("maxResults", PAGE_SIZE), opt("nextToken", PAGE_TOKEN)]
        }
        "DeleteStateMachineVersion" => members![req("stateMachineVersionArn", text(1, 2048))],
        "CreateStateMachineAlias" => members![
            opt("description", secret(0, 256)),
            req("name", text(1, 80)),
            req("routingConfiguration", Shape::List),
        ],
        "UpdateStateMachineAlias" => members![
            req("stateMachineAliasArn", ARN),
            opt("description", secret(0, 256)),
            opt("routingConfiguration", Shape::List),
        ],
        "DescribeStateMachineAlias" | "DeleteStateMachineAlias" => members![req("stateMachineAliasArn", ARN)],
        "TagResource" => members![req("resourceArn", ARN), req("tags", Shape::List)],
        "UntagResource" => members![req("resourceArn", ARN), req("tagKeys", Shape::List)],
        "ListTagsForResource" => members![req("resourceArn", ARN)],
        "ListStateMachines" | "ListActivities" => members![opt("maxResults", PAGE_SIZE), opt("nextToken", PAGE_TOKEN)],
        "DeleteStateMachine" => members![req("stateMachineArn", ARN)],
        "DescribeActivity" | "DeleteActivity" => members![req("activityArn", ARN)],
        "ValidateStateMachineDefinition" => members![
            req("definition", DEFINITION),
            opt("type", MACHINE_TYPE),
            opt("severity", Shape::Enum(&["ERROR", "WARNING"])),
            opt("maxResults", Shape::Int { min: 0, max: 100 }),
        ],
        "CreateActivity" => {
            members![req("name", NAME), opt("tags", Shape::List), opt("encryptionConfiguration", STRUCT),]
        }
        "GetActivityTask" => members![req("activityArn", ARN), opt("workerName", NAME)],
        "TestState" => members![
            req("definition", DEFINITION),
            opt("roleArn", ARN),
            opt("input", DATA),
            opt("inspectionLevel", Shape::Enum(&["INFO", "DEBUG", "TRACE"])),
            opt("revealSecrets", Shape::Bool),
            opt("variables", DATA),
            opt("stateName", secret(1, 80)),
            opt("mock", Shape::Struct(MOCK)),
            opt("context", DATA),
            opt("stateConfiguration", STRUCT),
        ],
        "DescribeMapRun" => members![req("mapRunArn", text(1, 2000))],
        "ListMapRuns" => members![req("executionArn", ARN), opt("maxResults", PAGE_SIZE), opt("nextToken", PAGE_TOKEN)],
        "UpdateMapRun" => members![
            req("mapRunArn", text(1, 2000)),
            opt("maxConcurrency", Shape::Int { min: 0, max: 10_000 }),
            opt("toleratedFailurePercentage", Shape::Num),
            opt("toleratedFailureCount", Shape::Int { min: 0, max: i64::MAX }),
        ],
        // Stepline's own operations.
        "BackupStore" => members![req("file", text(1, 4096))],
        "ReplayExecution" => members![req("executionArn", ARN), opt("latestVersion", Shape::Bool)],
        "SearchExecutions" => members![
            opt("stateMachineArn", ARN),
            opt("statusFilter", STATUS),
            opt("text", ANY_TEXT),
            opt("failedState", ANY_TEXT),
            opt("retrying", Shape::Bool),
            opt("waitingSeconds", Shape::Num),
            opt("order", Shape::Enum(&["NEWEST", "OLDEST"])),
            opt("maxResults", PAGE_SIZE),
            opt("maxScanned", Shape::Int { min: 0, max: i64::MAX }),
            opt("nextToken", text(1, 3096)),
        ],
        "GetExecutionCounts" => members![opt("stateMachineArn", ARN)],
        "ListPendingTasks" => {
            members![opt("executionArn", ARN), opt("activity", ANY_TEXT), opt("maxResults", PAGE_SIZE)]
        }
        _ => return None,
    })
}

/// The top-level members of `operation`'s request, in AWS's order; `None` for an
/// operation Stepline does not have.
pub fn members(operation: &str) -> Option<Vec<&'static str>> {
    schema(operation).map(|m| m.iter().map(|m| m.name).collect())
}

/// Checks `body` against `members`: types first (the first wrong one answers), then every
/// constraint at once. `data_limit` is the most characters a [`Shape::Data`] member holds.
pub(crate) fn check(members: &[Member], body: &Value, data_limit: usize) -> Result<(), ApiError> {
    let Value::Object(map) = body else {
        return Err(ApiError::new(
            AwsErrorType::SerializationException,
            format!("The request body must be a JSON object, not {}", kind_of(body)),
        ));
    };
    types(members, map, "")?;
    let mut broken = Vec::new();
    constraints(members, map, "", data_limit, &mut broken);
    match broken.len() {
        0 => Ok(()),
        1 => {
            Err(ApiError::new(AwsErrorType::ValidationException, format!("1 validation error detected: {}", broken[0])))
        }
        n => Err(ApiError::new(
            AwsErrorType::ValidationException,
            format!("{n} validation errors detected: {}", broken.join("; ")),
        )),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A whole number, or `None` for a fraction (`1.5`); `1e3` and `10.0` are whole.
fn whole(n: &serde_json::Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    let f = n.as_f64()?;
    // Beyond i128 the value only matters as "too large"; saturate.
    (f.fract() == 0.0).then(|| if f.abs() >= 1e38 { f.signum() as i128 * i128::MAX } else { f as i128 })
}

fn types(members: &[Member], map: &Map<String, Value>, prefix: &str) -> Result<(), ApiError> {
    for m in members {
        let Some(v) = map.get(m.name).filter(|v| !v.is_null()) else { continue };
        let expected = match (m.shape, v) {
            (Shape::Str { .. } | Shape::Data | Shape::Enum(_), Value::String(_)) => continue,
            (Shape::Bool, Value::Bool(_)) => continue,
            (Shape::Num, Value::Number(_)) | (Shape::List, Value::Array(_)) => continue,
            (Shape::Int { .. }, Value::Number(n)) if whole(n).is_some() => continue,
            (Shape::Struct(inner), Value::Object(o)) => {
                types(inner, o, &path(prefix, m.name))?;
                continue;
            }
            (Shape::Str { .. } | Shape::Data | Shape::Enum(_), _) => "a string",
            (Shape::Bool, _) => "a boolean",
            (Shape::Num, _) => "a number",
            (Shape::Int { .. }, _) => "a whole number",
            (Shape::Struct(_), _) => "an object",
            (Shape::List, _) => "an array",
        };
        let found = match v {
            Value::Number(_) if matches!(m.shape, Shape::Int { .. }) => "a number with a fraction",
            other => kind_of(other),
        };
        return Err(ApiError::new(
            AwsErrorType::SerializationException,
            format!("Cannot read '{}': expected {expected}, found {found}", path(prefix, m.name)),
        ));
    }
    Ok(())
}

/// Java's `String.length()`, which AWS's limits count: UTF-16 code units.
fn length(s: &str) -> usize {
    s.encode_utf16().count()
}

fn constraints(
    members: &[Member],
    map: &Map<String, Value>,
    prefix: &str,
    data_limit: usize,
    broken: &mut Vec<String>,
) {
    for m in members {
        let at = path(prefix, m.name);
        let Some(v) = map.get(m.name).filter(|v| !v.is_null()) else {
            if m.required {
                broken.push(format!("Value null at '{at}' failed to satisfy constraint: Member must not be null"));
            }
            continue;
        };
        let value = |sensitive: bool| match (sensitive, v) {
            (true, _) => "Value".to_string(),
            (false, Value::String(s)) => format!("Value '{s}'"),
            (false, other) => format!("Value '{other}'"),
        };
        let shape = match m.shape {
            Shape::Data => Shape::Str { min: 0, max: data_limit, sensitive: true },
            other => other,
        };
        let rule = match (shape, v) {
            (Shape::Str { min, max, sensitive }, Value::String(s)) => {
                let n = length(s);
                let rule = if n < min {
                    format!("Member must have length greater than or equal to {min}")
                } else if n > max {
                    format!("Member must have length less than or equal to {max}")
                } else {
                    continue;
                };
                broken.push(format!("{} at '{at}' failed to satisfy constraint: {rule}", value(sensitive)));
                continue;
            }
            (Shape::Enum(values), Value::String(s)) if !values.contains(&s.as_str()) => {
                format!("Member must satisfy enum value set: [{}]", values.join(", "))
            }
            (Shape::Int { min, max }, Value::Number(n)) => match whole(n) {
                Some(i) if i < i128::from(min) => format!("Member must have value greater than or equal to {min}"),
                Some(i) if i > i128::from(max) => format!("Member must have value less than or equal to {max}"),
                _ => continue,
            },
            (Shape::Struct(inner), Value::Object(o)) => {
                constraints(inner, o, &at, data_limit, broken);
                continue;
            }
            _ => continue,
        };
        broken.push(format!("{} at '{at}' failed to satisfy constraint: {rule}", value(false)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// With AWS's limit for documents.
    fn check(members: &[Member], body: &Value) -> Result<(), ApiError> {
        super::check(members, body, MAX_DATA)
    }

    #[test]
    fn documents_take_the_larger_of_aws_limit_and_the_engines() {
        let start = schema("StartExecution").unwrap();
        let body = json!({"stateMachineArn": "a", "input": "x".repeat(MAX_DATA + 1)});
        let e = check(start, &body).unwrap_err();
        let limit =
            "Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144";
        assert!(e.message.ends_with(limit), "{}", e.message);
        assert!(super::check(start, &body, 2 * MAX_DATA).is_ok());
    }

    #[test]
    fn every_broken_constraint_is_listed_in_one_message() {
        let e = check(schema("StartExecution").unwrap(), &json!({"name": "x".repeat(81)})).unwrap_err();
        assert_eq!(e.kind, "ValidationException");
        assert!(e.message.starts_with("2 validation errors detected: "), "{}", e.message);
        assert!(e
            .message
            .contains("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"));
        assert!(e
            .message
            .contains("at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"));
    }

    #[test]
    fn a_wrong_type_is_a_serialization_error_even_nested() {
        let e =
            check(schema("TestState").unwrap(), &json!({"definition": "{}", "mock": {"errorOutput": {"error": 7}}}))
                .unwrap_err();
        assert_eq!(
            (e.kind.as_str(), e.message.as_str()),
            ("SerializationException", "Cannot read 'mock.errorOutput.error': expected a string, found a number")
        );
        let e = check(schema("ListExecutions").unwrap(), &json!({"maxResults": 2.5})).unwrap_err();
        assert_eq!(e.message, "Cannot read 'maxResults': expected a whole number, found a number with a fraction");
    }

    #[test]
    fn whole_numbers_in_any_spelling_are_integers() {
        assert!(check(schema("ListExecutions").unwrap(), &json!({"maxResults": 10.0})).is_ok());
        let e = check(
            schema("ListExecutions").unwrap(),
            &serde_json::from_str::<Value>(r#"{"maxResults": 1e40}"#).unwrap(),
        )
        .unwrap_err();
        assert!(e.message.contains("Member must have value less than or equal to 1000"), "{}", e.message);
    }
}
