//! Interpreter benchmarks on the peer workloads (`fixtures/bench/`): a 10-state Pass chain
//! and a Map over 1000 Pass items, in both query languages, run in memory on virtual time.

use serde_json::Value;
use stepline_core::interp::TaskRequest;
use stepline_core::model::{compile_value, MachineType, StateMachine};
use stepline_core::runner::{self, RunOptions, TaskOutcome};

fn main() {
    divan::main();
}

fn load(name: &str) -> Value {
    let path = format!("{}/fixtures/bench/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("bench fixture")).expect("valid JSON")
}

fn machine(name: &str) -> StateMachine {
    compile_value(&load(name), MachineType::Standard).expect("valid definition")
}

fn run_once(m: &StateMachine, input: &Value) -> u64 {
    let mut echo = |r: &TaskRequest| TaskOutcome::Success(r.input.clone());
    let exec = runner::run(m, runner::local_info("bench", "bench"), input.clone(), &mut echo, &RunOptions::default())
        .expect("finishes");
    exec.state_transitions
}

#[divan::bench]
fn pass_chain_10(b: divan::Bencher) {
    let m = machine("pass_chain.json");
    let input: Value = serde_json::json!({"hello": "world"});
    b.counter(divan::counter::ItemsCount::new(10usize)).bench(|| run_once(&m, &input));
}

#[divan::bench]
fn map_1000_pass(b: divan::Bencher) {
    let m = machine("map_pass.json");
    let input = load("map_input.json");
    b.counter(divan::counter::ItemsCount::new(1001usize)).bench(|| run_once(&m, &input));
}

#[divan::bench]
fn pass_chain_10_jsonata(b: divan::Bencher) {
    let m = machine("pass_chain_jsonata.json");
    let input: Value = serde_json::json!({"hello": "world"});
    b.counter(divan::counter::ItemsCount::new(10usize)).bench(|| run_once(&m, &input));
}

#[divan::bench]
fn map_1000_pass_jsonata(b: divan::Bencher) {
    let m = machine("map_pass_jsonata.json");
    let input = load("map_input.json");
    b.counter(divan::counter::ItemsCount::new(1001usize)).bench(|| run_once(&m, &input));
}

#[divan::bench]
fn compile_order_flow(b: divan::Bencher) {
    let def = load("../order-flow/definition.json");
    b.bench(|| compile_value(&def, MachineType::Standard).expect("valid"));
}
