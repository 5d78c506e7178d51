//! `/healthz`, `/readyz` and `/metrics` on the HTTP listener, over real TCP: alive at
//! once, ready (and answering the control API) only once the engine has recovered.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use stepline_core::engine::EngineConfig;

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    read(s)
}

fn post(addr: SocketAddr, op: &str, body: &Value) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let body = body.to_string();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.{op}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read(s)
}

fn read(mut s: TcpStream) -> (u16, String) {
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn alive_at_once_ready_once_recovered_and_calls_wait_for_the_engine() {
    let dir = std::env::temp_dir().join(format!("stepline-health-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = rt.block_on(stepline_bridge::http::bind("127.0.0.1:0".parse().unwrap())).unwrap();
    let addr = listener.local_addr().unwrap();
    let served = stepline_bridge::http::Served::new(Default::default());
    rt.spawn(stepline_bridge::http::serve_with(served.clone(), listener));

    assert_eq!(get(addr, "/healthz").0, 200);
    let (status, body) = get(addr, "/readyz");
    assert_eq!((status, body.contains("recovering")), (503, true), "{body}");
    let (status, page) = get(addr, "/metrics");
    assert_eq!(status, 200);
    assert!(page.contains("# TYPE stepline_ready gauge\nstepline_ready 0\n"), "{page}");
    // A call made now waits for the engine instead of failing.
    let early = std::thread::spawn(move || post(addr, "ListStateMachines", &json!({})));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!early.is_finished(), "the call did not wait for the engine");

    let engine = stepline_bridge::embedded::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }).unwrap();
    served.ready(engine.clone());
    let (status, body) = early.join().unwrap();
    assert_eq!((status, body.as_str()), (200, r#"{"stateMachines":[]}"#));
    assert_eq!(get(addr, "/readyz").0, 200);
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
    let (status, made) = post(addr, "CreateStateMachine", &json!({"name": "m", "definition": def, "roleArn": "r"}));
    assert_eq!(status, 200, "{made}");
    let arn: Value = serde_json::from_str(&made).unwrap();
    post(addr, "StartExecution", &json!({"stateMachineArn": arn["stateMachineArn"]}));
    post(addr, "DescribeExecution", &json!({"executionArn": "arn:aws:states:us-east-1:000000000000:execution:m:none"}));
    let (_, page) = get(addr, "/metrics");
    let machine = arn["stateMachineArn"].as_str().unwrap();
    for line in [
        "stepline_ready 1".to_string(),
        format!("stepline_executions_started_total{{state_machine_arn=\"{machine}\"}} 1"),
        format!("stepline_executions_ended_total{{state_machine_arn=\"{machine}\",status=\"SUCCEEDED\"}} 1"),
        "stepline_state_transitions_total 1".to_string(),
        "stepline_http_requests_total{operation=\"DescribeExecution\",error=\"ExecutionDoesNotExist\"} 1".to_string(),
        "stepline_http_requests_total{operation=\"StartExecution\",error=\"\"} 1".to_string(),
    ] {
        assert!(page.lines().any(|l| l == line), "{line} not in:\n{page}");
    }
    assert!(page.contains("# TYPE stepline_commit_seconds histogram"), "{page}");
    assert_eq!(get(addr, "/nope").0, 404);
    engine.shutdown();
}
