//! Property tests: the parser and evaluator never panic, and definite paths find what
//! they point at.

use super::{parse, Scope};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-c]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]{1,2}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn path_text() -> impl Strategy<Value = String> {
    let seg = prop_oneof![
        "[a-c]{1,2}".prop_map(|n| format!(".{n}")),
        (-3i64..4).prop_map(|i| format!("[{i}]")),
        Just("[*]".to_string()),
        Just(".*".to_string()),
        Just("..a".to_string()),
        ((-3i64..4), (-3i64..4)).prop_map(|(a, b)| format!("[{a}:{b}]")),
        Just("[?(@.a > 1)]".to_string()),
        Just("[?(@.b == 'a' || !@.c)]".to_string()),
        Just("['a','b']".to_string()),
    ];
    prop::collection::vec(seg, 0..5).prop_map(|s| format!("${}", s.concat()))
}

proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        let _ = parse(&s);
    }

    #[test]
    fn parse_never_panics_on_path_like_text(s in "[$@.\\[\\]()?*:,'\"a-c0-9 !=<>&|-]{0,40}") {
        let _ = parse(&s);
    }

    #[test]
    fn select_never_panics(p in path_text(), v in json()) {
        let path = parse(&p).expect("generated paths are valid");
        let vars = Map::new();
        let scope = Scope { input: &v, context: &Value::Null, vars: &vars };
        let r = path.select(&scope);
        if !path.is_definite() {
            prop_assert!(r.map(|x| x.is_array()).unwrap_or(false), "indefinite paths yield arrays");
        }
    }

    #[test]
    fn set_then_select_round_trips(keys in prop::collection::vec("[a-c]{1,2}", 1..4), v in json()) {
        let text = format!("$.{}", keys.join("."));
        let path = parse(&text).unwrap();
        let mut target = Value::Object(Map::new());
        path.set(&mut target, v.clone()).unwrap();
        let vars = Map::new();
        let got = path.select(&Scope { input: &target, context: &Value::Null, vars: &vars }).unwrap();
        prop_assert_eq!(got, v);
    }
}

/// Inputs the fuzzers once crashed on.
#[test]
fn fuzz_regressions() {
    for text in ["$[\"[\",", "$tatQ['(Sate      S([..tateSt',')   h0Add($St ($St',\u{8b0b}oStaSs \u{8b0b}oaS .M"] {
        let _ = parse(text);
    }
}
