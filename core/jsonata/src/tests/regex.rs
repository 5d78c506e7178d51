//! Regex behaviour the reference cannot be asked about: patterns JavaScript refuses (the
//! reference throws a plain `SyntaxError`), the bound on exponential backtracking, UTF-16
//! edge cases, and that no pattern makes the engine panic.

use crate::env::Env;
use crate::error::JsonataError;
use crate::expr::parse;
use crate::random::SplitMix64;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

fn eval(expr: &str, vars: Value) -> Result<Option<Value>, JsonataError> {
    let vars: Map<String, Value> = vars.as_object().cloned().unwrap_or_default();
    let mut rng = SplitMix64(1);
    let mut env = Env { rng: &mut rng, now_millis: 0 };
    parse(expr)?.eval(&json!({}), &vars, &mut env)
}

#[test]
fn patterns_javascript_refuses_are_s0302_at_parse_time() {
    for pattern in ["/a**/", "/(?<n>a)(?<n>b)/", "/a{2,1}/", "/[b-a]/", "/(?)/", "/\\k<x>(?<y>a)/"] {
        let e = parse(pattern).err().unwrap_or_else(|| panic!("{pattern} compiled"));
        assert_eq!(e.code(), "S0302", "{pattern}");
        assert!(e.message().starts_with("Invalid regular expression: /"), "{pattern}: {}", e.message());
    }
}

#[test]
fn nested_quantifiers_are_refused_on_long_subjects_without_running() {
    let long = "a".repeat(5000);
    let started = Instant::now();
    let e = eval("$match($s, /(a*)*b/)", json!({ "s": long })).expect_err("a long subject is refused");
    assert_eq!(e.code(), "U1002");
    assert!(e.message().contains("/(a*)*b/"), "{}", e.message());
    assert!(started.elapsed() < Duration::from_secs(1));
    // the worst case on the longest subject allowed stays short
    for (pattern, len) in [("/(a*)*b/", 20), ("/(a|a)*b/", 20), ("/((a+)+)+b/", 12), ("/(\\w+\\s?)*$/", 20)] {
        let started = Instant::now();
        let s = format!("{}!", "a".repeat(len - 1));
        let got = eval(&format!("$match($s, {pattern})"), json!({ "s": s }));
        assert!(got.is_ok(), "{pattern}: {got:?}");
        eprintln!("{pattern} on {len} characters: {:?}", started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(10), "{pattern} took {:?}", started.elapsed());
    }
}

#[test]
fn unnested_patterns_run_on_long_subjects() {
    let long = format!("{}b", "a".repeat(100_000));
    assert_eq!(eval("$match($s, /a*b/).index", json!({ "s": long })).ok().flatten(), Some(json!(0)));
    assert_eq!(eval("$contains($s, /(?<=a)b$/)", json!({ "s": long })).ok().flatten(), Some(json!(true)));
    // many matches: the subject is prepared once for the whole chain of next() calls
    let started = Instant::now();
    let many = "ıa".repeat(20_000);
    assert_eq!(eval("$count($match($s, /a/i))", json!({ "s": many })).ok().flatten(), Some(json!(20_000)));
    assert_eq!(eval("$length($replace($s, /a/i, \"\"))", json!({ "s": many })).ok().flatten(), Some(json!(20_000)));
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[test]
fn positions_are_utf16_units_and_split_pairs_are_replaced() {
    assert_eq!(eval("$match(\"😀x\", /x/).index", json!({})).ok().flatten(), Some(json!(2)));
    assert_eq!(eval("$match(\"😀\", /./).match", json!({})).ok().flatten(), Some(json!(["\u{FFFD}", "\u{FFFD}"])));
    assert_eq!(eval("$split(\"a😀b\", /😀/)", json!({})).ok().flatten(), Some(json!(["a", "b"])));
}

#[test]
fn each_evaluation_of_a_literal_has_its_own_last_index() {
    let got = eval("($f := function(){ /o/ }; $a := $f()(\"foo\"); $b := $f()(\"xo\"); $a.next().start)", json!({}));
    assert_eq!(got.ok().flatten(), Some(json!(2)));
}

#[test]
fn matcher_results_the_reference_cannot_read_are_t1010() {
    let code = |e: &str| eval(e, json!({})).err().map(|e| e.code().to_string());
    // no `next`: the reference calls `undefined.apply` (a TypeError)
    let no_next = "function($s){ {\"match\": \"b\", \"start\": 1, \"end\": 2, \"groups\": []} }";
    for f in ["$match", "$split"] {
        assert_eq!(code(&format!("{f}(\"abc\", {no_next})")).as_deref(), Some("T1010"), "{f}");
    }
    assert_eq!(code(&format!("$replace(\"abc\", {no_next}, \"x\")")).as_deref(), Some("T1010"));
    assert_eq!(code("$match(\"abc\", function($s){ null })").as_deref(), Some("T1010"));
    assert_eq!(
        code("$replace(\"abc\", function($s){ {\"start\": 0, \"next\": function(){()}} }, \"x\")").as_deref(),
        Some("T1010")
    );
    // `$contains` only asks whether something came back, as the reference does
    assert_eq!(eval("$contains(\"abc\", function($s){ null })", json!({})).ok().flatten(), Some(json!(true)));
}

#[test]
fn matchers_that_never_progress_end_with_u1003() {
    let code = |e: &str| eval(e, json!({})).err().map(|e| e.code().to_string());
    let endless = "($m := function($s){ {\"match\": \"a\", \"start\": 0, \"end\": 1, \"groups\": [], \"next\": function(){ $m($s) }} }; FN)";
    for f in ["$match(\"abc\", $m)", "$split(\"abc\", $m)", "$replace(\"abc\", $m, \"x\")"] {
        assert_eq!(code(&endless.replace("FN", f)).as_deref(), Some("U1003"), "{f}");
    }
    // the replacement resets the regex's lastIndex through next(): the reference loops forever
    let reset = "$replace(\"abc\", /b/, function($m){ $m.next() ? \"y\" : \"n\" })";
    assert_eq!(code(reset).as_deref(), Some("U1003"));
    // a regex cannot exceed the bound: one match per position at most
    assert_eq!(eval("$count($match(\"aaaa\", /a/))", json!({})).ok().flatten(), Some(json!(4)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any pattern the lexer passes either fails to compile with an error or runs.
    #[test]
    fn no_pattern_panics(pattern in "[ab()\\[\\]{}*+?|\\\\^$.,:=!<>kpuxcdwsbBDWS0-9ſıİßσ𐐀-]{1,14}", subject in "[abſıİßσ𐐀\\-]{0,8}") {
        let expr = format!("$match($s, /{pattern}/i)");
        let _ = eval(&expr, json!({ "s": subject }));
        let expr = format!("$replace($s, /{pattern}/m, \"$1$$\")");
        let _ = eval(&expr, json!({ "s": subject }));
    }
}
