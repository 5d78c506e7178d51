//! Hand-written tests: AWS's additional functions (not in the reference package), the
//! API contract, and the guards against deep recursion.

use crate::env::{Bindings, Env};
use crate::error::JsonataError;
use crate::expr::parse;
use crate::random::SplitMix64;
use serde_json::{json, Map, Value};

fn eval_with(expr: &str, input: Value, vars: Value, seed: u64) -> Result<Option<Value>, JsonataError> {
    let vars: Map<String, Value> = vars.as_object().cloned().unwrap_or_default();
    let mut rng = SplitMix64(seed);
    let mut env = Env { rng: &mut rng, now_millis: 1_704_067_200_000 };
    parse(expr)?.eval(&input, &vars, &mut env)
}

fn ev(expr: &str) -> Option<Value> {
    eval_with(expr, json!({}), json!({}), 1).unwrap_or_else(|e| panic!("{expr}: {e:?}"))
}

fn code(expr: &str) -> String {
    match eval_with(expr, json!({}), json!({}), 1) {
        Err(e) => e.code().to_string(),
        Ok(v) => panic!("{expr}: expected an error, got {v:?}"),
    }
}

#[test]
fn partition_as_recorded_on_aws() {
    assert_eq!(ev("$partition([0], 1)"), Some(json!([[0]])));
    assert_eq!(ev("$partition([0], 5)"), Some(json!([[0]])));
    assert_eq!(ev("$partition([0, 1, 2], 2)"), Some(json!([[0, 1], [2]])));
    assert_eq!(ev("$partition([0, 1, 2, 3], 3)"), Some(json!([[0, 1, 2], [3]])));
    assert_eq!(ev("$partition([0, 1, 2, 3], 1)"), Some(json!([[0], [1], [2], [3]])));
    assert_eq!(ev("$partition([], 2)"), Some(json!([])));
    let got = eval_with(
        "$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)",
        json!({}),
        json!({"states": {"input": {"FunctionInput": {"fst": [0, 1, 2, 3], "snd": 5}}}}),
        1,
    );
    assert_eq!(got, Ok(Some(json!([[0, 1, 2, 3]]))));
    assert_eq!(code("$partition([1], 0)"), "T0410");
}

#[test]
fn range_as_recorded_on_aws() {
    assert_eq!(ev("$range(0, 9, 3)"), Some(json!([0, 3, 6, 9])));
    assert_eq!(ev("$range(0, 10, 3)"), Some(json!([0, 3, 6, 9])));
    // a single value collapses like any JSONata sequence
    assert_eq!(ev("$range(1, 9, 9)"), Some(json!(1)));
    assert_eq!(ev("$range(5, 1, -2)"), Some(json!([5, 3, 1])));
    assert_eq!(ev("$range(1, 3)"), Some(json!([1, 2, 3])));
    assert_eq!(ev("$range(3, 1)"), None);
    assert_eq!(code("$range(1, 3, 0)"), "T0410");
}

