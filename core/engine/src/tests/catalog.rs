//! Versions, aliases and tags on the engine: what starts run, what survives a restart,
//! what a child execution started on a version runs.

use super::*;
use crate::catalog::records::{CatalogEdit, MachineChange, MachineSpec, Route, Tag};

const V2: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "v2", "End": true}}}"#;

fn spec(name: &str, definition: &str, publish: bool) -> MachineSpec {
    MachineSpec {
        name: name.into(),
        definition: definition.into(),
        role_arn: "r".into(),
        publish,
        ..MachineSpec::default()
    }
}

fn output(e: &Engine, arn: &str) -> serde_json::Value {
    let r = wait_for(e, arn, Status::Succeeded);
    serde_json::Value::clone(r.output.as_ref().expect("succeeded"))
}

#[test]
fn versions_run_their_own_definition_and_survive_a_restart() {
    let dir = data_dir("catalog-versions");
    let e = engine(&dir);
    let made = e.create_state_machine_with(spec("m", PASS_MACHINE, true)).unwrap();
    let arn = made.machine.unwrap().arn;
    assert_eq!(made.version.unwrap().number, 1);
    let change = MachineChange { definition: Some(V2.into()), publish: true, ..Default::default() };
    let v2 = e.edit_catalog(CatalogEdit::Update { arn: arn.clone(), change }).unwrap().version.unwrap();
    assert_eq!(v2.number, 2);
    let on_v1 = e.start_execution(&format!("{arn}:1"), None, serde_json::json!({})).unwrap();
    assert_eq!(on_v1.version_arn.as_deref(), Some(format!("{arn}:1").as_str()));
    assert_eq!(output(&e, &on_v1.arn), "v1");
    let routing = Some(vec![Route { version: 2, weight: 100 }]);
    let alias = format!("{arn}:prod");
    e.edit_catalog(CatalogEdit::PutAlias { arn: alias.clone(), description: None, routing, create: true }).unwrap();
    // A version an alias routes to is kept.
    let refused = e.edit_catalog(CatalogEdit::DeleteVersion { arn: format!("{arn}:2") }).unwrap_err();
    assert_eq!(refused.aws_type(), "ConflictException");
    let tag = Tag { key: "team".into(), value: "a".into() };
    e.edit_catalog(CatalogEdit::Tag { resource: arn.clone(), tags: vec![tag.clone()] }).unwrap();
    e.shutdown();
    drop(e);

    let e = engine(&dir);
    let on_alias = e.start_execution(&alias, None, serde_json::json!({})).unwrap();
    assert_eq!(
        (on_alias.alias_arn.as_deref(), on_alias.version_arn.as_deref()),
        (Some(alias.as_str()), Some(format!("{arn}:2").as_str()))
    );
    assert_eq!(output(&e, &on_alias.arn), "v2");
    assert_eq!(e.describe_state_machine(&arn).unwrap().tags, vec![tag]);
    let catalog = e.machine_catalog(&arn).unwrap();
    assert_eq!(catalog.versions.iter().map(|v| v.number).collect::<Vec<_>>(), vec![1, 2]);
    // Deleted with its machine: a machine made again under the name starts at version 1,
    // while the definitions earlier executions ran stay theirs.
    e.delete_state_machine(&arn).unwrap();
    e.create_state_machine_with(spec(
        "m",
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "new", "End": true}}}"#,
        true,
    ))
    .unwrap();
    assert_eq!(e.machine_catalog(&arn).unwrap().versions.len(), 1);
    let ran = e.definition_of_execution(&on_v1.arn).unwrap();
    assert_eq!(ran.machine.definition, PASS_MACHINE);
    let again = e.start_execution(&format!("{arn}:1"), None, serde_json::json!({})).unwrap();
    assert_eq!(output(&e, &again.arn), "new");
}

#[test]
fn a_child_started_on_a_version_runs_that_version() {
    let dir = data_dir("catalog-child");
    let e = engine(&dir);
    let child = e.create_state_machine_with(spec("child", PASS_MACHINE, true)).unwrap().machine.unwrap().arn;
    e.update_state_machine(&child, V2).unwrap();
    let parent = format!(
        r#"{{"StartAt": "C", "States": {{"C": {{"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {{"StateMachineArn": "{child}:1"}}, "OutputPath": "$.Output", "End": true}}}}}}"#
    );
    let p = e.create_state_machine("parent", &parent, "STANDARD", "r").unwrap();
    let run = e.start_execution(&p.arn, None, serde_json::json!({})).unwrap();
    assert_eq!(output(&e, &run.arn), "v1");
    let latest = e.start_execution(&child, None, serde_json::json!({})).unwrap();
    assert_eq!(output(&e, &latest.arn), "v2");
}
