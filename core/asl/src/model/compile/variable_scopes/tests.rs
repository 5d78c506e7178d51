//! A nested scope may read outer variables but not assign their names; the diagnostic
//! names the state and the `Assign` key.

use crate::diagnostics::Diagnostic;
use crate::model::{compile_value, MachineType};
use serde_json::{json, Value};

fn diags(def: Value) -> Vec<Diagnostic> {
    compile_value(&def, MachineType::Standard).err().unwrap_or_default()
}

fn message(var: &str, state: &str) -> String {
    format!("The variable '{var}' assigned in the state '{state}' is already assigned in an outer scope: a variable assigned inside a Map or Parallel state cannot have the same name as one assigned in an outer scope")
}

/// An outer `Pass` assigning `outer`, then `nested` (a Map or Parallel state) at the end.
fn after_seed(outer: Value, nested: Value) -> Value {
    json!({"StartAt": "SeedOuter", "States": {
        "SeedOuter": {"Type": "Pass", "Assign": outer, "Next": "Nested"},
        "Nested": nested}})
}

fn map_of(states: Value, start: &str) -> Value {
    json!({"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start, "States": states}})
}

#[test]
fn a_map_processor_cannot_assign_an_outer_name() {
    let nested = map_of(json!({"Shadow": {"Type": "Pass", "Assign": {"shared": "inner"}, "End": true}}), "Shadow");
    let d = diags(after_seed(json!({"shared": "outer"}), nested));
    assert_eq!(
        d,
        [Diagnostic::schema("/States/Nested/ItemProcessor/States/Shadow/Assign/shared", message("shared", "Shadow"))]
    );
}

#[test]
fn a_parallel_branch_cannot_assign_an_outer_name_in_either_language() {
    // `x.$` assigns `x` in JSONPath; the JSONata state assigns `y` directly.
    let nested = json!({"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"x.$": "$.v"}, "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"y": "{% 1 %}"}, "End": true}}}]});
    let d = diags(after_seed(json!({"x": 1, "y": 2}), nested));
    assert_eq!(
        d,
        [
            Diagnostic::schema("/States/Nested/Branches/0/States/A/Assign/x.$", message("x", "A")),
            Diagnostic::schema("/States/Nested/Branches/1/States/B/Assign/y", message("y", "B")),
        ]
    );
}

#[test]
fn every_enclosing_scope_counts_and_choice_and_catch_assignments_too() {
    // The top level assigns `top` in a Catch after the Parallel; a branch assigns `mid` in
    // a Choice rule; a Map inside that branch assigns both.
    let inner_map =
        map_of(json!({"Deep": {"Type": "Pass", "Assign": {"top": 1, "mid": 2, "fresh": 3}, "End": true}}), "Deep");
    let def = json!({"StartAt": "Par", "States": {
        "Par": {"Type": "Parallel", "End": true,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"top": 0}, "Next": "Done"}],
            "Branches": [{"StartAt": "Pick", "States": {
                "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Assign": {"mid": 1}, "Next": "Inner"}],
                         "Default": "Inner"},
                "Inner": inner_map}}]},
        "Done": {"Type": "Succeed"}}});
    let d = diags(def);
    let deep = "/States/Par/Branches/0/States/Inner/ItemProcessor/States/Deep/Assign";
    assert_eq!(
        d,
        [
            Diagnostic::schema(format!("{deep}/top"), message("top", "Deep")),
            Diagnostic::schema(format!("{deep}/mid"), message("mid", "Deep")),
        ]
    );
}

#[test]
fn sibling_scopes_and_reads_of_outer_names_are_allowed() {
    // Three branches assign the same new name, and read the outer one.
    let branch =
        |s: &str| json!({"StartAt": s, "States": {s: {"Type": "Pass", "Assign": {"innerX.$": "$x"}, "End": true}}});
    let nested = json!({"Type": "Parallel", "End": true, "Branches": [branch("B1"), branch("B2"), branch("B3")]});
    assert!(diags(after_seed(json!({"x": 42}), nested)).is_empty());
    // A Map's own Assign and Catch belong to the outer scope: reassigning there is fine.
    let map = json!({"Type": "Map", "End": true, "Assign": {"x": 1},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}});
    assert!(diags(after_seed(json!({"x": 0}), map)).is_empty());
}
