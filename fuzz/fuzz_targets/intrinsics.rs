//! Intrinsic functions: any call text parses or fails cleanly, and evaluates without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map};
use stepline_asl::entropy::SplitMix64;
use stepline_asl::intrinsics::parse;
use stepline_asl::path::Scope;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(f) = parse(text) {
        let input = json!({"a": [1, 2, 3], "s": "a,b,c", "n": 42, "o": {"k": "v"}, "b64": "aGVsbG8="});
        let vars = Map::new();
        let mut rng = SplitMix64(1);
        let _ = f.eval(&Scope { input: &input, context: &input, vars: &vars }, &mut rng);
    }
});
