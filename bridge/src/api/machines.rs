//! State machines: created, updated, described (also as a published version, or as an
//! execution ran it), with the settings AWS keeps beside the definition.

use super::arn::Resource;
use super::catalog::{parse_tags, version_arn};
use super::error::ApiError;
use super::shapes::{arn_field, field, opt, seconds};
use serde_json::{json, Map, Value};
use stepline_core::engine::catalog::records::{CatalogEdit, MachineChange, MachineSpec, PublishedVersion};
use stepline_core::engine::{AwsErrorType, Engine};
use stepline_core::store::StateMachineRecord;

pub(super) fn handle(engine: &Engine, operation: &str, body: &Value) -> Option<Result<Value, ApiError>> {
    Some(match operation {
        "CreateStateMachine" => create(engine, body),
        "UpdateStateMachine" => update(engine, body),
        "DescribeStateMachine" => describe(engine, body),
        "DescribeStateMachineForExecution" => for_execution(engine, body),
        _ => return None,
    })
}

/// An object member as given, `null` as absent.
fn object(body: &Value, name: &str) -> Option<Value> {
    body.get(name).filter(|v| !v.is_null()).cloned()
}

/// A version's description: AWS's SDKs send `""` for none.
fn description(body: &Value, name: &str) -> Option<String> {
    opt(body, name).filter(|d| !d.is_empty()).map(str::to_string)
}

fn create(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let spec = MachineSpec {
        name: field(body, "name")?.into(),
        definition: field(body, "definition")?.into(),
        kind: opt(body, "type").unwrap_or("STANDARD").into(),
        role_arn: field(body, "roleArn")?.into(),
        tags: parse_tags(body.get("tags"))?,
        logging: object(body, "loggingConfiguration"),
        tracing: object(body, "tracingConfiguration"),
        publish: body.get("publish").and_then(Value::as_bool).unwrap_or(false),
        version_description: description(body, "versionDescription"),
    };
    let made = engine.create_state_machine_with(spec)?;
    let r = made.machine.ok_or_else(|| ApiError::new(AwsErrorType::InternalFailure, "no record"))?;
    let mut out = json!({"stateMachineArn": r.arn, "creationDate": seconds(r.created)});
    if let Some(v) = made.version {
        out["stateMachineVersionArn"] = json!(version_arn(&r.arn, &v));
    }
    Ok(out)
}

fn update(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = arn_field(body, "stateMachineArn", Resource::StateMachine)?;
    let change = MachineChange {
        definition: opt(body, "definition").map(str::to_string),
        role_arn: opt(body, "roleArn").map(str::to_string),
        logging: object(body, "loggingConfiguration"),
        tracing: object(body, "tracingConfiguration"),
        publish: body.get("publish").and_then(Value::as_bool).unwrap_or(false),
        version_description: description(body, "versionDescription"),
    };
    let nothing = change.definition.is_none()
        && change.role_arn.is_none()
        && change.logging.is_none()
        && change.tracing.is_none();
    if nothing && !change.publish {
        return Err(ApiError::new(
            AwsErrorType::MissingRequiredParameter,
            "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
        ));
    }
    if change.version_description.is_some() && !change.publish {
        return Err(ApiError::new(
            AwsErrorType::ValidationException,
            "Version description can only be set when publish is true",
        ));
    }
    let made = engine.edit_catalog(CatalogEdit::Update { arn: arn.into(), change })?;
    let r = made.machine.ok_or_else(|| ApiError::new(AwsErrorType::InternalFailure, "no record"))?;
    let mut out = json!({"updateDate": seconds(r.updated), "revisionId": r.version.to_string()});
    if let Some(v) = made.version {
        out["stateMachineVersionArn"] = json!(version_arn(&r.arn, &v));
    }
    Ok(out)
}

fn describe(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = arn_field(body, "stateMachineArn", Resource::StateMachine)?;
    let out = if stepline_core::engine::Engine::is_qualified(arn) {
        let (rec, v) = engine.describe_version(arn)?;
        machine_json(&rec, Some(&v))
    } else {
        machine_json(&engine.describe_state_machine(arn)?, None)
    };
    Ok(with_data(out, body))
}

/// The definition and the variables it reads, or with `includedData: METADATA_ONLY`
/// neither (the definition is `{}`, as at AWS).
fn with_data(mut out: Value, body: &Value) -> Value {
    if opt(body, "includedData") == Some("METADATA_ONLY") {
        out["definition"] = json!("{}");
        return out;
    }
    let refs = out["definition"]
        .as_str()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .map(|d| super::variables::variable_references(&d))
        .unwrap_or_default();
    if !refs.is_empty() {
        out["variableReferences"] = Value::Object(refs);
    }
    out
}

fn for_execution(engine: &Engine, body: &Value) -> Result<Value, ApiError> {
    let arn = arn_field(body, "executionArn", Resource::Execution)?;
    let ran = engine.definition_of_execution(arn)?;
    let mut out = machine_json(&ran.machine, None);
    if let Value::Object(m) = &mut out {
        for k in ["status", "type", "creationDate", "encryptionConfiguration"] {
            m.remove(k);
        }
        m.insert("updateDate".into(), seconds(ran.machine.updated));
        if let Some(run) = &ran.execution.map_run {
            m.insert("mapRunArn".into(), json!(run));
            // A Map Run's children run `<machine>/<label>`.
            if let Some((_, label)) = ran.execution.state_machine_arn.rsplit_once('/') {
                m.insert("label".into(), json!(label));
            }
        }
    }
    Ok(with_data(out, body))
}

/// `DescribeStateMachine`'s answer, of the machine or of one of its versions.
pub(super) fn machine_json(r: &StateMachineRecord, version: Option<&PublishedVersion>) -> Value {
    let mut m = Map::new();
    m.insert("stateMachineArn".into(), json!(r.arn));
    m.insert("name".into(), json!(r.name));
    m.insert("status".into(), json!("ACTIVE"));
    m.insert("definition".into(), json!(r.definition));
    m.insert("roleArn".into(), json!(r.role_arn));
    m.insert("type".into(), json!(r.kind));
    m.insert("creationDate".into(), seconds(version.map_or(r.created, |v| v.created)));
    let logging = r.logging.clone().unwrap_or_else(|| json!({"level": "OFF", "includeExecutionData": false}));
    m.insert("loggingConfiguration".into(), logging);
    m.insert("tracingConfiguration".into(), r.tracing.clone().unwrap_or_else(|| json!({"enabled": false})));
    m.insert("revisionId".into(), json!(r.version.to_string()));
    if let Some(d) = version.and_then(|v| v.description.as_ref()) {
        m.insert("description".into(), json!(d));
    }
    m.insert("encryptionConfiguration".into(), json!({"type": "AWS_OWNED_KEY"}));
    Value::Object(m)
}
