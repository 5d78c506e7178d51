//! `stepline test` as a user runs it: the fixtures' suite passes, a deliberately broken
//! expectation fails with a readable diff and a JUnit failure, a spec with a mistake
//! says where, and `--time-scale` makes Waits take real time again.

use std::process::Command;
use std::time::{Duration, Instant};

fn stepline(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stepline")).args(args).output().expect("stepline runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("stepline-test-cmd-{}-{name}", std::process::id()))
}

#[test]
fn the_order_flow_suite_passes_with_coverage_and_junit() {
    let junit = temp("ok.xml");
    let (code, out) = stepline(&[
        "test",
        "fixtures/tests/order-flow.test.yaml",
        "fixtures/tests/long-wait.test.yaml",
        "--coverage",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    for line in ["ok   happy path", "ok   retried then succeeded", "ok   caught failure", "ok   timeout"] {
        assert!(out.contains(line), "{line} missing from:\n{out}");
    }
    assert!(out.contains("1d00h on its clock"), "{out}");
    assert!(out.contains("covered: 5/5 states, 2/2 branches"), "{out}");
    assert!(out.contains("7 passed, 0 failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"<testsuites name="stepline test" tests="7" failures="0" errors="0""#), "{xml}");
    assert!(xml.contains(r#"<testcase name="caught failure" classname="order flow""#), "{xml}");
}

#[test]
fn a_broken_expectation_fails_with_a_readable_diff() {
    let junit = temp("broken.xml");
    let (code, out) =
        stepline(&["test", "fixtures/tests/broken/order-flow-broken.test.yaml", "--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL wrong charge id"), "{out}");
    assert!(out.contains(r#"$.chargeId: expected "ch_999", got "ch_1""#), "{out}");
    assert!(out.contains("ok   right"), "{out}");
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"failures="1""#) && xml.contains("<failure message=\"output differs: $.chargeId"), "{xml}");
}

#[test]
fn a_spec_with_a_mistake_says_where_and_exits_2() {
    let spec = temp("typo.yaml");
    std::fs::write(
        &spec,
        "definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}\ncases:\n  - name: typo\n    expect: {stauts: FAILED}\n",
    )
    .unwrap();
    let (code, out) = stepline(&["test", spec.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("ERROR") && out.contains("unknown field `stauts`"), "{out}");
    let missing = temp("missing.yaml");
    std::fs::write(&missing, "definition: nowhere.json\ncases: [{name: c}]\n").unwrap();
    let (code, out) = stepline(&["test", missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("cannot read") && out.contains("nowhere.json"), "{out}");
}

#[test]
fn time_scale_makes_waits_take_real_time() {
    let spec = temp("scaled.yaml");
    std::fs::write(
        &spec,
        "definition: {StartAt: W, States: {W: {Type: Wait, Seconds: 2, End: true}}}\ncases: [{name: two seconds}]\n",
    )
    .unwrap();
    let (code, out) = stepline(&["test", spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let t = Instant::now();
    let (code, out) = stepline(&["test", spec.to_str().unwrap(), "--time-scale", "8"]);
    assert_eq!(code, 0, "{out}");
    // Two seconds at eight times the speed: a quarter of a second of real waiting (a lower
    // bound: a busy machine only makes it longer).
    assert!(t.elapsed() >= Duration::from_millis(240), "{:?}", t.elapsed());
}

#[test]
fn a_case_mixes_mocks_with_a_real_worker() {
    let spec = temp("mixed.yaml");
    let definition = std::env::current_dir().unwrap().join("fixtures/order-flow/definition.json");
    std::fs::write(
        &spec,
        format!(
            "definition: {}\ncases:\n  - name: real validation\n    input: {{orderId: o-7, items: [1], total: 3}}\n    mocks:\n      ChargeCard: {{return: {{chargeId: ch_7}}}}\n    expect:\n      output: {{orderId: o-7, chargeId: ch_7, status: SHIPPED, items: 1}}\n      path: [ValidateOrder, ChargeCard, Ship]\n",
            definition.display()
        ),
    )
    .unwrap();
    // ValidateOrder has no mock: `cat` answers it with its own input (total: 3).
    let (code, out) = stepline(&["test", spec.to_str().unwrap(), "--worker", "validate-order=cat"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = stepline(&["test", spec.to_str().unwrap()]);
    assert_eq!(code, 1, "without the worker the state has nothing to answer it: {out}");
    assert!(out.contains("has no mock and no worker"), "{out}");
}

#[test]
fn a_mock_of_a_state_the_definition_lacks_is_a_mistake() {
    let spec = temp("unknown-state.yaml");
    let definition = std::env::current_dir().unwrap().join("fixtures/order-flow/definition.json");
    std::fs::write(
        &spec,
        format!(
            "definition: {}\ncases:\n  - name: typo\n    mocks: {{ChargeCrad: {{return: 1}}}}\n",
            definition.display()
        ),
    )
    .unwrap();
    let (code, out) = stepline(&["test", spec.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("mocks.ChargeCrad: the definition has no Task state 'ChargeCrad'"), "{out}");
    assert!(out.contains("ChargeCard, ValidateOrder"), "{out}");
}
