//! Property tests: no input may make the parser or the evaluator panic.

use crate::env::Env;
use crate::expr::parse;
use crate::random::SplitMix64;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-c ]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("$".to_string()),
        Just("$$".to_string()),
        Just("$v".to_string()),
        Just("*".to_string()),
        Just("**".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        (-5i32..5).prop_map(|n| n.to_string()),
        Just("1.5".to_string()),
        Just("\"s\"".to_string()),
        Just("/a+/".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        let fns = prop::sample::select(vec![
            "$string",
            "$length",
            "$substring",
            "$sum",
            "$count",
            "$max",
            "$keys",
            "$map",
            "$filter",
            "$reduce",
            "$sort",
            "$append",
            "$reverse",
            "$distinct",
            "$join",
            "$split",
            "$replace",
            "$match",
            "$contains",
            "$number",
            "$round",
            "$boolean",
            "$not",
            "$exists",
            "$type",
            "$lookup",
            "$merge",
            "$spread",
            "$each",
            "$sift",
            "$zip",
            "$pad",
            "$formatNumber",
            "$formatBase",
            "$fromMillis",
            "$toMillis",
            "$partition",
            "$range",
            "$hash",
            "$parse",
            "$single",
            "$uppercase",
            "$trim",
            "$power",
            "$sqrt",
            "$abs",
            "$average",
            "$shuffle",
            "$random",
            "$uuid",
            "$eval",
        ]);
        let ops = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "&", "=", "!=", "<", "<=", ">", ">=", "and", "or", "in", ".", "~>",
        ]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(l, o, r)| format!("({l} {o} {r})")),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("{l}[{r}]")),
            (fns, prop::collection::vec(inner.clone(), 0..3)).prop_map(|(f, a)| format!("{f}({})", a.join(", "))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|a| format!("[{}]", a.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| format!("{{{k}: {v}}}")),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| format!("{k}{{\"k\": {v}}}")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| format!("({c} ? {t} : {e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("($v := {a}; {b})")),
            inner.clone().prop_map(|b| format!("function($v){{{b}}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("$map({a}, function($v, $i){{{b}}})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}^({b})")),
            inner.clone().prop_map(|a| format!("{a}#$i")),
            inner.clone().prop_map(|a| format!("{a}@$v")),
            inner.clone().prop_map(|a| format!("{a}[]")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("{a}.%")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.({b}).%.%")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[%.{b}]")),
            inner.clone().prop_map(|a| format!("$eval({a:?})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("[{a}..{b}]")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(src in "\\PC{0,40}") {
        let _ = parse(&src);
    }

    #[test]
    fn parse_never_panics_on_token_soup(src in "[ab$.\\[\\]{}()\"'`/*?:;,@#^~<>=!&|%0-9+-λ]{0,40}") {
        let _ = parse(&src);
    }

    #[test]
    fn eval_never_panics(expr in arb_expr(), input in arb_json(), v in arb_json()) {
        if let Ok(e) = parse(&expr) {
            let mut vars = Map::new();
            vars.insert("v".into(), v);
            let mut rng = SplitMix64(3);
            let mut env = Env { rng: &mut rng, now_millis: 0 };
            let _ = e.eval(&input, &vars, &mut env);
        }
    }
}

/// Picture strings built from the characters pictures are made of, so that most of them
/// reach the analysis and formatting code rather than failing at the first character.
const PICTURE_SOUP: &str = "[\\[\\]YMDdFWwXxHhPmsfZzCEqNnIiAaWwot0-9#,;:\\-* ١٠०]{0,16}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn pictures_never_panic(
        picture in PICTURE_SOUP,
        text in "[0-9a-zA-Z ,:+\\-]{0,16}",
        n in prop_oneof![-1e16f64..1e16, (-100_000i64..100_000).prop_map(|i| i as f64)],
        tz in "[+\\-]?[0-9]{0,4}",
    ) {
        use crate::picture::{format_datetime, format_integer, parse_datetime, parse_integer};
        let _ = format_integer(n, &picture);
        let _ = parse_integer(&text, &picture);
        let _ = format_datetime(n, Some(&picture), Some(&tz));
        let _ = parse_datetime(&text, &picture, n);
    }
}
