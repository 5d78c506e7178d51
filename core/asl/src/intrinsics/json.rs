//! `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use super::call::{runtime, Function, IntrinsicError};
use super::java;
use serde_json::{Map, Value};

/// Parses JSON text. Empty or blank text gives `null`, as recorded on AWS.
pub(super) fn string_to_json(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let Some(Value::String(s)) = args.into_iter().next() else {
        return Err(runtime(Function::StringToJson, "argument 1 must be a string"));
    };
    if s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')).is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&s).map_err(|e| runtime(Function::StringToJson, format!("the string is not valid JSON: {e}")))
}

/// Serialises a value to compact JSON text, numbers and escapes as AWS writes them.
pub(super) fn json_to_string(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let mut out = String::new();
    if let Some(v) = args.first() {
        java::write_json(v, &mut out);
    }
    Ok(Value::String(out))
}

/// Shallow merge: the keys of the second object replace those of the first. Only `false`
/// (shallow) is supported for the third argument, as on AWS.
///
/// AWS builds the result as a Java `HashMap`, so the keys come out in hash-bucket order
/// rather than in insertion order (recorded: merging `{"a","b","d"}` with `{"a","c","d"}`
/// gives `a, b, c, d`, and `{"constant_in_literal"}` with `{"constant_input_field"}` puts
/// the second key first). The order is reproduced here so that `States.JsonToString` of a
/// merge gives the same text.
pub(super) fn json_merge(args: Vec<Value>) -> Result<Value, IntrinsicError> {
    let mut args = args.into_iter();
    let (Some(Value::Object(first)), Some(Value::Object(second)), deep) = (args.next(), args.next(), args.next())
    else {
        return Err(runtime(Function::JsonMerge, "arguments 1 and 2 must be objects"));
    };
    if deep != Some(Value::Bool(false)) {
        return Err(runtime(
            Function::JsonMerge,
            "only a shallow merge is supported: the third argument must be false",
        ));
    }
    let mut sim = JavaHashMap::default();
    sim.put_all(first.keys().map(|k| (k.as_str(), false)), first.len());
    sim.put_all(second.keys().map(|k| (k.as_str(), first.contains_key(k))), second.len());
    let capacity = sim.table;
    let mut merged = first;
    for (k, v) in second {
        merged.insert(k, v);
    }
    // Stable by insertion order within a bucket.
    let mut entries: Vec<(usize, (String, Value))> =
        merged.into_iter().map(|(k, v)| (spread(java_string_hash(&k)) as usize & (capacity - 1), (k, v))).collect();
    entries.sort_by_key(|(bucket, _)| *bucket);
    Ok(Value::Object(entries.into_iter().map(|(_, kv)| kv).collect::<Map<String, Value>>()))
}

/// `String.hashCode`: over UTF-16 code units, wrapping.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `HashMap.hash`: folds the high bits into the low ones.
fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

const MAX_CAPACITY: usize = 1 << 30;

/// `HashMap.tableSizeFor`: the power of two at or above `c`.
fn table_size_for(c: usize) -> usize {
    c.max(1).checked_next_power_of_two().unwrap_or(MAX_CAPACITY).min(MAX_CAPACITY)
}

/// Just enough of a JDK 8-17 `java.util.HashMap` to know its final table capacity:
/// sizing in `putMapEntries`, doubling when the size passes 3/4 of the table, and
/// `treeifyBin` doubling a table smaller than 64 when a bucket chain reaches 8.
#[derive(Default)]
struct JavaHashMap {
    table: usize,
    threshold: usize,
    size: usize,
    /// Spread hashes of the keys held.
    hashes: Vec<u32>,
    /// Chain length per bucket of the current table.
    chains: Vec<u32>,
}

