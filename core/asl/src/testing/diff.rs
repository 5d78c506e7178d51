//! Where two JSON values differ, one line per difference, by path: what a failed
//! expectation prints instead of two large documents to compare by eye.

use serde_json::Value;

/// The differences of `actual` from `expected`, at most `limit` of them.
pub fn diff(expected: &Value, actual: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    walk("$", expected, actual, &mut out, limit);
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

fn walk(path: &str, e: &Value, a: &Value, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || e == a {
        return;
    }
    match (e, a) {
        (Value::Object(em), Value::Object(am)) => {
            for (k, ev) in em {
                let p = format!("{path}.{k}");
                match am.get(k) {
                    Some(av) => walk(&p, ev, av, out, limit),
                    None if out.len() < limit => out.push(format!("{p}: expected {}, missing", short(ev))),
                    None => {}
                }
            }
            for (k, av) in am {
                if !em.contains_key(k) && out.len() < limit {
                    out.push(format!("{path}.{k}: not expected, got {}", short(av)));
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if ea.len() != aa.len() && out.len() < limit {
                out.push(format!("{path}: expected {} items, got {}", ea.len(), aa.len()));
            }
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                walk(&format!("{path}[{i}]"), ev, av, out, limit);
            }
        }
        _ => out.push(format!("{path}: expected {}, got {}", short(e), short(a))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_named_by_path() {
        let e = json!({"id": 1, "items": [1, 2], "ship": {"to": "A"}, "gone": true});
        let a = json!({"id": 2, "items": [1, 3, 4], "ship": {"to": "A"}, "extra": null});
        assert_eq!(
            diff(&e, &a, 10),
            [
                "$.id: expected 1, got 2",
                "$.items: expected 2 items, got 3",
                "$.items[1]: expected 2, got 3",
                "$.gone: expected true, missing",
                "$.extra: not expected, got null"
            ]
        );
        assert_eq!(diff(&e, &e, 10), Vec::<String>::new());
        assert_eq!(diff(&e, &a, 2).len(), 2);
    }
}
