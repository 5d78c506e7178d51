//! Reference paths (`ResultPath`): where a value is written into the input.

use super::ast::{JsonPath, PathError, Root, Segment};
use serde_json::{Map, Value};

impl JsonPath {
    /// True when the path may be used as a `ResultPath`: `$` followed by names and indexes.
    pub fn is_reference(&self) -> bool {
        self.root == Root::Input && self.is_definite()
    }

    /// Writes `value` at this path inside `target`, creating missing objects on the way,
    /// as `ResultPath` does.
    pub fn set(&self, target: &mut Value, value: Value) -> Result<(), PathError> {
        let mut cur = target;
        let n = self.segments.len();
        for (i, seg) in self.segments.iter().enumerate() {
            let last = i + 1 == n;
            match seg {
                Segment::Child(name) => {
                    if !cur.is_object() {
                        return Err(PathError::Invalid {
                            path: self.source.clone(),
                            reason: format!(
                                "Unable to apply ResultPath: '{}' is not an object",
                                path_prefix(&self.segments[..i])
                            ),
                        });
                    }
                    let obj = cur.as_object_mut().expect("checked above");
                    if last {
                        obj.insert(name.clone(), value);
                        return Ok(());
                    }
                    cur = obj.entry(name.clone()).or_insert_with(|| Value::Object(Map::new()));
                }
                Segment::Index(ix) => {
                    let len = cur.as_array().map(Vec::len).unwrap_or(0);
                    let k = if *ix < 0 { len as i64 + ix } else { *ix };
                    let Some(slot) =
                        cur.as_array_mut().filter(|_| k >= 0 && (k as usize) < len).map(|a| &mut a[k as usize])
                    else {
                        return Err(PathError::Invalid {
                            path: self.source.clone(),
                            reason: format!(
                                "Unable to apply ResultPath: no element {ix} at '{}'",
                                path_prefix(&self.segments[..i])
                            ),
                        });
                    };
                    if last {
                        *slot = value;
                        return Ok(());
                    }
                    cur = slot;
                }
                _ => {
                    return Err(PathError::Invalid {
                        path: self.source.clone(),
                        reason: "a ResultPath must be a reference path".into(),
                    })
                }
            }
        }
        *cur = value;
        Ok(())
    }
}

fn path_prefix(segs: &[Segment]) -> String {
    let mut s = String::from("$");
    for seg in segs {
        match seg {
            Segment::Child(n) => {
                s.push('.');
                s.push_str(n);
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use serde_json::json;

    #[test]
    fn set_creates_missing_objects() {
        let mut v = json!({"a": 1});
        parse("$.b.c").unwrap().set(&mut v, json!(2)).unwrap();
        assert_eq!(v, json!({"a": 1, "b": {"c": 2}}));
        parse("$").unwrap().set(&mut v, json!("x")).unwrap();
        assert_eq!(v, json!("x"));
    }

    #[test]
    fn set_into_a_scalar_is_an_error() {
        let mut v = json!("s");
        assert!(parse("$.b").unwrap().set(&mut v, json!(2)).is_err());
    }
}
