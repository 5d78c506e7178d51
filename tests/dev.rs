//! `stepline dev --headless` as a real process: it refuses a port already taken, and a
//! second run on the same store goes on with fresh names without new versions.

mod support;

use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::{path_str, temp_dir, Server};

#[test]
fn dev_fails_when_its_port_is_taken() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = temp_dir("dev-port");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stepline"))
        .args(["dev", "--headless", "--data", path_str(&data), "--listen", &addr])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("stepline starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stepline dev kept running with its port taken");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(!err.contains("control API on"), "it must not claim to serve there: {err}");
}

fn names(server: &Server) -> Vec<String> {
    let v = server.wait_for(&["list", "--max", "1000"], |v| v["executions"].is_array(), Duration::from_secs(10));
    v["executions"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_second_run_on_the_same_data_goes_on_with_fresh_names_and_keeps_the_versions() {
    let data = temp_dir("dev-twice").join("data");
    let first = Server::start(&["dev", "--headless", "--data", path_str(&data), "--rate", "40"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while names(&first).len() < 60 {
        assert!(Instant::now() < deadline, "the trickle started too few executions");
        std::thread::sleep(Duration::from_millis(200));
    }
    first.stop();

    // Slowly now: names reused from the start would find the old executions for 30 s
    // (60 names at 2 a second) before a new one appeared.
    let second = Server::start(&["dev", "--headless", "--data", path_str(&data), "--rate", "2"]);
    let before: HashSet<String> = names(&second).into_iter().collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    let fresh = loop {
        let now = names(&second);
        let fresh: Vec<String> = now.iter().filter(|n| !before.contains(*n)).cloned().collect();
        if fresh.len() >= 2 {
            break fresh;
        }
        assert!(Instant::now() < deadline, "the second run started no new execution within 10 s");
        std::thread::sleep(Duration::from_millis(200));
    };
    let number = |n: &str| n.rsplit('-').next().and_then(|d| d.parse::<u64>().ok()).unwrap();
    let highest_before = before.iter().map(|n| number(n)).max().unwrap();
    assert!(fresh.iter().all(|n| number(n) > highest_before), "{fresh:?} after {highest_before}");

    for machine in ["order-flow", "nightly-report", "fan-out", "parallel"] {
        let arn = format!("arn:aws:states:us-east-1:000000000000:stateMachine:{machine}");
        let (status, v): (u16, Value) = second.api("DescribeStateMachine", &json!({"stateMachineArn": arn}));
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["revisionId"], "1", "{machine} was not changed, so it keeps its first version");
    }
}

/// Without the dashboard, stderr is the console: a start the trickle could not make (its
/// state machine deleted under it) is shown there, not ignored.
#[test]
fn headless_dev_shows_the_starts_it_could_not_make() {
    let data = temp_dir("dev-start-errors").join("data");
    let mut dev = Server::start(&["dev", "--headless", "--data", path_str(&data), "--rate", "20"]);
    let arn = "arn:aws:states:us-east-1:000000000000:stateMachine:parallel";
    let (status, v) = dev.api("DeleteStateMachine", &json!({"stateMachineArn": arn}));
    assert_eq!(status, 200, "{v}");
    let line =
        dev.wait_for_stderr(|l| l.contains("WARN") && l.contains("could not start parallel-"), Duration::from_secs(30));
    let line = line.unwrap_or_else(|| panic!("no warning on stderr: {}", dev.stderr()));
    assert!(line.contains("State Machine Does Not Exist") && line.contains(arn), "{line}");
}