#[test]
fn hash_algorithms() {
    assert_eq!(ev(r#"$hash("hello", "MD5")"#), Some(json!("5d41402abc4b2a76b9719d911017c592")));
    assert_eq!(ev(r#"$hash("hello", "SHA-1")"#), Some(json!("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")));
    assert_eq!(
        ev(r#"$hash("hello", "SHA-256")"#),
        Some(json!("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"))
    );
    assert_eq!(
        ev(r#"$hash("hello", "SHA-384")"#),
        Some(json!("59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"))
    );
    assert_eq!(ev(r#"$length($hash("hello", "SHA-512"))"#), Some(json!(128)));
    assert_eq!(code(r#"$hash("hello", "CRC32")"#), "T0410");
    assert_eq!(ev("$hash($missing, 'MD5')"), None);
}

#[test]
fn random_and_uuid_come_from_the_environment() {
    let a = eval_with("$random()", json!({}), json!({}), 42).unwrap();
    let b = eval_with("$random()", json!({}), json!({}), 42).unwrap();
    let c = eval_with("$random()", json!({}), json!({}), 43).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let x = a.and_then(|v| v.as_f64()).unwrap();
    assert!((0.0..1.0).contains(&x));
    // seeded: the same for any entropy
    let s1 = eval_with("$random(7)", json!({}), json!({}), 1).unwrap();
    let s2 = eval_with("$random(7)", json!({}), json!({}), 99).unwrap();
    assert_eq!(s1, s2);
    assert_ne!(s1, eval_with("$random(8)", json!({}), json!({}), 1).unwrap());
    let u = eval_with("$uuid()", json!({}), json!({}), 5).unwrap().unwrap();
    let u = u.as_str().unwrap().to_string();
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4");
    assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    assert_eq!(Some(json!(u)), eval_with("$uuid()", json!({}), json!({}), 5).unwrap());
    assert_ne!(Some(json!(u)), eval_with("$uuid()", json!({}), json!({}), 6).unwrap());
    assert_eq!(ev("$uuid() = $uuid()"), Some(json!(false)));
}

#[test]
fn parse_json_strings() {
    assert_eq!(ev(r#"$parse("-0")"#), Some(json!(0)));
    assert_eq!(ev(r#"$parse("1")"#), Some(json!(1)));
    assert_eq!(ev(r#"$parse("true")"#), Some(json!(true)));
    assert_eq!(ev(r#"$parse("[1, 2, \"HelloWorld\"]")"#), Some(json!([1, 2, "HelloWorld"])));
    assert_eq!(ev(r#"$parse("{\"Arg1\": 1, \"Arg2\": []}")"#), Some(json!({"Arg1": 1, "Arg2": []})));
    assert_eq!(ev(r#"$parse("{\"a\": {\"b\": 2}}").a.b"#), Some(json!(2)));
    assert!(eval_with(r#"$parse("{nope")"#, json!({}), json!({}), 1).is_err());
}

#[test]
fn clock_comes_from_the_environment() {
    assert_eq!(ev("$millis()"), Some(json!(1_704_067_200_000i64)));
    assert_eq!(ev("$now()"), Some(json!("2024-01-01T00:00:00.000Z")));
    assert_eq!(ev("$now('[Y0001]')"), Some(json!("2024")));
}

#[test]
fn api_contract() {
    let e = parse("$states.input.x + 1").unwrap();
    assert_eq!(e.source(), "$states.input.x + 1");
    let vars = json!({"states": {"input": {"x": 2}}});
    let mut rng = SplitMix64(0);
    let mut env = Env { rng: &mut rng, now_millis: 0 };
    let vars = vars.as_object().unwrap();
    assert_eq!(e.eval(&json!(null), vars, &mut env), Ok(Some(json!(3))));
    // integral arithmetic results are integers, others floats
    let r = parse("7 / 2 * 2").unwrap().eval(&json!(null), vars, &mut env).unwrap().unwrap();
    assert!(r.is_i64() || r.is_u64());
    assert_eq!(parse("$doesNotExist").unwrap().eval(&json!({}), vars, &mut env), Ok(None));
    match parse("1 +") {
        Err(JsonataError::Syntax { code, .. }) => assert_eq!(code, "S0207"),
        other => panic!("{other:?}"),
    }
    match parse("1 + 'a'").unwrap().eval(&json!(null), vars, &mut env) {
        Err(JsonataError::Runtime { code, message }) => {
            assert_eq!(code, "T2002");
            assert_eq!(message, "The right side of the \"+\" operator must evaluate to a number");
        }
        other => panic!("{other:?}"),
    }
    let free = parse("($a := 1; $a + $b + $sum($c)) ~> function($x){$x + $d}").unwrap().free_variables();
    assert_eq!(free.into_iter().collect::<Vec<_>>(), vec!["b", "c", "d"]);
    // an Expr is shareable across threads
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<crate::expr::Expr>();
    struct One(Value);
    impl Bindings for One {
        fn get(&self, name: &str) -> Option<&Value> {
            (name == "one").then_some(&self.0)
        }
    }
    let one = One(json!(1));
    assert_eq!(parse("$one + 1").unwrap().eval(&json!(null), &one, &mut env), Ok(Some(json!(2))));
}

#[test]
fn infinite_recursion_is_an_error() {
    assert_eq!(code("($f := function($n){$f($n + 1)}; $f(0))"), "U1001");
    assert_eq!(code("($f := function($n){1 + $f($n + 1)}; $f(0))"), "U1001");
    // deep but finite recursion works
    assert_eq!(ev("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(50))"), Some(json!(50)));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for n in [200usize, 5000, 100_000] {
        let src = format!("{}1{}", "(".repeat(n), ")".repeat(n));
        let _ = parse(&src);
        let src = format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let _ = parse(&src);
        let src = vec!["1"; n].join(" + ");
        let _ = parse(&src).map(|e| eval_with(e.source(), json!({}), json!({}), 1));
        let src = format!("{}1", "-".repeat(n));
        let _ = parse(&src);
        let src = format!("a{}", ".b".repeat(n));
        let _ = parse(&src).map(|e| eval_with(e.source(), json!({}), json!({}), 1));
    }
    // deeply nested input
    let mut v = json!(1);
    for _ in 0..1000 {
        v = Value::Array(vec![v]);
    }
    for expr in ["**", "$string($)", "$ = $", "$", "$distinct($)", "*"] {
        let _ = eval_with(expr, v.clone(), json!({}), 1);
    }
    // let serde's recursive drop of the deep value happen on a big stack
    std::thread::Builder::new().stack_size(64 << 20).spawn(move || drop(v)).unwrap().join().unwrap();
}

#[test]
fn conformance_corpus_expressions_parse() {
    // the recorded AWS corpus lives outside the repository; skip when it is not there
    let dir = std::path::Path::new("/work/shared/conformance/jsonata");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut count = 0;
    for e in entries.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let Ok(case) = serde_json::from_str::<Value>(&text) else { continue };
        let mut exprs = Vec::new();
        collect(&case["definition"], &mut exprs);
        for x in exprs {
            count += 1;
            assert!(parse(&x).is_ok(), "{}: {x}", e.path().display());
        }
    }
    assert!(count > 0);

    fn collect(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                let t = s.trim();
                if let Some(inner) = t.strip_prefix("{%").and_then(|r| r.strip_suffix("%}")) {
                    out.push(inner.to_string());
                }
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            Value::Object(o) => o.values().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
}

#[test]
fn corpus_regex_cases() {
    assert_eq!(ev(r#"$contains("hello$world", /^hello\$/)"#), Some(json!(true)));
    assert_eq!(ev(r#"$contains('hello$world', /^hello\ /)"#), Some(json!(false)));
}

/// Timing smoke test for the hot path (run with `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn perf_smoke() {
    let big: Vec<Value> = (0..1000).map(|i| json!({"id": i, "name": format!("n{i}"), "tags": ["a", "b"]})).collect();
    let vars = json!({"states": {"input": {"x": {"y": 1}, "items": big}, "context": {}}});
    let vars = vars.as_object().unwrap();
    let mut rng = SplitMix64(0);
    let mut env = Env { rng: &mut rng, now_millis: 0 };
    for (src, n) in [
        ("$states.input.x.y", 1_000_000),
        ("$states.input", 1_000),
        ("$states.input.items[id > 500].name", 1_000),
        ("$sum($states.input.items.id)", 1_000),
        ("$states.input.items#$i[$i < 3].{\"n\": name}", 1_000),
    ] {
        let e = parse(src).unwrap();
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(e.eval(&Value::Null, vars, &mut env).unwrap());
        }
        eprintln!("{src}: {:?} per eval", t.elapsed() / n);
    }
}

/// What the reference fixtures cannot hold because it depends on the clock: `$now` with a
/// picture, and `$toMillis` taking the leading components it is not given from now
/// (2024-01-01T00:00:00Z here). The answers are the reference's, run with its clock
/// stopped at that instant.
#[test]
fn pictures_take_missing_leading_components_from_now() {
    assert_eq!(ev("$now('[FNn] [H01]:[m01] [Z]', '+0530')"), Some(json!("Monday 05:30 +05:30")));
    assert_eq!(ev("$now('[X0001]-W[W01]-[F1]')"), Some(json!("2024-W01-1")));
    // a time alone is on today's date; minutes and seconds after it default to zero
    assert_eq!(ev("$toMillis('10:30', '[H]:[m]')"), Some(json!(1_704_105_000_000_i64)));
    assert_eq!(ev("$toMillis('3pm', '[h][P]')"), Some(json!(1_704_121_200_000_i64)));
    // a month and day take this year
    assert_eq!(ev("$toMillis('03-15', '[M]-[D]')"), Some(json!(1_710_460_800_000_i64)));
    assert_eq!(code("$toMillis('15 10', '[D] [m]')"), "D3136");
}

/// Where the reference would exhaust its stack or memory, the engine refuses with U1001.
#[test]
fn oversized_pictures_are_refused() {
    assert_eq!(code("$formatInteger(1e9, 'I')"), "U1001");
    assert_eq!(code("$fromMillis(0, '[Y,1000000]')"), "U1001");
    assert_eq!(ev("$formatInteger(1e8, 'I') ~> $length()"), Some(json!(100_000)));
}

#[test]
fn eval_runs_in_the_callers_scope_and_its_trees_outlive_the_call() {
    // a lambda made by $eval is called after $eval returned
    assert_eq!(ev("($inc := $eval('function($x){$x + $step}'); $step := 2; $inc(5))"), Some(json!(7)));
    // a variable bound inside $eval is bound in the caller's block
    assert_eq!(ev("($eval('$v := 3'); $v * 2)"), Some(json!(6)));
    // the same string evaluated many times
    assert_eq!(ev("$sum([1..200].$eval('$ * 2'))"), Some(json!(40200)));
}

#[test]
fn eval_recursion_is_an_error_not_a_crash() {
    let e = eval_with("($f := function($n){ $eval('$f($n + 1)') }; $f(0))", json!({}), json!({}), 1)
        .expect_err("unbounded recursion through $eval");
    assert_eq!(e.code(), "D3121");
    // each level quotes the message of the one below; the length stays bounded
    assert!(e.message().len() < 20_000, "{} bytes", e.message().len());
    // a deeply nested expression handed to $eval at depth fails to parse, it does not overflow
    let deep = format!("$eval('{}1{}')", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(code(&deep), "D3120");
}

#[test]
fn parent_operator_binds_the_step_it_refers_to() {
    let input = json!({"o": [{"id": 1, "p": [{"n": "a"}, {"n": "b"}]}, {"id": 2, "p": [{"n": "c"}]}]});
    let got = eval_with("o.p.{'n': n, 'id': %.id}", input.clone(), json!({}), 1).expect("evaluates");
    assert_eq!(got, Some(json!([{"n": "a", "id": 1}, {"n": "b", "id": 1}, {"n": "c", "id": 2}])));
    // two % that resolve to the same step share its binding
    let got = eval_with("o.p.(%.id + %.id)", input.clone(), json!({}), 1).expect("evaluates");
    assert_eq!(got, Some(json!([2, 2, 4])));
    assert_eq!(code("%.x"), "S0217");
    assert_eq!(code("$.%"), "S0217");
}
