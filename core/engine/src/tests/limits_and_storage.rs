//! Limits that fail an execution and leave the engine running; a store that refuses writes or is not a store.

use super::*;
use serde_json::json;
use std::time::Duration;
use stepline_asl::interp::Status;

#[test]
fn a_loop_without_a_wait_fails_its_execution_and_the_engine_carries_on() {
    let dir = data_dir("endless");
    let e = engine(&dir);
    let endless = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"C"}],"Default":"A"},"C":{"Type":"Succeed"}}}"#;
    let hello = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "hi", "End": true}}}"#;
    let cause = "The execution reached the maximum number of history events (25000).";
    for kind in ["STANDARD", "EXPRESS"] {
        let sm = e.create_state_machine(&format!("endless-{kind}"), endless, kind, "role").unwrap();
        let ex = e.start_execution(&sm.arn, Some("spin"), json!({})).unwrap();
        assert_eq!(ex.status, Status::Failed, "{kind}");
        assert_eq!(ex.error.as_deref(), Some("States.Runtime"));
        assert_eq!(ex.cause.as_deref(), Some(cause));
        let ok = e.create_state_machine(&format!("hello-{kind}"), hello, kind, "role").unwrap();
        assert_eq!(e.start_execution(&ok.arn, Some("after"), json!({})).unwrap().status, Status::Succeeded);
    }
    let arn = "arn:aws:states:us-east-1:000000000000:execution:endless-STANDARD:spin";
    let h = e.history(arn, 0, 30_000, false).unwrap();
    assert_eq!(h.len(), 25_000);
    assert_eq!(h.last().unwrap()["type"], "ExecutionFailed");
    assert!(matches!(e.redrive_execution(arn), Err(ExecutionError::ExecutionNotRedrivable(_))));
    e.shutdown();
    drop(e);
    let e = engine(&dir);
    assert_eq!(e.describe_execution(arn).unwrap().status, Status::Failed);
    e.shutdown();
}

/// A tmpfs of a few MiB mounted for one test, so the disk really fills up.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(name: &str, mib: u32) -> Option<SmallDisk> {
        let dir = data_dir(name);
        std::fs::create_dir_all(&dir).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(dir))
    }

    /// Writes a file until the device is full; returns its path.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut f = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_full_disk_refuses_work_clearly_and_the_engine_resumes_by_itself_once_space_is_freed() {
    let Some(disk) = SmallDisk::mount("full-disk", 24) else {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a tmpfs");
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let data = disk.0.join("data");
    let e = open(EngineConfig { data_dir: data.clone(), cache_bytes: 1 << 20, ..EngineConfig::default() }).unwrap();
    let sm = e.create_state_machine("tasks", TASK_MACHINE, "STANDARD", "role").unwrap();
    let waiter = e
        .create_state_machine(
            "waiter",
            r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}}"#,
            "STANDARD",
            "role",
        )
        .unwrap();
    let before = e.start_execution(&sm.arn, Some("before"), json!({"n": 1})).unwrap();
    let task = e.poll_task("work", Duration::from_secs(5)).unwrap();
    let waiting = e.start_execution(&waiter.arn, Some("waiting"), json!({})).unwrap();

    let filler = disk.fill();
    let big = json!({"blob": "x".repeat(200 * 1024)});
    let mut refused = None;
    for i in 0..500 {
        match e.start_execution(&sm.arn, Some(&format!("fill-{i}")), big.clone()) {
            Ok(_) => continue,
            Err(err) => {
                refused = Some((i, err));
                break;
            }
        }
    }
    let (i, err) = refused.expect("the disk filled up");
    assert_eq!(err.aws_type(), "ServiceUnavailable", "{err}");
    let msg = err.to_string();
    assert!(msg.contains("no space left on the device"), "{msg}");
    assert!(msg.contains(&data.join("stepline.redb").display().to_string()), "{msg}");
    // Refused at once while the disk is full, and the answer to a task is not applied.
    let again = e.start_execution(&sm.arn, Some("during"), json!({})).unwrap_err();
    assert_eq!(again.aws_type(), "ServiceUnavailable");
    assert!(e.answer_task(&task.token, TaskAnswer::Success(json!("done"))).is_err());

    std::fs::remove_file(filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = loop {
        match e.start_execution(&sm.arn, Some("after"), json!({"n": 2})) {
            Ok(r) => break r,
            Err(err) if Instant::now() < deadline => {
                assert_eq!(err.aws_type(), "ServiceUnavailable", "{err}");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => panic!("the engine did not resume: {err}"),
        }
    };
    assert_eq!(after.status, Status::Running);
    // The refused start left nothing behind; what was committed before is intact.
    assert!(matches!(
        e.describe_execution(&format!("arn:aws:states:us-east-1:000000000000:execution:tasks:fill-{i}")),
        Err(ExecutionError::ExecutionDoesNotExist(_))
    ));
    // The task outstanding before is handed out again with its token, and applies once.
    let mut tokens = Vec::new();
    while let Some(t) = e.poll_task("work", Duration::from_millis(300)) {
        tokens.push(t.token);
    }
    assert!(tokens.contains(&task.token), "the waiting task is handed out again");
    e.answer_task(&task.token, TaskAnswer::Success(json!("done"))).unwrap();
    assert_eq!(wait_for(&e, &before.arn, Status::Succeeded).output, Some(json!({"n": 1, "out": "done"}).into()));
    let types: Vec<String> = e
        .history(&before.arn, 0, 100, false)
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "ActivityScheduled").count(), 1, "{types:?}");
    assert_eq!(types.iter().filter(|t| *t == "ActivitySucceeded").count(), 1, "{types:?}");
    // Timers fire again.
    assert_eq!(wait_for(&e, &waiting.arn, Status::Succeeded).status, Status::Succeeded);
    e.shutdown();
}

