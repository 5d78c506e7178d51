//! URL encoding of JSON objects, for query strings and `URL_ENCODED` bodies: nested
//! objects as `key[sub]`, arrays in the `ArrayFormat` the state asks for.

use serde_json::Value;

/// How arrays are written (`Transform.RequestEncodingOptions.ArrayFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArrayFormat {
    /// `a[0]=x&a[1]=y` (AWS's default).
    #[default]
    Indices,
    /// `a=x&a=y`.
    Repeat,
    /// `a=x,y`.
    Commas,
    /// `a[]=x&a[]=y`.
    Brackets,
}

impl ArrayFormat {
    pub fn parse(s: &str) -> Option<ArrayFormat> {
        Some(match s {
            "INDICES" => ArrayFormat::Indices,
            "REPEAT" => ArrayFormat::Repeat,
            "COMMAS" => ArrayFormat::Commas,
            "BRACKETS" => ArrayFormat::Brackets,
            _ => return None,
        })
    }
}

/// The `key=value` pairs of `object`, not yet escaped.
pub fn pairs(object: &serde_json::Map<String, Value>, format: ArrayFormat) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in object {
        flatten(k.clone(), v, format, &mut out);
    }
    out
}

fn flatten(key: String, value: &Value, format: ArrayFormat, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(format!("{key}[{k}]"), v, format, out);
            }
        }
        Value::Array(items) => match format {
            ArrayFormat::Indices => {
                for (i, v) in items.iter().enumerate() {
                    flatten(format!("{key}[{i}]"), v, format, out);
                }
            }
            ArrayFormat::Repeat => {
                for v in items {
                    flatten(key.clone(), v, format, out);
                }
            }
            ArrayFormat::Brackets => {
                for v in items {
                    flatten(format!("{key}[]"), v, format, out);
                }
            }
            ArrayFormat::Commas => {
                let joined: Vec<String> = items.iter().map(scalar).collect();
                out.push((key, joined.join(",")));
            }
        },
        v => out.push((key, scalar(v))),
    }
}

/// A value as text: a string as it is, `null` as nothing, anything else as JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `pairs` joined and escaped as `application/x-www-form-urlencoded`.
pub fn encode(pairs: &[(String, String)]) -> String {
    let mut s = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        escape_into(k, &mut s);
        s.push('=');
        escape_into(v, &mut s);
    }
    s
}

/// Percent-escapes all but RFC 3986's unreserved characters.
pub fn escape_into(text: &str, out: &mut String) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(v: Value, f: ArrayFormat) -> String {
        let p = pairs(v.as_object().unwrap(), f);
        p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }

    #[test]
    fn arrays_are_written_in_each_format() {
        let v = json!({"array": ["a", "b"], "n": 1});
        assert_eq!(form(v.clone(), ArrayFormat::Indices), "array[0]=a&array[1]=b&n=1");
        assert_eq!(form(v.clone(), ArrayFormat::Repeat), "array=a&array=b&n=1");
        assert_eq!(form(v.clone(), ArrayFormat::Commas), "array=a,b&n=1");
        assert_eq!(form(v, ArrayFormat::Brackets), "array[]=a&array[]=b&n=1");
    }

    #[test]
    fn objects_nest_in_brackets_and_everything_is_escaped() {
        let v = json!({"user": {"name": "Jo Ann", "tags": ["x&y"]}, "empty": null});
        let p = pairs(v.as_object().unwrap(), ArrayFormat::Indices);
        assert_eq!(encode(&p), "user%5Bname%5D=Jo%20Ann&user%5Btags%5D%5B0%5D=x%26y&empty=");
    }
}
