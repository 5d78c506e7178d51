//! `stepline dev` as a real process: where it keeps its data is said where an operator
//! reads it (here, in the cause of the example worker that fails until a file in that
//! folder is deleted).

use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The process, killed when the test ends however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_broken_worker_names_the_file_to_delete_in_the_data_folder_in_use() {
    let data = std::env::temp_dir().join(format!("stepline-dev-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let data_arg = data.to_str().unwrap().to_string();
    let listen = format!("127.0.0.1:{port}");
    let args = ["dev", "--headless", "--data", &data_arg, "--listen", &listen, "--rate", "8"];
    let dev = Running(
        Command::new(env!("CARGO_BIN_EXE_stepline"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The second execution started is a nightly report, which fails in Publish.
    let arn = "arn:aws:states:us-east-1:000000000000:execution:nightly-report:nightly-report-1";
    let deadline = Instant::now() + Duration::from_secs(30);
    let described = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_stepline"))
            .args(["describe", arn, "--endpoint", &endpoint, "--json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if v["status"] == "FAILED" {
            break v;
        }
        assert!(Instant::now() < deadline, "nightly-report-1 never failed: {v}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let broken = data.join("report-store-down");
    assert!(broken.exists());
    assert_eq!(described["error"], "Report.StoreDown");
    let cause = described["cause"].as_str().unwrap_or_default();
    assert!(cause.contains(&format!("delete {} to fix", broken.display())), "{cause}");
    drop(dev);
    let _ = std::fs::remove_dir_all(&data);
}