impl JavaHashMap {
    /// `putAll` of a map with `len` entries; each key comes with whether it is already held.
    fn put_all<'k>(&mut self, keys: impl Iterator<Item = (&'k str, bool)>, len: usize) {
        if len == 0 {
            return;
        }
        if self.table == 0 {
            let t = (len as f32 / 0.75 + 1.0) as usize;
            if t > self.threshold {
                self.threshold = table_size_for(t);
            }
        } else if len > self.threshold {
            self.resize();
        }
        for (key, present) in keys {
            if !present {
                self.put_new(spread(java_string_hash(key)));
            }
        }
    }

    fn put_new(&mut self, hash: u32) {
        if self.table == 0 {
            self.resize();
        }
        let bucket = hash as usize & (self.table - 1);
        let chain = self.chains.get(bucket).copied().unwrap_or(0);
        self.hashes.push(hash);
        if let Some(c) = self.chains.get_mut(bucket) {
            *c += 1;
        }
        if chain >= 8 && self.table < 64 {
            self.resize();
        }
        self.size += 1;
        if self.size > self.threshold {
            self.resize();
        }
    }

    fn resize(&mut self) {
        self.table = if self.table > 0 {
            (self.table * 2).min(MAX_CAPACITY)
        } else if self.threshold > 0 {
            self.threshold
        } else {
            16
        };
        self.threshold = (self.table as f32 * 0.75) as usize;
        self.chains = vec![0; self.table];
        for h in &self.hashes {
            self.chains[*h as usize & (self.table - 1)] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn string_to_json() {
        assert_eq!(super::string_to_json(vec![json!("")]).unwrap(), Value::Null);
        assert_eq!(super::string_to_json(vec![json!(" \n")]).unwrap(), Value::Null);
        assert_eq!(
            super::string_to_json(vec![json!("{\"b\": 1, \"a\": [2.5]}")]).unwrap(),
            json!({"b": 1, "a": [2.5]})
        );
        assert_eq!(
            super::string_to_json(vec![json!("{")]).unwrap_err().to_string(),
            "Invalid arguments in States.StringToJson: the string is not valid JSON: EOF while parsing an object at line 1 column 1"
        );
        assert!(super::string_to_json(vec![json!("[".repeat(100_000))]).is_err());
    }

    #[test]
    fn merge_follows_java_hash_map_order() {
        let m = json_merge(vec![
            json!({"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}),
            json!({"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}),
            json!(false),
        ])
        .unwrap();
        assert_eq!(keys(&m), ["a", "b", "c", "d"]);
        assert_eq!(m, json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}));
        let m = json_merge(vec![
            json!({"constant_in_literal": "false"}),
            json!({"constant_input_field": "constant_value"}),
            json!(false),
        ])
        .unwrap();
        assert_eq!(keys(&m), ["constant_input_field", "constant_in_literal"]);
        // "Aa" and "BB" share a hash code: insertion order within the bucket.
        let m = json_merge(vec![json!({"BB": 1}), json!({"Aa": 2}), json!(false)]).unwrap();
        assert_eq!(keys(&m), ["BB", "Aa"]);
        assert_eq!(json_merge(vec![json!({}), json!({}), json!(false)]).unwrap(), json!({}));
    }

    #[test]
    fn hash_map_capacity_follows_the_jdk() {
        let cap = |n1: usize, n2: usize| {
            let first: Vec<String> = (0..n1).map(|i| format!("k{i}")).collect();
            let second: Vec<String> = (0..n2).map(|i| format!("n{i}")).collect();
            let mut sim = JavaHashMap::default();
            sim.put_all(first.iter().map(|k| (k.as_str(), false)), n1);
            sim.put_all(second.iter().map(|k| (k.as_str(), false)), n2);
            sim.table
        };
        assert_eq!(cap(3, 1), 8);
        assert_eq!(cap(1, 1), 4);
        assert_eq!(cap(0, 1), 2);
        assert_eq!(cap(12, 0), 32);
        assert_eq!(cap(6, 1), 16);
        assert_eq!(cap(1, 20), 32);
    }

    #[test]
    fn merge_refuses_deep_merges_and_non_objects() {
        assert!(json_merge(vec![json!({}), json!({}), json!(true)]).is_err());
        assert!(json_merge(vec![json!([]), json!({}), json!(false)]).is_err());
    }

    #[test]
    fn java_hashes() {
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("constant_in_literal") as u32, 3334431504);
        assert_eq!(java_string_hash("Aa"), java_string_hash("BB"));
        assert_eq!(java_string_hash("😀"), 0xD83D * 31 + 0xDE00);
    }
}
