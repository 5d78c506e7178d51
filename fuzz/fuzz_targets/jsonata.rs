//! JSONata: any text parses or fails cleanly, and evaluates (bounded) without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map};
use stepline_asl::entropy::SplitMix64;
use stepline_jsonata::{parse, Env};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(e) = parse(text) {
        let input = json!({"a": [1, 2, {"b": "x"}], "s": "text", "n": 3.5});
        let vars = Map::new();
        let mut rng = SplitMix64(7);
        let mut env = Env { rng: &mut rng, now_millis: 1_700_000_000_000 };
        let _ = e.eval(&input, &vars, &mut env);
    }
});
