//! End-to-end tests of the `stepline` command on the examples in `fixtures/`.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stepline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepline")).args(args).current_dir(root()).output().expect("stepline runs")
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

const WORKERS: [&str; 4] = [
    "--worker",
    "validate-order=python3 fixtures/workers/validate_order.py",
    "--worker",
    "charge-card=python3 fixtures/workers/charge_card.py",
];

#[test]
fn order_flow_runs_with_command_workers_and_retries_the_card() {
    let mut args =
        vec!["run", "fixtures/order-flow/definition.json", "--input", "@fixtures/order-flow/input.json", "--history"];
    args.extend(WORKERS);
    let out = stepline(&args);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout_json(&out),
        json!({"orderId": "ord-1001", "chargeId": "ch_ord-1001", "status": "SHIPPED", "items": 2})
    );
    let history: Value = serde_json::from_slice(&out.stderr).expect("history JSON on stderr");
    let types: Vec<&str> = history["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.iter().filter(|t| **t == "ActivityFailed").count(), 1, "the first charge fails: {types:?}");
    assert_eq!(types.iter().filter(|t| **t == "ActivitySucceeded").count(), 2);
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
}

#[test]
fn jsonata_order_flow_keeps_its_facts_in_variables() {
    let mut args =
        vec!["run", "fixtures/order-flow-jsonata/definition.json", "--input", "@fixtures/order-flow/input.json"];
    args.extend(WORKERS);
    let out = stepline(&args);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout_json(&out),
        json!({"orderId": "ord-1001", "chargeId": "ch_ord-1001", "status": "SHIPPED", "items": 2, "total": 65})
    );
    let mut args = vec![
        "run",
        "fixtures/order-flow-jsonata/definition.json",
        "--input",
        "@fixtures/order-flow/input-invalid.json",
    ];
    args.extend(WORKERS);
    let out = stepline(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: Order.Invalid") && err.contains("cause: order ord-1002 has no items"), "{err}");
}

#[test]
fn order_flow_rejects_an_empty_order_through_catch() {
    let mut args =
        vec!["run", "fixtures/order-flow/definition.json", "--input", "@fixtures/order-flow/input-invalid.json"];
    args.extend(WORKERS);
    let out = stepline(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("status: FAILED"), "{err}");
    assert!(err.contains("error: Order.Invalid"), "{err}");
    assert!(err.contains("cause: order ord-1002 has no items"), "{err}");
}

#[test]
fn a_missing_worker_fails_the_task_with_a_clear_cause() {
    let out = stepline(&["run", "fixtures/order-flow/definition.json", "--input", "@fixtures/order-flow/input.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No worker for 'validate-order'"), "{err}");
}

