//! The JSON viewer's lines: a value laid out one member per line, objects and arrays
//! foldable by their path (`$.order.items[2]`), so a large payload is read a level at a time.

use serde_json::Value;
use std::collections::HashSet;

/// One line of the viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonLine {
    pub depth: usize,
    /// The path of the value this line opens or shows; closing lines have none.
    pub path: Option<String>,
    pub text: String,
    pub folded: bool,
}

/// `v` laid out, with the containers whose path is in `folded` shown closed.
pub fn lines(v: &Value, folded: &HashSet<String>) -> Vec<JsonLine> {
    let mut out = Vec::new();
    walk(v, At { path: "$", key: None, depth: 0, comma: false }, folded, &mut out);
    out
}

/// Where a value sits: its path, its key in an object, its depth, and whether a comma
/// follows it.
struct At<'a> {
    path: &'a str,
    key: Option<&'a str>,
    depth: usize,
    comma: bool,
}

/// The paths of every container below the root: folding them all shows the top level.
pub fn containers(v: &Value) -> Vec<String> {
    fn go(v: &Value, path: &str, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match v {
            Value::Object(m) => m.iter().map(|(k, c)| (child(path, k), c)).collect(),
            Value::Array(a) => a.iter().enumerate().map(|(i, c)| (format!("{path}[{i}]"), c)).collect(),
            _ => return,
        };
        for (p, c) in children {
            if matches!(c, Value::Object(_) | Value::Array(_)) {
                out.push(p.clone());
                go(c, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    go(v, "$", &mut out);
    out
}

fn child(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_alphanumeric() || c == '_') && !key.is_empty() {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.into()))
    }
}

/// A container's members: key (objects only), path, value.
type Children<'a> = Vec<(Option<String>, String, &'a Value)>;

fn walk(v: &Value, at: At, folded: &HashSet<String>, out: &mut Vec<JsonLine>) {
    let label = at.key.map(|k| format!("{}: ", Value::String(k.into()))).unwrap_or_default();
    let comma = if at.comma { "," } else { "" };
    let line = |text: String, folded: bool, path: Option<&str>| JsonLine {
        depth: at.depth,
        path: path.map(str::to_string),
        text,
        folded,
    };
    let (open, close, n, children): (&str, &str, usize, Children) = match v {
        Value::Object(m) => {
            ("{", "}", m.len(), m.iter().map(|(k, c)| (Some(k.clone()), child(at.path, k), c)).collect())
        }
        Value::Array(a) => {
            ("[", "]", a.len(), a.iter().enumerate().map(|(i, c)| (None, format!("{}[{i}]", at.path), c)).collect())
        }
        scalar => {
            out.push(line(format!("{label}{scalar}{comma}"), false, Some(at.path)));
            return;
        }
    };
    if n == 0 {
        out.push(line(format!("{label}{open}{close}{comma}"), false, Some(at.path)));
        return;
    }
    if folded.contains(at.path) {
        let what = match (open, n) {
            ("{", 1) => "key",
            ("{", _) => "keys",
            (_, 1) => "item",
            _ => "items",
        };
        out.push(line(format!("{label}{open}… {n} {what}{close}{comma}"), true, Some(at.path)));
        return;
    }
    out.push(line(format!("{label}{open}"), false, Some(at.path)));
    for (i, (k, p, c)) in children.iter().enumerate() {
        let inner = At { path: p, key: k.as_deref(), depth: at.depth + 1, comma: i + 1 < n };
        walk(c, inner, folded, out);
    }
    out.push(line(format!("{close}{comma}"), false, None));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_fold_to_one_line_with_their_size() {
        let v = json!({"order": {"id": 7, "items": [1, 2, 3]}, "odd key": true});
        let open = lines(&v, &HashSet::new());
        let texts: Vec<&str> = open.iter().map(|l| l.text.as_str()).collect();
        // Members in the order the document gives them.
        assert_eq!(
            texts,
            ["{", "\"order\": {", "\"id\": 7,", "\"items\": [", "1,", "2,", "3", "]", "},", "\"odd key\": true", "}"]
        );
        assert_eq!(open[3].path.as_deref(), Some("$.order.items"));
        assert_eq!(open[9].path.as_deref(), Some("$[\"odd key\"]"));
        let folded: HashSet<String> = ["$.order.items".to_string()].into();
        let texts: Vec<String> = lines(&v, &folded).into_iter().map(|l| l.text).collect();
        assert!(texts.contains(&"\"items\": [… 3 items]".to_string()), "{texts:?}");
        assert_eq!(containers(&v), ["$.order", "$.order.items"]);
        let all: HashSet<String> = containers(&v).into_iter().collect();
        assert_eq!(lines(&v, &all).len(), 4);
    }
}
