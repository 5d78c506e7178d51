//! No input may make the parser or a function panic: arbitrary text into [`parse`],
//! arbitrary JSON into every function.

use super::*;
use crate::entropy::SplitMix64;
use proptest::prelude::*;
use serde_json::Map;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        (-3i64..12).prop_map(Value::from),
        (-3.0f64..12.0).prop_map(Value::from),
        ".{0,16}".prop_map(Value::String),
        prop::sample::select(vec![
            "MD5",
            "SHA-1",
            "SHA-256",
            "SHA-384",
            "SHA-512",
            "{}",
            "{} {}",
            "\\{}",
            "",
            ",",
            " ",
            "[1,2]",
            "{\"a\":1}",
            "RGF0YQ==",
            "w6k",
            "null",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-dA-B]{0,3}|.{0,4}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Pieces that, strung together, come close to calls often enough to reach deep into the
/// parser.
fn arb_call_text() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "States.Format",
        "States.Array",
        "States.ArrayGetItem",
        "States.MathAdd",
        "States.JsonMerge",
        "States.Hash",
        "States.UUID",
        "States.",
        "(",
        ")",
        "(",
        ")",
        ",",
        ", ",
        "'",
        "'x'",
        "'{}'",
        "'\\{'",
        "\\",
        "\\'",
        "$",
        "$.",
        "$.a",
        "$$",
        "$$.Execution",
        "$v",
        "[",
        "]",
        "[0]",
        "['k']",
        "?(",
        "@",
        "@.x",
        "==",
        "!",
        "&&",
        "{}",
        "{",
        "}",
        " ",
        "\u{3000}",
        "é",
        "1",
        "-",
        "-1.5",
        "1e3",
        "0",
        "true",
        "false",
        "null",
        "..",
        "*",
        ":",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

fn scope_input() -> Value {
    serde_json::json!({"a": [1, 2, {"x": "y"}], "k": "v", "n": 3})
}

fn eval_text(src: &str, input: &Value, seed: u64) {
    if let Ok(call) = parse(src) {
        let vars: Map<String, Value> = [("v".to_string(), serde_json::json!({"x": 1}))].into_iter().collect();
        let context = serde_json::json!({"Execution": {"Id": "id"}});
        let _ = call.eval(&Scope { input, context: &context, vars: &vars }, &mut SplitMix64(seed));
        let _ = call.to_string();
    }
}

proptest! {
    #[test]
    fn parse_never_panics_on_any_text(src in any::<String>()) {
        let _ = parse(&src);
        let _ = is_intrinsic(&src);
    }

    #[test]
    fn parse_never_panics_on_call_like_text(src in arb_call_text(), seed in any::<u64>()) {
        eval_text(&src, &scope_input(), seed);
        eval_text(&format!("States.Array({src})"), &scope_input(), seed);
    }

    #[test]
    fn parse_never_panics_after_a_function_name(name in prop::sample::select(Function::ALL.to_vec()), rest in ".{0,40}") {
        eval_text(&format!("{}({rest}", name.name()), &scope_input(), 1);
    }

    #[test]
    fn functions_never_panic_on_any_json(
        function in prop::sample::select(Function::ALL.to_vec()),
        args in prop::collection::vec(arb_json(), 0..5),
        seed in any::<u64>(),
    ) {
        let (min, max) = function.arity();
        let n = args.len().clamp(min, max.unwrap_or(usize::MAX));
        let input: Map<String, Value> = args.iter().cloned().enumerate().map(|(i, v)| (format!("a{i}"), v)).collect();
        let mut input = Value::Object(input);
        for i in 0..n {
            if let Some(o) = input.as_object_mut() {
                o.entry(format!("a{i}")).or_insert(Value::from(1));
            }
        }
        let list: Vec<String> = (0..n).map(|i| format!("$.a{i}")).collect();
        let src = format!("{}({})", function.name(), list.join(", "));
        let call = parse(&src).map_err(|e| TestCaseError::fail(format!("{src}: {e}")))?;
        let vars = Map::new();
        let scope = Scope { input: &input, context: &Value::Null, vars: &vars };
        match call.eval(&scope, &mut SplitMix64(seed)) {
            Ok(v) if function == Function::JsonToString => {
                // Whatever was serialised reads back as the same value.
                let text = v.as_str().unwrap_or_default();
                let back: Value = serde_json::from_str(text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                prop_assert_eq!(&back, &input["a0"]);
            }
            Ok(_) => {}
            Err(e) => {
                let _ = (e.to_string(), e.error_name());
            }
        }
    }

    #[test]
    fn functions_never_panic_with_literal_arguments(
        function in prop::sample::select(Function::ALL.to_vec()),
        args in prop::collection::vec(prop::sample::select(vec!["'x'", "'{}'", "'a,b'", "1", "0", "-2.5", "1e300", "true", "false", "null", "$.a", "$.k", "$.n", "$", "States.UUID()", "'SHA-1'"]), 0..4),
    ) {
        eval_text(&format!("{}({})", function.name(), args.join(", ")), &scope_input(), 3);
    }

    #[test]
    fn java_doubles_read_back_exactly(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let text = java::double(f);
        let back: f64 = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(back.to_bits(), f.to_bits(), "{}", text);
    }
}
