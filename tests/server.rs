//! The CLI against a real `stepline serve`: state machines created and updated by name,
//! executions named by name, the history table, and warnings on the console.

mod support;

use serde_json::{json, Value};
use std::time::Duration;
use support::{path_str, temp_dir, Server};

const ORDER_WORKERS: [&str; 4] = [
    "--worker",
    "validate-order=python3 fixtures/workers/validate_order.py",
    "--worker",
    "charge-card=python3 fixtures/workers/charge_card.py",
];

fn serve(name: &str, extra: &[&str]) -> (Server, std::path::PathBuf) {
    let dir = temp_dir(name);
    let data = dir.join("data");
    let mut args = vec!["serve", "--data", path_str(&data)];
    args.extend(extra);
    (Server::start(&args), dir)
}

fn finished(v: &Value) -> bool {
    v["status"].as_str().is_some_and(|s| s != "RUNNING")
}

#[test]
fn state_machines_are_created_and_updated_by_name_and_executions_found_by_name() {
    let (server, dir) = serve("create", &ORDER_WORKERS);
    let arn = server.ok(&["create", "orders", "fixtures/order-flow/definition.json"]);
    assert_eq!(arn.trim(), "arn:aws:states:us-east-1:000000000000:stateMachine:orders");
    let (_, described) = server.api("DescribeStateMachine", &json!({"stateMachineArn": arn.trim()}));
    assert_eq!(described["revisionId"], "1");
    let listed = server.ok(&["machines"]);
    assert!(listed.lines().any(|l| l.starts_with("orders ") && l.contains("STANDARD")), "{listed}");

    // A YAML definition is converted; the new revision is what the next execution runs.
    let yaml = dir.join("orders.yaml");
    std::fs::write(
        &yaml,
        "StartAt: Done\nStates:\n  Done:\n    Type: Pass\n    Result: {updated: true}\n    End: true\n",
    )
    .unwrap();
    let updated = server.ok(&["update", "orders", path_str(&yaml)]);
    assert_eq!(updated.trim(), format!("{} (revision 2)", arn.trim()));
    server.ok(&["start", "orders", "--name", "after-update"]);
    let v = server.wait_for(&["describe", "after-update"], finished, Duration::from_secs(30));
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(serde_json::from_str::<Value>(v["output"].as_str().unwrap()).unwrap(), json!({"updated": true}));

    // A name two state machines share needs --machine; the message says so.
    server.ok(&["create", "other", path_str(&yaml)]);
    server.ok(&["start", "other", "--name", "after-update"]);
    let out = server.cli(&["describe", "after-update"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("several state machines") && err.contains("orders, other") && err.contains("--machine"),
        "{err}"
    );
    let text = server.ok(&["describe", "after-update", "--machine", "other"]);
    assert!(text.contains("execution:other:after-update"), "{text}");
    let out = server.cli(&["describe", "never-ran"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no execution named 'never-ran'"));
}

#[test]
fn list_on_an_unknown_machine_says_so() {
    let (server, _dir) = serve("unknown", &[]);
    for machine in ["nope", "arn:aws:states:us-east-1:000000000000:stateMachine:nope"] {
        let out = server.cli(&["list", "--machine", machine]);
        assert_eq!(out.status.code(), Some(2), "{machine}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("nope")
                && (err.contains("no state machine named") || err.contains("StateMachineDoesNotExist")),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "no empty table for a machine that does not exist");
    }
    let out = server.cli(&["start", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no state machine named 'nope'"));
}

#[test]
fn history_shows_states_errors_and_causes_in_aligned_columns() {
    let (server, _dir) = serve("history", &ORDER_WORKERS);
    server.ok(&["create", "orders", "fixtures/order-flow/definition.json"]);
    server.ok(&["start", "orders", "--name", "empty", "--input", "@fixtures/order-flow/input-invalid.json"]);
    server.wait_for(&["describe", "empty"], finished, Duration::from_secs(30));
    let text = server.ok(&["history", "empty"]);
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0];
    for column in ["ID", "TYPE", "STATE", "TIME", "ERROR", "CAUSE"] {
        assert!(header.contains(column), "{header}");
    }
    // Every column starts where its header does, on every line.
    let at = |name: &str| header.find(name).unwrap();
    let row = |ty: &str| {
        *lines.iter().find(|l| l.split_whitespace().nth(1) == Some(ty)).unwrap_or_else(|| panic!("{ty} in {text}"))
    };
    let failed = row("ActivityFailed");
    assert_eq!(&failed[at("STATE")..at("STATE") + "ValidateOrder".len()], "ValidateOrder", "{text}");
    assert_eq!(&failed[at("ERROR")..at("ERROR") + "Order.Invalid".len()], "Order.Invalid", "{text}");
    assert_eq!(&failed[at("CAUSE")..], "order ord-1002 has no items", "{text}");
    let entered = row("FailStateEntered");
    assert_eq!(entered[at("STATE")..].split_whitespace().next(), Some("Rejected"), "{text}");
    let end = row("ExecutionFailed");
    assert_eq!(&end[at("ERROR")..at("ERROR") + "Order.Invalid".len()], "Order.Invalid", "{text}");
    assert_eq!(&end[at("STATE")..at("TIME")].trim(), &"", "the execution's own events belong to no state: {text}");
    assert_eq!(lines.len(), 1 + 8, "a header and the eight events: {text}");
}

#[test]
fn warnings_reach_the_console_and_the_start_up_line_names_the_log_directory() {
    let (mut server, dir) = serve("warn", &["--worker", "slow=sleep 2; cat"]);
    let startup = server.stderr();
    let logs = dir.join("data").join("logs");
    assert!(startup.contains(&format!("logs in {}", logs.display())), "{startup}");
    assert_eq!(startup.matches("serving the control API").count(), 1, "said once: {startup}");
    assert_eq!(startup.matches("data in").count(), 1, "said once: {startup}");
    let def = dir.join("slow.json");
    std::fs::write(
        &def,
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:us-east-1:000000000000:activity:slow","TimeoutSeconds":1,"End":true}}}"#,
    )
    .unwrap();
    server.ok(&["create", "slow", path_str(&def)]);
    server.ok(&["start", "slow", "--name", "late"]);
    // The task times out after a second; the worker answers a second later, too late.
    let line = server.wait_for_stderr(|l| l.contains("WARN"), Duration::from_secs(30));
    let line = line.unwrap_or_else(|| panic!("no warning on stderr: {}", server.stderr()));
    assert!(line.contains("the worker's answer was refused") && line.contains("slow"), "{line}");
    assert!(!server.stderr().contains(" INFO "), "only warnings and errors on the console: {}", server.stderr());
}

/// JSON nested deeper than Stepline reads (128 levels) is refused with a message that
/// says so, wherever it comes from, and the server goes on.
#[test]
fn deeply_nested_json_is_refused_with_a_clear_error() {
    let (server, dir) = serve("nesting", &[]);
    let def = dir.join("pass.json");
    std::fs::write(&def, r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#).unwrap();
    server.ok(&["create", "pass", path_str(&def)]);
    for depth in [129, 100_000] {
        let input = "[".repeat(depth) + &"]".repeat(depth);
        let (status, v) = server.api(
            "StartExecution",
            &json!({"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:pass", "input": input}),
        );
        assert_eq!(status, 400, "{v}");
        assert_eq!(v["__type"], "InvalidExecutionInput", "{v}");
        assert!(v["message"].as_str().unwrap().contains("recursion limit"), "{v}");

        let file = dir.join(format!("deep-{depth}.json"));
        std::fs::write(&file, &input).unwrap();
        let out = server.cli(&["start", "pass", "--input", &format!("@{}", file.display())]);
        assert_eq!(out.status.code(), Some(2), "refused, not crashed");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("nested deeper than 128 levels"), "{err}");
        let out = server.cli(&["validate", path_str(&file)]);
        assert_eq!(out.status.code(), Some(2), "refused, not crashed");
        assert!(String::from_utf8_lossy(&out.stderr).contains("nested deeper than 128 levels"));
    }
    // The deepest input the parser reads is stored and read back whole (docs/configuration.md).
    let input = "[".repeat(127) + &"]".repeat(127);
    server.ok(&["start", "pass", "--name", "deep-enough", "--input", &input]);
    let v = server.wait_for(&["describe", "deep-enough"], finished, Duration::from_secs(30));
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["output"].as_str().unwrap(), input);
}

/// A warning from a bus (a trigger message that is not JSON) reaches the console too.
/// The NATS server is shared: a prefix of this test's own, its streams deleted after.
#[test]
fn a_rejected_trigger_message_is_shown_on_the_console() {
    let prefix = format!("clitest{}", std::process::id());
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let dir = temp_dir("trigger");
    let config = dir.join("stepline.toml");
    std::fs::write(
        &config,
        format!(
            "[nats]\nurls = [\"{url}\"]\nprefix = \"{prefix}\"\nactivities = [\"nothing-here\"]\napi = false\n\n[[nats.triggers]]\nsubject = \"{prefix}.in.orders\"\nstate_machine = \"orders\"\n"
        ),
    )
    .unwrap();
    let data = dir.join("data");
    let mut server = Server::start(&["serve", "--config", path_str(&config), "--data", path_str(&data)]);
    let bus = server.wait_for_stderr(|l| l.contains("over NATS"), Duration::from_secs(30));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = rt.block_on(async_nats::connect(url.as_str())).expect("NATS is up");
    rt.block_on(async {
        client.publish(format!("{prefix}.in.orders"), "this is not JSON".into()).await.unwrap();
        client.flush().await.unwrap();
    });
    let line = server.wait_for_stderr(|l| l.contains("WARN") && l.contains("rejected"), Duration::from_secs(30));
    let stderr = server.stderr();
    server.stop();
    let names = stepline_bridge::nats::Names { prefix };
    rt.block_on(async { names.delete_streams(&async_nats::jetstream::new(client)).await });
    // Asserted once the streams are gone.
    assert!(bus.is_some_and(|l| l.contains("tasks of the activity nothing-here; status events")), "{stderr}");
    let line = line.unwrap_or_else(|| panic!("no warning on stderr: {stderr}"));
    assert!(line.contains(".in.orders") && line.contains("not JSON"), "{line}");
}

#[test]
fn history_names_each_map_iteration_and_the_states_inside() {
    let (server, _dir) = serve("map-history", &[]);
    server.ok(&["create", "fan", "fixtures/fan-out/definition.json"]);
    server.ok(&["start", "fan", "--name", "lines", "--input", "@fixtures/fan-out/input.json"]);
    server.wait_for(&["describe", "lines"], finished, Duration::from_secs(30));
    let text = server.ok(&["history", "lines"]);
    let state_of = |ty: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.split_whitespace().nth(1) == Some(ty))
            .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_string())
            .collect()
    };
    let iterations = state_of("MapIterationSucceeded");
    assert_eq!(iterations.len(), 5, "{text}");
    for i in 0..5 {
        assert!(iterations.contains(&format!("EachLine[{i}]")), "{text}");
    }
    assert!(state_of("ChoiceStateEntered").iter().all(|s| s == "HowHeavy"), "{text}");
    assert_eq!(state_of("MapStateEntered"), ["EachLine"], "{text}");
}
