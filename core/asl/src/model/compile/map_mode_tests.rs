//! Map fields by processing mode: Distributed-only fields on an inline Map are refused at
//! the field, a Distributed Map's own fields are checked; what AWS runs is accepted.

use crate::diagnostics::Diagnostic;
use crate::model::{compile_value, MachineType};
use serde_json::{json, Value};

fn diags(def: &Value) -> Vec<Diagnostic> {
    compile_value(def, MachineType::Standard).err().unwrap_or_default()
}

/// A machine whose only state is a Map with `extra` fields and `config` as ProcessorConfig
/// (none when null) under `proc_field`.
fn map_with(proc_field: &str, config: Value, extra: Value) -> Value {
    let mut processor = json!({"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}});
    if !config.is_null() {
        processor["ProcessorConfig"] = config;
    }
    let mut state = json!({"Type": "Map", "End": true});
    state[proc_field] = processor;
    if let (Some(s), Some(e)) = (state.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    json!({"StartAt": "M", "States": {"M": state}})
}

fn distributed() -> Value {
    json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})
}

/// The one diagnostic of `def`, which must be a schema error at `location` with `message`.
#[track_caller]
fn assert_only(def: &Value, location: &str, message: &str) {
    let d = diags(def);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].code.as_str(), d[0].location.as_str()), ("SCHEMA_VALIDATION_FAILED", location));
    assert_eq!(d[0].message, message);
}

const READER: &str = r#"{"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"}, "Parameters": {"Bucket": "b", "Key": "k"}}"#;
const WRITER: &str = r#"{"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}"#;

fn field_value(field: &str) -> Value {
    match field {
        "ItemReader" => serde_json::from_str(READER).unwrap_or_default(),
        "ResultWriter" => serde_json::from_str(WRITER).unwrap_or_default(),
        "ItemBatcher" => json!({"MaxItemsPerBatch": 2}),
        _ => json!("my-label"),
    }
}

#[test]
fn distributed_only_fields_are_refused_on_inline_maps() {
    let inline_configs = [
        ("ItemProcessor", Value::Null),
        ("ItemProcessor", json!({})),
        ("ItemProcessor", json!({"Mode": "INLINE"})),
        ("Iterator", Value::Null),
    ];
    for field in ["ItemReader", "ResultWriter", "ItemBatcher", "Label"] {
        for (proc_field, config) in &inline_configs {
            let def = map_with(proc_field, config.clone(), json!({ field: field_value(field) }));
            assert_only(
                &def,
                &format!("/States/M/{field}"),
                &format!("The field '{field}' is only supported when ProcessorConfig Mode is DISTRIBUTED"),
            );
        }
    }
    assert_only(
        &map_with("ItemProcessor", json!({"Mode": "INLINE", "ExecutionType": "STANDARD"}), json!({})),
        "/States/M/ItemProcessor/ProcessorConfig/ExecutionType",
        "The field 'ExecutionType' is only supported when ProcessorConfig Mode is DISTRIBUTED",
    );
}

#[test]
fn every_refused_field_is_reported_at_once() {
    let def = map_with("ItemProcessor", Value::Null, json!({"ItemReader": field_value("ItemReader"), "Label": "l"}));
    let locations: Vec<String> = diags(&def).into_iter().map(|d| d.location).collect();
    assert_eq!(locations, ["/States/M/ItemReader", "/States/M/Label"]);
}

