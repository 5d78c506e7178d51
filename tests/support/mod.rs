//! A `stepline serve` or `stepline dev --headless` as a real process on a free port, its
//! stderr collected as it comes, killed on drop; and the CLI run against it.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stepline-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub struct Server {
    child: Child,
    pub endpoint: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// `stepline ARGS...` (with `--listen 127.0.0.1:0`), once it has said where it listens.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stepline"))
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("stepline starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let pipe = child.stderr.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut server = Server { child, endpoint: String::new(), stderr };
        let line = server
            .wait_for_stderr(|s| s.contains("control API on http://"), Duration::from_secs(60))
            .unwrap_or_else(|| panic!("no start-up line; stderr: {}", server.stderr()));
        let addr = line.split("http://").nth(1).unwrap().split_whitespace().next().unwrap();
        server.endpoint = format!("http://{addr}");
        server
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The first line of stderr that `pred` accepts, waiting up to `timeout` for it.
    pub fn wait_for_stderr(&mut self, pred: impl Fn(&str) -> bool, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.stderr().lines().find(|l| pred(l)) {
                return Some(l.to_string());
            }
            if Instant::now() > deadline || self.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The CLI against this server.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_stepline"))
            .args(args)
            .env("STEPLINE_ENDPOINT", &self.endpoint)
            .current_dir(root())
            .output()
            .expect("stepline runs")
    }

    /// The CLI, which must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "stepline {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// One control API call over HTTP, as an AWS SDK makes it: (status, answer).
    pub fn api(&self, operation: &str, body: &Value) -> (u16, Value) {
        let host = self.endpoint.trim_start_matches("http://");
        let mut s = TcpStream::connect(host).expect("connects");
        let payload = body.to_string();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
        let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        (status, serde_json::from_str(body.trim()).unwrap_or(Value::Null))
    }

    /// Waits until `check` accepts what `stepline ARGS --json` prints.
    pub fn wait_for(&self, args: &[&str], check: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        let mut full: Vec<&str> = args.to_vec();
        full.push("--json");
        loop {
            let out = self.cli(&full);
            let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            if check(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "stepline {args:?} never became as expected: {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}