#[test]
fn an_empty_or_foreign_store_file_is_refused_and_left_as_it_was() {
    for (name, content) in [("empty", &b""[..]), ("foreign", &b"this is not a database, just text\n"[..])] {
        let dir = data_dir(&format!("not-a-store-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("stepline.redb");
        std::fs::write(&file, content).unwrap();
        let err = open(EngineConfig { data_dir: dir.clone(), ..EngineConfig::default() }).err().expect(name);
        let msg = err.to_string();
        assert!(msg.contains("is not a Stepline store"), "{name}: {msg}");
        assert!(msg.contains(&file.display().to_string()), "{name}: {msg}");
        assert!(msg.contains("docs/storage.md"), "{name}: {msg}");
        assert_eq!(std::fs::read(&file).unwrap(), content, "{name}: the file is untouched");
    }
    // A missing file is a new store.
    let dir = data_dir("new-store");
    engine(&dir).shutdown();
    assert!(dir.join("stepline.redb").metadata().unwrap().len() > 0);
}

#[test]
fn a_wait_for_task_token_task_waits_for_its_callback_not_its_workers_reply() {
    let dir = data_dir("wait-for-token");
    let e = engine(&dir);
    let def = r#"{"StartAt": "Notify", "States": {"Notify": {"Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
      "End": true}}}"#;
    let sm = e.create_state_machine("notify", def, "STANDARD", "role").unwrap();
    // The worker's return value is ignored: the state waits for the token's callback.
    let ok = e.start_execution(&sm.arn, Some("ok"), json!({"n": 1})).unwrap();
    let task = e.poll_task("notify", Duration::from_secs(5)).unwrap();
    let callback = task.input["token"].as_str().unwrap().to_string();
    assert_ne!(task.token, callback, "handed out under its own token");
    let issued = |t: &str| t.len() == 32 && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    assert!(issued(&task.token) && issued(&callback), "shaped as every token: {} {callback}", task.token);
    assert!(task.wait_for_token);
    e.answer_task(&task.token, TaskAnswer::Success(json!({"returned": "by the function"}))).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(e.describe_execution(&ok.arn).unwrap().status, Status::Running);
    e.answer_task(&callback, TaskAnswer::Heartbeat).unwrap();
    e.answer_task(&callback, TaskAnswer::Success(json!({"approved": true}))).unwrap();
    let done = wait_for(&e, &ok.arn, Status::Succeeded);
    assert_eq!(done.output, Some(json!({"approved": true}).into()), "the callback's output, not a Lambda response");
    assert!(matches!(e.answer_task(&callback, TaskAnswer::Success(json!(1))), Err(TaskError::TaskDoesNotExist)));
    // A failed invocation fails the task.
    let bad = e.start_execution(&sm.arn, Some("bad"), json!({"n": 2})).unwrap();
    let task = e.poll_task("notify", Duration::from_secs(5)).unwrap();
    e.answer_task(&task.token, TaskAnswer::Failure { error: "Lambda.Unknown".into(), cause: "boom".into() }).unwrap();
    let failed = wait_for(&e, &bad.arn, Status::Failed);
    assert_eq!(failed.error.as_deref(), Some("Lambda.Unknown"));
    // A callback that arrives before the worker's reply ends the task; the late reply is refused.
    let early = e.start_execution(&sm.arn, Some("early"), json!({"n": 3})).unwrap();
    let task = e.poll_task("notify", Duration::from_secs(5)).unwrap();
    e.answer_task(task.input["token"].as_str().unwrap(), TaskAnswer::Success(json!("early"))).unwrap();
    wait_for(&e, &early.arn, Status::Succeeded);
    assert!(matches!(e.answer_task(&task.token, TaskAnswer::Success(json!(1))), Err(TaskError::TaskDoesNotExist)));
    e.shutdown();
}

#[test]
fn an_input_nested_to_the_parsers_limit_is_stored_and_read_back() {
    let dir = data_dir("deep");
    let e = engine(&dir);
    let sm = e.create_state_machine("deep", TASK_MACHINE, "STANDARD", "role").unwrap();
    let mut deep = json!("bottom");
    for _ in 0..stepline_asl::interp::MAX_NESTING {
        deep = json!([deep]);
    }
    let ex = e.start_execution(&sm.arn, Some("deep"), deep.clone()).unwrap();
    assert_eq!(*e.describe_execution(&ex.arn).unwrap().input, deep);
    assert_eq!(e.list_executions(Some(&sm.arn), None, 10, None).unwrap().len(), 1);
    let task = e.poll_task("work", Duration::from_secs(5)).unwrap();
    e.shutdown();
    drop(e);
    // The journal is read back on a restart too.
    let e = engine(&dir);
    let again = e.poll_task("work", Duration::from_secs(5)).unwrap();
    assert_eq!(again.token, task.token);
    assert_eq!(again.input, deep);
    e.shutdown();
}