#[test]
fn distributed_fields_are_checked_where_they_are_written() {
    for proc_field in ["ItemProcessor", "Iterator"] {
        for field in ["ItemReader", "ResultWriter", "Label"] {
            let def = map_with(proc_field, distributed(), json!({ field: field_value(field) }));
            assert!(diags(&def).is_empty(), "{def}: {:#?}", diags(&def));
        }
    }
    let cases = [
        (json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}}}),
         "/States/M/ItemReader/ReaderConfig", "These fields are required: [InputType]"),
        (json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "XML"}}}),
         "/States/M/ItemReader/ReaderConfig/InputType", "'XML' is not a supported InputType (CSV, JSON, JSONL, MANIFEST)"),
        (json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVDelimiter": "DOT"}}}),
         "/States/M/ItemReader/ReaderConfig/CSVDelimiter", "'DOT' is not a supported CSVDelimiter (COMMA, PIPE, SEMICOLON, SPACE, TAB)"),
        (json!({"ItemReader": {"Resource": "arn:aws:states:::dynamodb:scan", "ReaderConfig": {"InputType": "JSON"}}}),
         "/States/M/ItemReader/Resource",
         "'arn:aws:states:::dynamodb:scan' is not a supported resource here (arn:aws:states:::s3:getObject, arn:aws:states:::s3:listObjectsV2)"),
        (json!({"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Retries": 3}}),
         "/States/M/ItemReader/Retries", "Field 'Retries' is not supported"),
        (json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "XML"}}}),
         "/States/M/ResultWriter/WriterConfig/OutputType", "\"XML\" is not one of JSON, JSONL"),
        (json!({"Label": "has space"}), "/States/M/Label", "The field 'Label' may not contain ' '"),
        (json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Acl": "x"}}}),
         "/States/M/ResultWriter/Parameters/Acl", "Field 'Acl' is not supported here (only Bucket, Prefix)"),
        (json!({"Label": "x".repeat(41)}), "/States/M/Label", "The field 'Label' must be 1 to 40 characters long"),
        (json!({"ItemReader": field_value("ItemReader"), "ItemsPath": "$.items"}), "/States/M",
         "The fields 'ItemReader' and 'ItemsPath' (or 'Items') are mutually exclusive"),
    ];
    for (extra, location, message) in cases {
        assert_only(&map_with("ItemProcessor", distributed(), extra), location, message);
    }
    assert!(diags(&map_with("ItemProcessor", json!({"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}), json!({})))
        .is_empty());
    let callback = json!({"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"});
    let mut def = map_with("ItemProcessor", callback, json!({}));
    def["States"]["M"]["ItemProcessor"]["States"]["I"] =
        json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true});
    assert_only(
        &def,
        "/States/M/ItemProcessor/ProcessorConfig/ExecutionType",
        "EXPRESS child executions cannot wait for a callback (.waitForTaskToken) or run an activity",
    );
    assert_only(
        &map_with("ItemProcessor", json!({"Mode": "DISTRIBUTED", "Concurrency": 3}), json!({})),
        "/States/M/ItemProcessor/ProcessorConfig/Concurrency",
        "Field 'Concurrency' is not supported",
    );
    assert_only(
        &map_with("ItemProcessor", json!({"Mode": "DISTRIBUTED", "ExecutionType": "FAST"}), json!({})),
        "/States/M/ItemProcessor/ProcessorConfig/ExecutionType",
        "'ExecutionType' must be one of [STANDARD, EXPRESS]",
    );
}

#[test]
fn two_distributed_maps_may_not_share_a_label() {
    let processor = json!({"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}});
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Map", "Label": "fan", "ItemProcessor": processor, "Next": "B"},
        "B": {"Type": "Map", "Label": "fan", "ItemProcessor": processor, "End": true}}});
    assert_only(
        &def,
        "/States/B",
        "The Distributed Maps 'A' and 'B' would both label their Map Runs 'fan': give them different Labels",
    );
    let def = json!({"StartAt": "A b", "States": {
        "A b": {"Type": "Map", "ItemProcessor": processor, "Next": "A-b"},
        "A-b": {"Type": "Map", "ItemProcessor": processor, "End": true}}});
    assert_eq!(diags(&def).len(), 1, "{:#?}", diags(&def));
}

#[test]
fn what_aws_runs_and_stepline_honours_is_accepted() {
    let tolerated = json!({"ToleratedFailureCount": 1, "ToleratedFailurePercentage": 50});
    let tolerated_paths = json!({"ToleratedFailureCountPath": "$.c", "ToleratedFailurePercentagePath": "$.p"});
    let accepted = [
        // AWS ran inline Maps with ToleratedFailure* (recorded in the conformance corpus).
        map_with("ItemProcessor", Value::Null, tolerated.clone()),
        map_with("ItemProcessor", json!({"Mode": "INLINE"}), tolerated_paths.clone()),
        map_with("Iterator", Value::Null, tolerated.clone()),
        // Distributed Maps: the fields the interpreter runs.
        map_with("ItemProcessor", distributed(), tolerated),
        map_with("ItemProcessor", distributed(), tolerated_paths),
        map_with(
            "ItemProcessor",
            distributed(),
            json!({"ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"k": 1}}, "MaxConcurrency": 2,
                   "ItemSelector": {"v.$": "$$.Map.Item.Value"}, "ItemsPath": "$.items"}),
        ),
        map_with("ItemProcessor", json!({"Mode": "DISTRIBUTED"}), json!({})),
        map_with("Iterator", distributed(), json!({"MaxConcurrency": 1})),
    ];
    for def in accepted {
        assert!(diags(&def).is_empty(), "{def}: {:#?}", diags(&def));
    }
    // JSONata inline Map with a tolerated-failure expression, as AWS ran it.
    let jsonata = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "Items": [1],
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ToleratedFailureCount": "{% $variable := 1 %}", "End": true}}});
    assert!(diags(&jsonata).is_empty(), "{:#?}", diags(&jsonata));
}
