//! Evaluation of a parsed [`JsonPath`] against the state input, the context object and the
//! variables in scope.

use super::ast::{CmpOp, Filter, JsonPath, Operand, PathError, Root, Segment};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// What `$`, `$$` and `$name` refer to during one evaluation.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub input: &'a Value,
    pub context: &'a Value,
    pub vars: &'a Map<String, Value>,
}

fn normalized(segs: &[Segment]) -> String {
    let mut s = String::from("$");
    for seg in segs {
        match seg {
            Segment::Child(n) => {
                s.push_str("['");
                s.push_str(n);
                s.push_str("']");
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
            _ => {}
        }
    }
    s
}

impl JsonPath {
    fn root_value<'v>(&self, scope: &Scope<'v>) -> Result<&'v Value, PathError> {
        match &self.root {
            Root::Input => Ok(scope.input),
            Root::Context => Ok(scope.context),
            Root::Variable(name) => scope
                .vars
                .get(name)
                .ok_or_else(|| PathError::UndefinedVariable { path: self.source.clone(), name: name.clone() }),
        }
    }

    /// Selects the value(s) the path names: one value for a definite path (an error if
    /// nothing is there), an array of every match for an indefinite one.
    pub fn select(&self, scope: &Scope<'_>) -> Result<Value, PathError> {
        self.select_ref(scope).map(Cow::into_owned)
    }

    /// Like [`JsonPath::select`], borrowing where the result is a single stored value.
    pub fn select_ref<'v>(&self, scope: &Scope<'v>) -> Result<Cow<'v, Value>, PathError> {
        let root = self.root_value(scope)?;
        if self.is_definite() {
            let mut cur = root;
            for (i, seg) in self.segments.iter().enumerate() {
                let next = match seg {
                    Segment::Child(n) => cur.as_object().and_then(|o| o.get(n)),
                    Segment::Index(ix) => cur.as_array().and_then(|a| index(a.len(), *ix).map(|k| &a[k])),
                    _ => unreachable!("definite paths hold only children and indexes"),
                };
                match next {
                    Some(v) => cur = v,
                    None if i + 1 == self.segments.len() => {
                        return Err(PathError::NoResults {
                            path: self.source.clone(),
                            normalized: normalized(&self.segments),
                        })
                    }
                    None => {
                        return Err(PathError::MissingProperty {
                            path: self.source.clone(),
                            normalized: normalized(&self.segments[..=i]),
                        })
                    }
                }
            }
            return Ok(Cow::Borrowed(cur));
        }
        let mut out = Vec::new();
        collect(root, &self.segments, scope, &mut out);
        Ok(Cow::Owned(Value::Array(out.into_iter().cloned().collect())))
    }

    /// True when a definite path names an existing value, or an indefinite one matches
    /// anything. Used by `IsPresent` and filters.
    pub fn exists(&self, scope: &Scope<'_>) -> bool {
        match self.select_ref(scope) {
            Ok(v) => self.is_definite() || v.as_array().is_some_and(|a| !a.is_empty()),
            Err(_) => false,
        }
    }
}

fn index(len: usize, ix: i64) -> Option<usize> {
    let k = if ix < 0 { len as i64 + ix } else { ix };
    (k >= 0 && (k as usize) < len).then_some(k as usize)
}

fn collect<'v>(cur: &'v Value, segs: &[Segment], scope: &Scope<'_>, out: &mut Vec<&'v Value>) {
    let Some((seg, rest)) = segs.split_first() else {
        out.push(cur);
        return;
    };
    match seg {
        Segment::Child(n) => {
            if let Some(v) = cur.as_object().and_then(|o| o.get(n)) {
                collect(v, rest, scope, out);
            }
        }
        Segment::Index(ix) => {
            if let Some(a) = cur.as_array() {
                if let Some(k) = index(a.len(), *ix) {
                    collect(&a[k], rest, scope, out);
                }
            }
        }
        Segment::Names(names) => {
            if let Some(o) = cur.as_object() {
                for n in names {
                    if let Some(v) = o.get(n) {
                        collect(v, rest, scope, out);
                    }
                }
            }
        }
        Segment::Indexes(ixs) => {
            if let Some(a) = cur.as_array() {
                for ix in ixs {
                    if let Some(k) = index(a.len(), *ix) {
                        collect(&a[k], rest, scope, out);
                    }
                }
            }
        }
        Segment::Wildcard => match cur {
            Value::Array(a) => a.iter().for_each(|v| collect(v, rest, scope, out)),
            Value::Object(o) => o.values().for_each(|v| collect(v, rest, scope, out)),
            _ => {}
        },
        Segment::Slice(start, end, step) => {
            if let Some(a) = cur.as_array() {
                let len = a.len() as i64;
                let step = step.unwrap_or(1).max(1);
                let clamp = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let s = start.map_or(0, clamp);
                let e = end.map_or(len, clamp);
                let mut k = s;
                while k < e {
                    collect(&a[k as usize], rest, scope, out);
                    k = k.saturating_add(step);
                }
            }
        }
        Segment::Descendant(name) => {
            descend(cur, name.as_deref(), rest, scope, out);
        }
        Segment::Filter(f) => {
            let items: Vec<&Value> = match cur {
                Value::Array(a) => a.iter().collect(),
                Value::Object(o) => o.values().collect(),
                _ => Vec::new(),
            };
            for item in items {
                let s = Scope { input: item, ..*scope };
                if filter(f, &s) {
                    collect(item, rest, scope, out);
                }
            }
        }
    }
}

