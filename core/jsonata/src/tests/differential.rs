//! Differential suite: every case of `fixtures/jsonata/reference/*.json` was evaluated by
//! the reference implementation (npm `jsonata` at the version AWS runs, pinned in
//! `scripts/jsonata-reference/package.json`) and must evaluate to the same value,
//! undefined, or error (code and message) here.
//!
//! A file holds named input documents and the cases; `scripts/jsonata-reference/generate.js`
//! writes the reference's answer into each case (add a case with only `expr`, `input` and
//! `bindings`, then run it: `cd scripts/jsonata-reference && npm ci && TZ=UTC node
//! generate.js`). The test script runs it with `--check` when node is installed.

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

fn run(entry: &Value, inputs: &Map<String, Value>) -> Result<(), String> {
    let expr = entry["expr"].as_str().ok_or("no expr")?;
    let input = match entry.get("input").and_then(Value::as_str) {
        Some(name) => inputs.get(name).ok_or_else(|| format!("no input named {name}"))?,
        None => &Value::Null,
    };
    let bindings: Map<String, Value> = entry.get("bindings").and_then(|b| b.as_object().cloned()).unwrap_or_default();
    let mut rng = SplitMix64(7);
    let mut env = Env { rng: &mut rng, now_millis: 1_700_000_000_000 };
    let got = parse(expr).and_then(|e| e.eval(input, &bindings, &mut env));
    if let Some(code) = entry.get("error").and_then(|c| c.as_str()) {
        let message = entry.get("message").and_then(|m| m.as_str()).unwrap_or_default();
        return match got {
            Err(e) if e.code() == code && e.message() == message => Ok(()),
            Err(e) if e.code() == code => Err(format!("expected the message {message:?}, got {:?}", e.message())),
            other => Err(format!("expected error {code} ({message}), got {other:?}")),
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

fn reference_files() -> Vec<(String, Value)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/jsonata/reference");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures/jsonata/reference readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("fixture readable");
            let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), doc)
        })
        .collect()
}

#[test]
fn differential_against_reference() {
    let mut failures = Vec::new();
    let mut total = 0;
    for (file, doc) in reference_files() {
        let inputs = doc["inputs"].as_object().cloned().unwrap_or_default();
        let cases = doc["cases"].as_array().cloned().unwrap_or_default();
        total += cases.len();
        for c in &cases {
            if let Err(msg) = run(c, &inputs) {
                failures.push(format!("{file}: {}  ->  {msg}", c["expr"]));
            }
        }
    }
    assert!(total >= 900, "the reference suite is too small: {total} cases");
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    eprintln!("{} / {total} differential cases pass", total - failures.len());
    assert!(failures.is_empty(), "{} differential failures", failures.len());
}
