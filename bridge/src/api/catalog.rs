//! Versions, aliases and tags: AWS's operations and shapes over the engine's catalog.

use super::arn::{self, Resource};
use super::error::ApiError;
use super::shapes::{arn_field, field, invalid_token, opt, page_size, seconds};
use serde_json::{json, Value};
use stepline_core::engine::catalog::qualified::{split, Qualifier};
use stepline_core::engine::catalog::records::{AliasRecord, CatalogEdit, PublishedVersion, Route, Tag};
use stepline_core::engine::{AwsErrorType, DefinitionError, Engine};

pub(super) fn handle(engine: &Engine, operation: &str, body: &Value) -> Option<Result<Value, ApiError>> {
    Some(match operation {
        "PublishStateMachineVersion" => publish(engine, body),
        "ListStateMachineVersions" => list_versions(engine, body),
        "DeleteStateMachineVersion" => {
            let arn = field(body, "stateMachineVersionArn").and_then(|a| qualified(a, true));
            arn.and_then(|arn| engine.edit_catalog(CatalogEdit::DeleteVersion { arn: arn.into() }).map_err(Into::into))
                .map(|_| json!({}))
        }
        "CreateStateMachineAlias" => put_alias(engine, body, true),
        "UpdateStateMachineAlias" => put_alias(engine, body, false),
        "DescribeStateMachineAlias" => describe_alias(engine, body),
        "DeleteStateMachineAlias" => {
            let arn = field(body, "stateMachineAliasArn").and_then(|a| qualified(a, false));
            arn.and_then(|arn| engine.edit_catalog(CatalogEdit::DeleteAlias { arn: arn.into() }).map_err(Into::into))
                .map(|_| json!({}))
        }
        "ListStateMachineAliases" => list_aliases(engine, body),
        "TagResource" => tag(engine, body),
        "UntagResource" => untag(engine, body),
        "ListTagsForResource" => list_tags(engine, body),
        _ => return None,
    })
}

/// `<machine>:<number>`.
pub(super) fn version_arn(machine: &str, v: &PublishedVersion) -> String {
    format!("{machine}:{}", v.number)
}

fn alias_json(machine: &str, a: &AliasRecord) -> Value {
    let routing: Vec<Value> = a
        .routing
        .iter()
        .map(|r| json!({"stateMachineVersionArn": format!("{machine}:{}", r.version), "weight": r.weight}))
        .collect();
    let mut out = json!({
        "stateMachineAliasArn": format!("{machine}:{}", a.name), "name": a.name,
        "routingConfiguration": routing, "creationDate": seconds(a.created), "updateDate": seconds(a.updated),
    });
    if let Some(d) = &a.description {
        out["description"] = json!(d);
    }
    out
}

/// A version ARN (`version`) or an alias ARN, well formed.
fn qualified(arn: &str, version: bool) -> Result<&str, ApiError> {
    arn::check(arn, Resource::StateMachine)?;
    match (split(arn).1, version) {
        (Qualifier::Version(_), true) | (Qualifier::Alias(_), false) => Ok(arn),
        _ => Err(ApiError::new(
            AwsErrorType::InvalidArn,
            format!("Invalid Arn: 'Resource type not valid in this context: {arn}'"),
        )),
    }
}

/// A machine's own ARN (not a version's or an alias's).
fn machine_arn<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    let arn = arn_field(body, name, Resource::StateMachine)?;
    match split(arn).1 {
        Qualifier::None => Ok(arn),
        _ => Err(ApiError::new(AwsErrorType::InvalidArn, format!("Invalid Arn: 'Unqualified ARN expected: {arn}'"))),
    }
}

fn publish(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = machine_arn(body, "stateMachineArn")?;
    let edit = CatalogEdit::Publish {
        arn: arn.into(),
        revision_id: opt(body, "revisionId").map(str::to_string),
        description: opt(body, "description").filter(|d| !d.is_empty()).map(str::to_string),
    };
    let made = engine.edit_catalog(edit)?;
    let v = made.version.ok_or_else(|| ApiError::new(AwsErrorType::InternalFailure, "no version"))?;
    Ok(json!({"creationDate": seconds(v.created), "stateMachineVersionArn": version_arn(arn, &v)}))
}

