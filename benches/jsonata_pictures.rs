//! Picture-string benchmarks: each expression is parsed once and evaluated many times, the
//! way a state's `{% %}` expression is. `scripts/jsonata-reference/bench.js` times the same
//! expressions with the reference JSONata, so the two can be compared.

use serde_json::{Map, Value};
use stepline_core::jsonata::{parse, Env, Expr, SplitMix64};

fn main() {
    divan::main();
}

/// The expressions, shared with `bench.js`.
const EXPRESSIONS: [(&str, &str); 5] = [
    ("from_millis_iso", "$fromMillis(1700000000123, '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01]')"),
    ("from_millis_names_tz", "$fromMillis(1700000000123, '[FNn], [D1o] [MNn] [Y], [h]:[m01][P]', '+0530')"),
    ("format_integer_grouped", "$formatInteger(1234567, '#,##0')"),
    ("format_integer_words", "$formatInteger(2024, 'w')"),
    ("to_millis_picture", "$toMillis('2023-11-14 22:13', '[Y]-[M]-[D] [H]:[m]')"),
];

fn expr(name: &str) -> Expr {
    let (_, src) = EXPRESSIONS.iter().find(|(n, _)| *n == name).expect("known benchmark");
    parse(src).expect("valid expression")
}

fn run(b: divan::Bencher, name: &str) {
    let e = expr(name);
    let input = Value::Null;
    let vars = Map::new();
    let mut rng = SplitMix64(7);
    b.bench_local(|| {
        let mut env = Env { rng: &mut rng, now_millis: 1_700_000_000_000 };
        e.eval(&input, &vars, &mut env).expect("evaluates")
    });
}

#[divan::bench]
fn from_millis_iso(b: divan::Bencher) {
    run(b, "from_millis_iso");
}

#[divan::bench]
fn from_millis_names_tz(b: divan::Bencher) {
    run(b, "from_millis_names_tz");
}

#[divan::bench]
fn format_integer_grouped(b: divan::Bencher) {
    run(b, "format_integer_grouped");
}

#[divan::bench]
fn format_integer_words(b: divan::Bencher) {
    run(b, "format_integer_words");
}

#[divan::bench]
fn to_millis_picture(b: divan::Bencher) {
    run(b, "to_millis_picture");
}