fn descend<'v>(cur: &'v Value, name: Option<&str>, rest: &[Segment], scope: &Scope<'_>, out: &mut Vec<&'v Value>) {
    match name {
        Some(n) => {
            if let Some(v) = cur.as_object().and_then(|o| o.get(n)) {
                collect(v, rest, scope, out);
            }
        }
        None => {
            if !rest.is_empty() {
                collect(cur, rest, scope, out);
            }
        }
    }
    match cur {
        Value::Array(a) => a.iter().for_each(|v| {
            if name.is_none() && rest.is_empty() {
                out.push(v);
            }
            descend(v, name, rest, scope, out)
        }),
        Value::Object(o) => o.values().for_each(|v| {
            if name.is_none() && rest.is_empty() {
                out.push(v);
            }
            descend(v, name, rest, scope, out)
        }),
        _ => {}
    }
}

fn operand<'v>(op: &'v Operand, scope: &Scope<'v>) -> Option<Cow<'v, Value>> {
    match op {
        Operand::Literal(v) => Some(Cow::Borrowed(v)),
        Operand::Path(p) => p.select_ref(scope).ok(),
    }
}

fn filter(f: &Filter, scope: &Scope<'_>) -> bool {
    match f {
        Filter::Exists(p) => p.exists(scope),
        Filter::And(a, b) => filter(a, scope) && filter(b, scope),
        Filter::Or(a, b) => filter(a, scope) || filter(b, scope),
        Filter::Not(a) => !filter(a, scope),
        Filter::Compare(l, op, r) => {
            let (Some(l), Some(r)) = (operand(l, scope), operand(r, scope)) else {
                return false;
            };
            compare(&l, *op, &r)
        }
    }
}

fn compare(l: &Value, op: CmpOp, r: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => {
            return match op {
                CmpOp::Eq => l == r,
                CmpOp::Ne => l != r,
                _ => false,
            }
        }
    };
    match (op, ord) {
        (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
        (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        (CmpOp::Ne, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use serde_json::json;

    fn sel(path: &str, input: &Value) -> Result<Value, PathError> {
        let vars = Map::new();
        parse(path).unwrap().select(&Scope { input, context: &Value::Null, vars: &vars })
    }

    #[test]
    fn definite_paths() {
        let v = json!({"a": {"b": [1, 2, 3]}, "c d": true});
        assert_eq!(sel("$.a.b[1]", &v).unwrap(), json!(2));
        assert_eq!(sel("$.a.b[-1]", &v).unwrap(), json!(3));
        assert_eq!(sel("$['c d']", &v).unwrap(), json!(true));
        assert_eq!(sel("$", &v).unwrap(), v);
    }

    #[test]
    fn missing_values_name_the_path_as_aws_does() {
        let v = json!({});
        assert_eq!(
            sel("$.NoSuchInputPath", &v).unwrap_err().to_string(),
            "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
        );
        assert_eq!(
            sel("$.no.such.result.path", &v).unwrap_err().to_string(),
            "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
        );
    }

    #[test]
    fn indefinite_paths_yield_arrays() {
        let v = json!({"items": [{"x": 1}, {"x": 2}, {"x": 3}], "o": {"p": {"x": 9}}});
        assert_eq!(sel("$.items[*].x", &v).unwrap(), json!([1, 2, 3]));
        assert_eq!(sel("$.items[1:].x", &v).unwrap(), json!([2, 3]));
        assert_eq!(sel("$.items[:1]", &v).unwrap(), json!([{"x": 1}]));
        assert_eq!(sel("$.items[?(@.x >= 2)].x", &v).unwrap(), json!([2, 3]));
        assert_eq!(sel("$..x", &v).unwrap(), json!([1, 2, 3, 9]));
        assert_eq!(sel("$.items[5:]", &v).unwrap(), json!([]));
        assert_eq!(sel("$.items[0,2].x", &v).unwrap(), json!([1, 3]));
    }

    #[test]
    fn filters_compare_strings_and_existence() {
        let v = json!({"users": [{"s": "on", "n": "a"}, {"s": "off", "n": "b"}, {"n": "c"}]});
        assert_eq!(sel("$.users[?(@.s == 'on')].n", &v).unwrap(), json!(["a"]));
        assert_eq!(sel("$.users[?(@.s)].n", &v).unwrap(), json!(["a", "b"]));
        // A missing property never compares, not even with `!=` (Jayway's behaviour).
        assert_eq!(sel("$.users[?(@.s != 'on')].n", &v).unwrap(), json!(["b"]));
    }
}