fn list_versions(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = machine_arn(body, "stateMachineArn")?;
    let catalog = engine.machine_catalog(arn)?;
    // Newest first, as AWS lists them.
    let all: Vec<Value> = catalog
        .versions
        .iter()
        .rev()
        .map(|v| json!({"stateMachineVersionArn": version_arn(arn, v), "creationDate": seconds(v.created)}))
        .collect();
    paged(all, "stateMachineVersions", "stateMachineVersionArn", body)
}

fn list_aliases(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = machine_arn(body, "stateMachineArn")?;
    let catalog = engine.machine_catalog(arn)?;
    let all: Vec<Value> = catalog
        .aliases
        .iter()
        .map(|a| json!({"stateMachineAliasArn": format!("{arn}:{}", a.name), "creationDate": seconds(a.created)}))
        .collect();
    paged(all, "stateMachineAliases", "stateMachineAliasArn", body)
}

/// One page of `items` after `nextToken` (the key of the last item of the page before).
fn paged(items: Vec<Value>, list: &str, key: &str, body: &Value) -> Result<Value, ApiError> {
    let start = match opt(body, "nextToken") {
        None => 0,
        Some(t) => items.iter().position(|i| i[key] == t).ok_or_else(invalid_token)? + 1,
    };
    let size = page_size(body);
    let rest: Vec<Value> = items.into_iter().skip(start).collect();
    let more = rest.len() > size;
    let shown: Vec<Value> = rest.into_iter().take(size).collect();
    let mut out = json!({});
    if more {
        out["nextToken"] = shown.last().map(|i| i[key].clone()).unwrap_or(Value::Null);
    }
    out[list] = Value::Array(shown);
    Ok(out)
}

fn put_alias(engine: &Engine, body: &Value, create: bool) -> Result<Value, ApiError> {
    let arn = if create {
        let machine = routing_machine(body)?;
        let name = field(body, "name")?;
        valid_alias_name(name)?;
        format!("{machine}:{name}")
    } else {
        qualified(field(body, "stateMachineAliasArn")?, false)?.to_string()
    };
    let (base, _) = split(&arn);
    let routing = match body.get("routingConfiguration").filter(|v| !v.is_null()) {
        Some(r) => Some(parse_routing(base, r)?),
        None if create => return Err(missing("routingConfiguration")),
        None => None,
    };
    let description = opt(body, "description").map(str::to_string);
    if !create && routing.is_none() && description.is_none() {
        return Err(ApiError::new(
            AwsErrorType::ValidationException,
            "Either the description or the RoutingConfiguration must be specified",
        ));
    }
    let description = description.filter(|d| !d.is_empty());
    let made = engine.edit_catalog(CatalogEdit::PutAlias { arn: arn.clone(), description, routing, create })?;
    let a = made.alias.ok_or_else(|| ApiError::new(AwsErrorType::InternalFailure, "no alias"))?;
    Ok(match create {
        true => json!({"stateMachineAliasArn": arn, "creationDate": seconds(a.created)}),
        false => json!({"updateDate": seconds(a.updated)}),
    })
}

fn missing(name: &str) -> ApiError {
    ApiError::new(
        AwsErrorType::ValidationException,
        format!(
            "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
        ),
    )
}

/// The machine a new alias belongs to: the one its routing's versions are versions of.
fn routing_machine(body: &Value) -> Result<String, ApiError> {
    let first = body
        .get("routingConfiguration")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
        .and_then(|r| r.get("stateMachineVersionArn"))
        .and_then(Value::as_str)
        .ok_or_else(|| missing("routingConfiguration"))?;
    let version = qualified(first, true)?;
    Ok(split(version).0.to_string())
}

/// AWS's alias names: 1 to 80 of letters, digits, `-`, `_` and `.`, not all digits.
fn valid_alias_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.chars().all(|c| c.is_ascii_digit());
    if ok {
        return Ok(());
    }
    Err(ApiError::new(
        AwsErrorType::ValidationException,
        format!("1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"),
    ))
}

/// `[{stateMachineVersionArn, weight}]`, every version one of `machine`'s.
fn parse_routing(machine: &str, v: &Value) -> Result<Vec<Route>, ApiError> {
    let invalid = |why: String| ApiError::new(AwsErrorType::ValidationException, why);
    let items = v.as_array().ok_or_else(|| invalid("routingConfiguration must be a list".into()))?;
    items
        .iter()
        .map(|r| {
            let arn = r
                .get("stateMachineVersionArn")
                .and_then(Value::as_str)
                .ok_or_else(|| missing("stateMachineVersionArn"))?;
            let weight = r
                .get("weight")
                .map_or(Some(0), Value::as_u64)
                .ok_or_else(|| invalid("weight must be a whole number".into()))?;
            qualified(arn, true)?;
            let (base, Qualifier::Version(n)) = split(arn) else { unreachable!("checked by qualified") };
            if base != machine {
                return Err(invalid(format!(
                    "Routing configuration must contain state machine version ARNs of the same state machine: '{arn}'"
                )));
            }
            Ok(Route { version: n, weight: u32::try_from(weight).unwrap_or(u32::MAX) })
        })
        .collect()
}

