//! AWS's rule for variable names across scopes: a Map's item processor and each Parallel
//! branch is a scope of its own, and a variable assigned in an inner scope cannot have
//! the same name as one assigned in any scope around it. Sibling scopes (two branches of
//! one Parallel) may reuse a name. A variable belongs to a scope when any state of the
//! scope assigns it: in its `Assign`, in a Choice rule's or a Catch's `Assign`.

use crate::diagnostics::Diagnostic;
use crate::model::template::escape_pointer;
use serde_json::{Map as JsonMap, Value};
use std::collections::BTreeSet;

#[cfg(test)]
mod tests;

/// One assignment in a scope: the variable's name and the pointer of its `Assign` key.
struct Assignment {
    name: String,
    state: String,
    location: String,
}

/// Reports every assignment in a nested scope whose name an outer scope assigns too.
pub(super) fn check(machine: &JsonMap<String, Value>, diags: &mut Vec<Diagnostic>) {
    check_scope(machine, "", &BTreeSet::new(), diags);
}

fn check_scope(machine: &JsonMap<String, Value>, loc: &str, outer: &BTreeSet<String>, diags: &mut Vec<Diagnostic>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else { return };
    let mut here = Vec::new();
    for (name, def) in states {
        let sloc = format!("{loc}/States/{}", escape_pointer(name));
        assignments_of_state(name, def, &sloc, &mut here);
    }
    for a in here.iter().filter(|a| outer.contains(&a.name)) {
        diags.push(Diagnostic::schema(
            &a.location,
            format!(
                "The variable '{}' assigned in the state '{}' is already assigned in an outer scope: a variable assigned inside a Map or Parallel state cannot have the same name as one assigned in an outer scope",
                a.name, a.state
            ),
        ));
    }
    let mut visible = outer.clone();
    visible.extend(here.into_iter().map(|a| a.name));
    for (name, def) in states {
        let sloc = format!("{loc}/States/{}", escape_pointer(name));
        for (inner, iloc) in nested_scopes(def, &sloc) {
            check_scope(inner, &iloc, &visible, diags);
        }
    }
}

/// The scopes a state holds: a Map's processor, a Parallel's branches.
fn nested_scopes<'a>(def: &'a Value, sloc: &str) -> Vec<(&'a JsonMap<String, Value>, String)> {
    let mut out = Vec::new();
    match def.get("Type").and_then(Value::as_str) {
        Some("Map") => {
            for field in ["ItemProcessor", "Iterator"] {
                if let Some(p) = def.get(field).and_then(Value::as_object) {
                    out.push((p, format!("{sloc}/{field}")));
                }
            }
        }
        Some("Parallel") => {
            if let Some(branches) = def.get("Branches").and_then(Value::as_array) {
                for (i, b) in branches.iter().enumerate() {
                    if let Some(b) = b.as_object() {
                        out.push((b, format!("{sloc}/Branches/{i}")));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Every variable a state assigns, wherever in the state the `Assign` is.
fn assignments_of_state(state: &str, def: &Value, sloc: &str, out: &mut Vec<Assignment>) {
    assignments_of(state, def.get("Assign"), &format!("{sloc}/Assign"), out);
    for list in ["Choices", "Catch"] {
        if let Some(items) = def.get(list).and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                assignments_of(state, item.get("Assign"), &format!("{sloc}/{list}/{i}/Assign"), out);
            }
        }
    }
}

fn assignments_of(state: &str, assign: Option<&Value>, loc: &str, out: &mut Vec<Assignment>) {
    let Some(fields) = assign.and_then(Value::as_object) else { return };
    for key in fields.keys() {
        // In JSONPath, `"name.$": "$.path"` assigns the variable `name`.
        let name = key.strip_suffix(".$").unwrap_or(key);
        out.push(Assignment {
            name: name.to_string(),
            state: state.to_string(),
            location: format!("{loc}/{}", escape_pointer(key)),
        });
    }
}
