//! JSONPath: any text parses or fails cleanly, and a parsed path evaluates without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map};
use stepline_asl::path::{parse, Scope};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = parse(text) {
        let input = json!({"a": [1, {"b": "x", "c": [true, null]}], "d": {"e": 2.5}});
        let vars = Map::new();
        let _ = p.select(&Scope { input: &input, context: &input, vars: &vars });
        let mut target = input.clone();
        let _ = p.set(&mut target, json!(1));
    }
});
