//! Differential suite: every entry of `fixtures/jsonata/differential.json` was evaluated by the
//! reference implementation (npm `jsonata@2`) and must evaluate to the same value, undefined,
//! or error code here.
//!
//! Regenerating the fixture (the generator lives outside the repository):
//! ```text
//! mkdir -p /tmp/jsonata-ref && cd /tmp/jsonata-ref && npm init -y && npm install jsonata@2
//! TZ=UTC node /tmp/jsonata-gen/gen.js <repo>/fixtures/jsonata/differential.json
//! ```
//! `gen.js` holds a few fixed input documents (`order`: the JSONata "Firefly" order example,
//! `simple`: scalars/arrays/nested objects, `arr`: a top-level array, `people`: records to
//! group and sort, `nothing`: null) and a list of expressions grouped by area (literals and
//! operators, paths/predicates/flattening, tuple bindings `#$i`/`@$p`, blocks and lambdas,
//! string, numeric, aggregate, boolean, array, object, higher-order, date/time, regex, error
//! cases, and AWS-style `$states` bindings). For each it runs
//! `await jsonata(expr).evaluate(input, bindings)` and writes
//! `{"expr", "input", "bindings"?, "result" | "undefined": true | "error": <code>}`.

use crate::env::Env;
use crate::expr::parse;
use crate::random::SplitMix64;
use serde_json::{Map, Value};

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || ((x - y).abs() <= 1e-12 * x.abs().max(y.abs()))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn run(entry: &Value) -> Result<(), String> {
    let expr = entry["expr"].as_str().ok_or("no expr")?;
    let input = &entry["input"];
    let bindings: Map<String, Value> = entry.get("bindings").and_then(|b| b.as_object().cloned()).unwrap_or_default();
    let mut rng = SplitMix64(7);
    let mut env = Env { rng: &mut rng, now_millis: 1_700_000_000_000 };
    let got = parse(expr).and_then(|e| e.eval(input, &bindings, &mut env));
    if let Some(code) = entry.get("error").and_then(|c| c.as_str()) {
        return match got {
            Err(e) if e.code() == code => Ok(()),
            other => Err(format!("expected error {code}, got {other:?}")),
        };
    }
    if entry.get("undefined").is_some() {
        return match got {
            Ok(None) => Ok(()),
            other => Err(format!("expected undefined, got {other:?}")),
        };
    }
    let want = &entry["result"];
    match got {
        Ok(Some(v)) if json_eq(&v, want) => Ok(()),
        other => Err(format!("expected {want}, got {other:?}")),
    }
}

#[test]
fn differential_against_reference() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jsonata/differential.json");
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("fixture is JSON");
    assert!(cases.len() >= 220, "fixture too small: {}", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        if let Err(msg) = run(c) {
            failures.push(format!("{}  ->  {msg}", c["expr"]));
        }
    }
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    eprintln!("{} / {} differential cases pass", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} differential failures", failures.len());
}
