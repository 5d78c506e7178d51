//! Engine benchmarks on a real redb file with fsync on every commit: durable STANDARD
//! starts (one caller, so each start pays a whole commit; and 16 callers sharing
//! commits), EXPRESS starts on the caller's thread, and listing the newest executions.
//! `stepline bench --standard` measures the same end to end with many clients.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;
use stepline_core::engine::{Engine, EngineConfig};

fn main() {
    divan::main();
}

struct Fixture {
    engine: Engine,
    standard: String,
    express: String,
    _dir: PathBuf,
}

/// One engine for every benchmark, on a fresh store in the target directory.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-engine-store");
        let _ = std::fs::remove_dir_all(&dir);
        let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: dir.clone(), ..EngineConfig::default() })
            .expect("store");
        let path = format!("{}/fixtures/bench/pass_chain.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("bench fixture");
        let standard = engine.create_state_machine("chain", &text, "STANDARD", "role").expect("valid").arn;
        let express = engine.create_state_machine("chain-express", &text, "EXPRESS", "role").expect("valid").arn;
        // Something to list: a few thousand stored executions.
        for _ in 0..2000 {
            engine.start_execution(&standard, None, input()).expect("starts");
        }
        Fixture { engine, standard, express, _dir: dir }
    })
}

fn input() -> Value {
    json!({"hello": "world"})
}

/// One caller: every start waits for its own commit (fsync).
#[divan::bench(sample_count = 30, sample_size = 10)]
fn standard_pass_chain_1_caller(b: divan::Bencher) {
    let f = fixture();
    b.counter(divan::counter::ItemsCount::new(10usize))
        .bench(|| f.engine.start_execution(&f.standard, None, input()).expect("starts"));
}

/// Sixteen callers: their starts share commits.
#[divan::bench(threads = [16], sample_count = 20, sample_size = 20)]
fn standard_pass_chain_16_callers(b: divan::Bencher) {
    let f = fixture();
    b.counter(divan::counter::ItemsCount::new(10usize))
        .bench(|| f.engine.start_execution(&f.standard, None, input()).expect("starts"));
}

#[divan::bench]
fn express_pass_chain_sync(b: divan::Bencher) {
    let f = fixture();
    b.counter(divan::counter::ItemsCount::new(10usize))
        .bench(|| f.engine.start_sync_execution(&f.express, None, input()).expect("runs"));
}

#[divan::bench]
fn list_newest_100(b: divan::Bencher) {
    let f = fixture();
    b.bench(|| f.engine.list_executions(None, None, 100, None).expect("lists").len());
}