#[test]
fn fan_out_map_plans_every_line_in_order() {
    let out = stepline(&["run", "fixtures/fan-out/definition.json", "--input", "@fixtures/fan-out/input.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = stdout_json(&out);
    let carriers: Vec<&str> = plan.as_array().unwrap().iter().map(|p| p["carrier"].as_str().unwrap()).collect();
    assert_eq!(carriers, ["freight", "parcel", "parcel", "freight", "parcel"]);
    assert_eq!(plan[3], json!({"sku": "shelf", "position": 3, "carrier": "freight"}));
}

#[test]
fn parallel_runs_both_branches_on_virtual_time() {
    let out = stepline(&[
        "run",
        "fixtures/parallel/definition.json",
        "--input",
        "@fixtures/parallel/input.json",
        "--virtual-time",
        "--name",
        "demo",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = stdout_json(&out);
    assert_eq!(v["digest"]["sha256"], json!("05c6e08f1d9fdafa03147fcb8f82f124c76d2f70e3d989dc8aadb5e7d7450bec"));
    assert_eq!(v["digest"]["words"], json!(9));
    assert_eq!(v["stamp"], json!({"receivedBy": "demo", "greeting": "Hello, Ada!"}));
}

#[test]
fn validate_reports_every_problem_with_its_location() {
    let dir = std::env::temp_dir().join(format!("stepline-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere\n  B:\n    Type: Wait\n    End: true\n",
    )
    .unwrap();
    let out = stepline(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next"), "{text}");
    assert!(text.contains("at /States/B"), "{text}");
    let out = stepline(&["validate", "--json", bad.to_str().unwrap()]);
    let v = stdout_json(&out);
    assert_eq!(v["result"], json!("FAIL"));
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["location"] == "/States/A/Next" && d["severity"] == "ERROR"));
    let ok = stepline(&["validate", "fixtures/order-flow/definition.json"]);
    assert!(ok.status.success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn run_explains_bad_input_instead_of_crashing() {
    let out = stepline(&["run", "fixtures/fan-out/definition.json", "--input", "{not json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the input is not valid JSON"));
    let out = stepline(&["run", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/file.json"));
}

#[test]
fn conformance_runner_reports_and_sets_the_exit_code() {
    let out = stepline(&["conformance", "fixtures/conformance/sample"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.lines().last(), Some("3 passed, 0 failed"));
    assert!(text.contains("history event types equal to AWS: 2/2"), "{text}");

    let out = stepline(&["conformance", "fixtures/conformance"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a failing case fails the run at the default rate 1.0");
    assert!(text.contains("FAIL failing/wrong_output: output {\"v\":1} != {\"v\":2}"), "{text}");
    assert_eq!(text.lines().last(), Some("3 passed, 1 failed"));
    let out = stepline(&["conformance", "fixtures/conformance", "--min-pass-rate", "0.75"]);
    assert!(out.status.success());
}

#[test]
fn bench_prints_the_figures_as_json() {
    let out = stepline(&[
        "bench",
        "fixtures/bench/pass_chain.json",
        "--input",
        "{\"hello\":\"world\"}",
        "--executions",
        "50",
        "--json",
    ]);
    assert!(out.status.success());
    let v = stdout_json(&out);
    assert_eq!(v["executions"], json!(50));
    assert_eq!(v["state_transitions"], json!(500));
    assert!(v["executions_per_s"].as_f64().unwrap() > 0.0);
    assert!(v["state_transitions_per_s"].as_f64().unwrap() > 0.0);
}

/// The subcommands `stepline --help` lists.
fn subcommands() -> Vec<String> {
    let out = stepline(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let commands = text.split("Commands:").nth(1).expect("a Commands section").split("Options:").next().unwrap();
    commands
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The entries of the Arguments and Options sections of a help text, each with whether
/// a description follows it (on its line, or on the next when the name is long).
fn entries(help: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut section = false;
    let lines: Vec<&str> = help.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if *line == "Arguments:" || *line == "Options:" {
            section = true;
            continue;
        }
        if !line.starts_with(' ') {
            section = false;
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if !section || indent > 6 || !(trimmed.starts_with('-') || trimmed.starts_with('<') || trimmed.starts_with('['))
        {
            continue;
        }
        let name = trimmed.split("  ").next().unwrap().to_string();
        let rest = trimmed[name.len()..].trim();
        let next_is_text = lines.get(i + 1).is_some_and(|n| n.len() - n.trim_start().len() > 6);
        out.push((name, !rest.is_empty() || next_is_text));
    }
    out
}

#[test]
fn every_command_documents_its_arguments_and_shows_only_its_own_options() {
    let commands = subcommands();
    for c in ["validate", "run", "serve", "dev", "create", "update", "start", "list", "describe", "history"] {
        assert!(commands.iter().any(|x| x == c), "{c} missing from {commands:?}");
    }
    let talks_to_a_server =
        ["create", "update", "machines", "start", "list", "describe", "history", "stop", "redrive", "replay", "tui"];
    for c in &commands {
        let out = stepline(&[c, "--help"]);
        assert!(out.status.success(), "{c} --help");
        let help = String::from_utf8_lossy(&out.stdout);
        let list = entries(&help);
        assert!(!list.is_empty(), "{c}: no entries found in\n{help}");
        for (name, described) in &list {
            assert!(described, "stepline {c}: {name} has no help text:\n{help}");
        }
        let has_endpoint = list.iter().any(|(n, _)| n.starts_with("--endpoint"));
        assert_eq!(has_endpoint, talks_to_a_server.contains(&c.as_str()), "stepline {c} and --endpoint:\n{help}");
    }
    let describe = String::from_utf8_lossy(&stepline(&["describe", "--help"]).stdout).into_owned();
    assert!(describe.contains("its ARN, or its name") && describe.contains("--machine"), "{describe}");
}

#[test]
fn validator_messages_say_each_thing_once_with_the_right_plurals() {
    let dir = std::env::temp_dir().join(format!("stepline-messages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad-path.json");
    std::fs::write(&path, r#"{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$..[","End":true}}}"#).unwrap();
    let out = stepline(&["validate", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("must be a valid JSONPath").count(), 1, "{text}");
    assert!(text.contains("The value for the field 'InputPath' must be a valid JSONPath: $..[: "), "{text}");
    assert_eq!(text.lines().last(), Some("1 problem"), "{text}");

    let call = dir.join("bad-call.json");
    std::fs::write(
        &call,
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Format(1"},"End":true}}}"#,
    )
    .unwrap();
    let text = String::from_utf8_lossy(&stepline(&["validate", call.to_str().unwrap()]).stdout).into_owned();
    assert_eq!(text.to_lowercase().matches("intrinsic function").count(), 1, "{text}");
    assert!(text.contains("must be a valid intrinsic function call: 'States.Format(1': missing ')'"), "{text}");

    let two = dir.join("two.json");
    std::fs::write(&two, r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Nxt":"B"}}}"#).unwrap();
    let out = stepline(&["validate", two.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().last(), Some("2 problems"));
    let out = stepline(&["run", two.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a valid state machine (2 problems)"), "{err}");
    assert_eq!(err.matches("is not supported in a Pass state").count(), 1, "each problem once: {err}");

    let spec = dir.join("one.test.yaml");
    std::fs::write(&spec, "definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}\ncases: [{name: only}]\n")
        .unwrap();
    let out = stepline(&["test", spec.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 passed, 0 failed (1 case in 1 spec, "), "{text}");
    assert!(text.contains("ok   only  (0 tasks, "), "{text}");
    let out = stepline(&["test", spec.to_str().unwrap(), dir.join("missing.yaml").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(", 1 spec could not run (1 case in 2 specs, "), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A help text as every user sees it: not widened by the terminal (`COLUMNS`) nor showing
/// the values of this machine's environment variables that flags read.
fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_stepline"))
        .args(args)
        .env_remove("COLUMNS")
        .env_remove("STEPLINE_ENDPOINT")
        .env_remove("SFN_MOCK_CONFIG")
        .current_dir(root())
        .output()
        .expect("stepline runs");
    assert!(out.status.success(), "stepline {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `stepline --help` shows, as a snapshot: a change to the commands shows in review.
#[test]
fn top_level_help_snapshot() {
    insta::assert_snapshot!(help(&["--help"]));
}

/// What each command's `--help` shows, one snapshot per command: a changed flag or text
/// shows in review.
#[test]
fn every_command_help_snapshot() {
    let commands = subcommands();
    assert!(commands.len() >= 19, "{commands:?}");
    for c in &commands {
        insta::assert_snapshot!(format!("help_{c}"), help(&[c, "--help"]));
    }
}

/// `stepline test-state` calls an HTTP Task for real (no mock), as AWS's TestState does:
/// here against a one-shot HTTP server of the test's own.
#[test]
fn test_state_calls_an_http_task_for_real() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        let body = r#"{"price":42}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(reply.as_bytes()).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let dir = std::env::temp_dir().join(format!("stepline-cli-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let def = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {"ApiEndpoint": format!("http://127.0.0.1:{port}/price"), "Method": "GET",
                       "QueryParameters": {"sku.$": "$.sku"}},
        "ResultSelector": {"price.$": "$.ResponseBody.price"}, "End": true});
    std::fs::write(&state, def.to_string()).unwrap();
    let out = stepline(&[
        "test-state",
        state.to_str().unwrap(),
        "--input",
        r#"{"sku": "a-1"}"#,
        "--inspection-level",
        "INFO",
    ]);
    let request = server.join().unwrap();
    assert!(request.starts_with("GET /price?sku=a-1 HTTP/1.1"), "{request}");
    let v = stdout_json(&out);
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    assert_eq!(serde_json::from_str::<Value>(v["output"].as_str().unwrap()).unwrap(), json!({"price": 42}));
}