fn describe_alias(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = qualified(field(body, "stateMachineAliasArn")?, false)?;
    let (base, Qualifier::Alias(name)) = split(arn) else { unreachable!("checked by qualified") };
    let not_found = || ApiError::new(AwsErrorType::ResourceNotFound, format!("Resource not found: '{arn}'"));
    let catalog = engine.machine_catalog(base).map_err(|e| match e {
        DefinitionError::StateMachineDoesNotExist(_) => not_found(),
        e => e.into(),
    })?;
    let alias = catalog.alias(name).ok_or_else(not_found)?;
    Ok(alias_json(base, alias))
}

/// `tags`: `[{key, value}]`; absent or `null` is none.
pub(super) fn parse_tags(v: Option<&Value>) -> Result<Vec<Tag>, ApiError> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(vec![]) };
    let invalid = || ApiError::new(AwsErrorType::ValidationException, "tags must be a list of {key, value}");
    v.as_array()
        .ok_or_else(invalid)?
        .iter()
        .map(|t| {
            let key = t.get("key").and_then(Value::as_str).ok_or_else(invalid)?;
            let value = t.get("value").and_then(Value::as_str).unwrap_or("");
            Ok(Tag { key: key.into(), value: value.into() })
        })
        .collect()
}

/// A state machine's or an activity's ARN, well formed.
fn resource(body: &Value) -> Result<&str, ApiError> {
    let arn = field(body, "resourceArn")?;
    if arn.contains(":activity:") {
        arn::check(arn, Resource::Activity)?;
    } else {
        arn::check(arn, Resource::StateMachine)?;
    }
    Ok(arn)
}

fn tag(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let resource = resource(body)?;
    let tags = parse_tags(body.get("tags"))?;
    engine.edit_catalog(CatalogEdit::Tag { resource: resource.into(), tags })?;
    Ok(json!({}))
}

fn untag(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let resource = resource(body)?;
    let keys = body
        .get("tagKeys")
        .and_then(Value::as_array)
        .ok_or_else(|| missing("tagKeys"))?
        .iter()
        .map(|k| k.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::new(AwsErrorType::ValidationException, "tagKeys must be a list of strings"))?;
    engine.edit_catalog(CatalogEdit::Untag { resource: resource.into(), keys })?;
    Ok(json!({}))
}

fn list_tags(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let resource = resource(body)?;
    let not_found = || ApiError::new(AwsErrorType::ResourceNotFound, format!("Resource not found: '{resource}'"));
    // A resource that does not exist is AWS's `ResourceNotFound` here; a store failure
    // stays what it is.
    let gone = |e: DefinitionError| match e {
        DefinitionError::StateMachineDoesNotExist(_) | DefinitionError::ActivityDoesNotExist(_) => not_found(),
        e => e.into(),
    };
    let tags = if resource.contains(":activity:") {
        engine.describe_activity(resource).map_err(gone)?.tags
    } else if split(resource).1 != Qualifier::None {
        return Err(not_found());
    } else {
        engine.describe_state_machine(resource).map_err(gone)?.tags
    };
    let tags: Vec<Value> = tags.iter().map(|t| json!({"key": t.key, "value": t.value})).collect();
    Ok(json!({"tags": tags}))
}

/// A version or alias ARN that names one that exists (`StateMachineDoesNotExist`
/// otherwise, as AWS answers `ListExecutions`).
pub(super) fn check_qualified_exists(engine: &Engine, arn: &str) -> Result<(), ApiError> {
    let (base, q) = split(arn);
    let catalog = engine.machine_catalog(base)?;
    let exists = match q {
        Qualifier::Version(n) => catalog.version(n).is_some(),
        Qualifier::Alias(name) => catalog.alias(name).is_some(),
        Qualifier::None => true,
    };
    match exists {
        true => Ok(()),
        false => {
            Err(ApiError::new(AwsErrorType::StateMachineDoesNotExist, format!("State Machine Does Not Exist: '{arn}'")))
        }
    }
}
