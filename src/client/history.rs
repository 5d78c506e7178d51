//! Tables for the terminal: columns as wide as their widest cell, and an execution's
//! history with each event's state, error and cause.

use serde_json::Value;
use std::collections::HashMap;

/// Prints a header and rows in aligned columns; the last column is not padded.
pub fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == N {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// The event's details object (`taskFailedEventDetails`, ...), if it has one.
fn details(e: &Value) -> Option<&Value> {
    e.as_object()?.iter().find(|(k, v)| k.ends_with("EventDetails") && v.is_object()).map(|(_, v)| v)
}

/// The state each event belongs to: named by its details (`stateEnteredEventDetails`,
/// Map iterations, evaluation failures), else the state of the event it follows
/// (`previousEventId`), which keeps Parallel branches and Map iterations apart.
fn states(events: &[Value]) -> Vec<String> {
    let mut by_id: HashMap<u64, String> = HashMap::new();
    // Resolved in id order whatever the display order, so a reversed page works too.
    let mut order: Vec<&Value> = events.iter().collect();
    order.sort_by_key(|e| e["id"].as_u64().unwrap_or(0));
    for e in order {
        let d = details(e);
        let own = d.and_then(|d| d.get("name").or_else(|| d.get("state"))).and_then(Value::as_str);
        let exec_level = e["type"].as_str().is_some_and(|t| t.starts_with("Execution"));
        let state = match own {
            Some(s) if !exec_level => s.to_string(),
            _ if exec_level => String::new(),
            _ => e["previousEventId"].as_u64().and_then(|p| by_id.get(&p).cloned()).unwrap_or_default(),
        };
        if let Some(id) = e["id"].as_u64() {
            by_id.insert(id, state);
        }
    }
    events.iter().map(|e| e["id"].as_u64().and_then(|id| by_id.get(&id).cloned()).unwrap_or_default()).collect()
}

/// Prints the events: id, type, state, time, error, cause.
pub fn print(events: &[Value]) {
    let states = states(events);
    let rows: Vec<[String; 6]> = events
        .iter()
        .zip(states)
        .map(|(e, state)| {
            let d = details(e);
            let text = |k: &str| d.and_then(|d| d.get(k)).and_then(Value::as_str).unwrap_or("").to_string();
            // A Map iteration's events say which item: `EachLine[3]`.
            let state = match d.and_then(|d| d.get("index")).and_then(Value::as_u64) {
                Some(i) => format!("{state}[{i}]"),
                None => state,
            };
            [
                e["id"].to_string(),
                e["type"].as_str().unwrap_or("").to_string(),
                state,
                secs(&e["timestamp"]),
                text("error"),
                // One line per event: a multi-line cause (a stack trace) is kept on it.
                text("cause").replace('\n', " "),
            ]
        })
        .collect();
    print_table(&["ID", "TYPE", "STATE", "TIME", "ERROR", "CAUSE"], &rows);
}

/// An API timestamp (epoch seconds) as AWS writes times, `-` when there is none.
pub fn secs(v: &Value) -> String {
    v.as_f64().map(|s| stepline_core::time::format_timestamp((s * 1000.0) as i64)).unwrap_or_else(|| "-".into())
}
