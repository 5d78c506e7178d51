//! `variableReferences` of `DescribeStateMachine`: per state, the workflow variables its
//! fields read. Found in JSONata expressions (`{% ... %}`: `$name` that is not a function
//! call, `$states`, or a name the expression binds itself) and in JSONPath fields and
//! intrinsic arguments (`$name`, `$name.path`, never `$.` or `$$.`). States of Parallel
//! branches and Map item processors are listed under their own names.

use serde_json::{Map, Value};

/// State name -> the variables it references, first use first; states that reference
/// none are left out.
pub(super) fn variable_references(definition: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    collect(definition, &mut out);
    out
}

fn collect(machine: &Value, out: &mut Map<String, Value>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else { return };
    for (name, state) in states {
        let mut found = Vec::new();
        if let Value::Object(fields) = state {
            for (k, v) in fields {
                match k.as_str() {
                    "Branches" => v.as_array().into_iter().flatten().for_each(|b| collect(b, out)),
                    "ItemProcessor" | "Iterator" => collect(v, out),
                    "Type" | "Next" | "Comment" | "End" | "Default" => {}
                    _ => scan(k, v, &mut found),
                }
            }
        }
        if !found.is_empty() {
            out.insert(name.clone(), Value::Array(found.into_iter().map(Value::String).collect()));
        }
    }
}

fn scan(key: &str, v: &Value, found: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let text = s.trim();
            if let Some(expr) = text.strip_prefix("{%").and_then(|t| t.strip_suffix("%}")) {
                jsonata(expr, found);
            } else if key.ends_with(".$") || key == "Variable" || key.ends_with("Path") {
                dollar_names(text, found, |_| false);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| scan(key, i, found)),
        Value::Object(m) => m.iter().for_each(|(k, v)| scan(k, v, found)),
        _ => {}
    }
}

fn jsonata(expr: &str, found: &mut Vec<String>) {
    // Names the expression binds (`$x := ...`) are its own, not workflow variables.
    let mut bound = Vec::new();
    dollar_names(expr, &mut bound, |rest| !rest.trim_start().starts_with(":="));
    let own: Vec<String> = bound;
    let mut all = Vec::new();
    dollar_names(expr, &mut all, |rest| rest.trim_start().starts_with('('));
    for n in all {
        if !own.contains(&n) && n != "states" && !found.contains(&n) {
            found.push(n);
        }
    }
}

/// `$name` tokens of `text` (not `$.`, `$$`, `$[`), skipping those `skip` rejects by
/// what follows them; each name once.
fn dollar_names(text: &str, found: &mut Vec<String>, skip: impl Fn(&str) -> bool) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let preceded = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'$');
        if bytes[i] == b'$' && !preceded {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            let first_ok = start < bytes.len() && (bytes[start].is_ascii_alphabetic() || bytes[start] == b'_');
            if first_ok && !skip(&text[end..]) {
                let name = &text[start..end];
                if name != "states" && !found.iter().any(|f| f == name) {
                    found.push(name.to_string());
                }
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variables_are_found_per_state_in_both_query_languages() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "QueryLanguage": "JSONata",
                  "Output": "{% $total + $sum($states.input.items) + ($tax := 2; $tax) %}",
                  "Assign": {"seen": "{% $count %}"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"a.$": "$order.id", "b.$": "States.Format('{}', $who)", "c.$": "$.x", "d.$": "$$.Execution.Id"}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$limit", "NumericGreaterThan": 1, "Next": "D"}], "Default": "D"},
            "D": {"Type": "Parallel", "Branches": [{"StartAt": "E", "States": {"E": {"Type": "Pass", "Result": {"x": "$notvar"}, "End": true}}},
                                                    {"StartAt": "F", "States": {"F": {"Type": "Pass", "InputPath": "$inner", "End": true}}}], "End": true}
        }});
        assert_eq!(
            Value::Object(variable_references(&def)),
            json!({"A": ["total", "count"], "B": ["order", "who"], "C": ["limit"], "F": ["inner"]})
        );
    }
}
