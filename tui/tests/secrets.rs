//! An HTTP Task through a connection with an API key, over a real engine and an HTTP
//! server of the test's own: the dashboard shows what the endpoint answered in every
//! pane and event, and never the key.

mod common;

use common::{now, render, Drive};
use serde_json::json;
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use stepline_bridge::integrations::builtin::{Builtin, BusLinks};
use stepline_bridge::integrations::settings::ConnectionSettings;
use stepline_core::engine::{Engine, EngineConfig};
use stepline_core::interp::Status;
use stepline_tui::state::{App, Key, Screen};
use stepline_tui::{Conn, InProcess};

const SECRET: &str = "dashboard-secret-4c7e1a";

/// Answers every request, 200 with a greeting when it carries the key, 403 otherwise.
fn server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
            let (status, body) = match request.contains(&format!("x-api-key: {SECRET}")) {
                true => ("200 OK", r#"{"greeting":"hello from the api"}"#),
                false => ("403 Forbidden", r#"{"greeting":"no"}"#),
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes());
        }
    });
    port
}

#[test]
fn the_dashboard_shows_an_http_tasks_answer_but_never_its_connections_key() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let conn = ConnectionSettings {
        name: "api".into(),
        auth: "api_key".into(),
        api_key_name: Some("x-api-key".into()),
        api_key_value_env: Some("API_KEY".into()),
        ..Default::default()
    };
    let lookup = |k: &str| (k == "API_KEY").then(|| SECRET.to_string());
    let builtin = Builtin::new(&[conn], None, None, BusLinks::default(), rt.handle().clone(), &lookup).unwrap();
    let dir = std::env::temp_dir().join(format!("stepline-tui-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let routes = builtin.route(stepline_bridge::embedded::routes());
    let e = Engine::open(EngineConfig { data_dir: dir, ..EngineConfig::default() }, routes).unwrap();
    builtin.attach(&e);
    let port = server();
    let def = json!({"StartAt": "Greet", "States": {
        "Greet": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                  "Parameters": {"ApiEndpoint": format!("http://127.0.0.1:{port}/greet"), "Method": "GET",
                                 "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:000000000000:connection/api/1"}},
                  "Next": "Done"},
        "Done": {"Type": "Pass", "End": true}}});
    let sm = e.create_state_machine("greeter", &def.to_string(), "STANDARD", "role").unwrap();
    let run = e.start_execution(&sm.arn, Some("hello"), json!({})).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while e.describe_execution(&run.arn).unwrap().status != Status::Succeeded {
        assert!(Instant::now() < deadline, "{:?}", e.describe_execution(&run.arn).unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }

    let server = InProcess(e.clone());
    let api = Conn::new(&server, None);
    let mut app = App::default();
    app.refresh(&api, now());
    app.selected = app.rows.iter().position(|r| r.name == "hello").unwrap();
    app.key(Key::Enter, &api);
    assert_eq!(app.screen, Screen::Execution);
    // Every state of the graph, then every event of the history, each with its JSON.
    let mut frames = vec![render(&app, 200, 60)];
    for pane in 0..2 {
        for _ in 0..12 {
            app.key(Key::Char('j'), &api);
            frames.push(render(&app, 200, 60));
        }
        if pane == 0 {
            app.key(Key::Tab, &api);
            app.key(Key::Char('g'), &api);
            frames.push(render(&app, 200, 60));
        }
    }
    assert!(
        frames.iter().any(|f| f.contains("hello from the api")),
        "the answer is shown somewhere:\n{}",
        frames.join("\n")
    );
    for f in &frames {
        assert!(!f.contains(SECRET), "the key is on the screen:\n{f}");
    }
    e.shutdown();
}
