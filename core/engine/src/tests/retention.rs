//! History retention: ended executions past their age, or beyond the newest kept, are
//! pruned with everything stored under them; running ones and counts stay exact.

use super::*;
use crate::config::Retention;
use serde_json::json;
use std::sync::Arc;
use stepline_asl::clock::MockClock;

const DAY: i64 = 86_400_000;

fn counts(e: &Engine) -> std::collections::BTreeMap<(String, &'static str), u64> {
    e.execution_counts().unwrap().into_iter().map(|(m, s, n)| ((m, s.as_str()), n)).collect()
}

#[test]
fn ended_executions_older_than_the_age_go_with_their_history_and_running_ones_stay() {
    let dir = data_dir("retention-age");
    let start = 1_700_000_000_000;
    let clock = Arc::new(MockClock::at(start));
    let retention = Retention { max_age_days: Some(90), max_ended: None, per_batch: 2, interval_ms: 0 };
    let config =
        EngineConfig { data_dir: dir, clock: clock.clone(), retention: Some(retention), ..EngineConfig::default() };
    let e = open(config).unwrap();
    let pass = e.create_state_machine("pass", PASS_MACHINE, "STANDARD", "r").unwrap();
    let task = e.create_state_machine("task", TASK_MACHINE, "STANDARD", "r").unwrap();
    let old: Vec<String> =
        (0..5).map(|i| e.start_execution(&pass.arn, Some(&format!("old-{i}")), json!({})).unwrap().arn).collect();
    let waiting = e.start_execution(&task.arn, Some("waiting"), json!({})).unwrap().arn;
    clock.advance(60 * DAY);
    let recent = e.start_execution(&pass.arn, Some("recent"), json!({})).unwrap().arn;
    clock.advance(31 * DAY);
    // Two per batch: three batches take the five old ones.
    for _ in 0..4 {
        e.wake();
        std::thread::sleep(Duration::from_millis(50));
    }
    for arn in &old {
        assert!(e.describe_execution(arn).is_err(), "{arn} was kept");
        assert!(e.history(arn, 0, 10, false).map(|h| h.is_empty()).unwrap_or(true), "{arn}'s history was kept");
    }
    assert_eq!(e.describe_execution(&recent).unwrap().status, Status::Succeeded);
    assert_eq!(e.describe_execution(&waiting).unwrap().status, Status::Running);
    let c = counts(&e);
    assert_eq!(c.get(&(pass.arn.clone(), "SUCCEEDED")), Some(&1));
    assert_eq!(c.get(&(task.arn.clone(), "RUNNING")), Some(&1));
    let listed: Vec<String> =
        e.list_executions(Some(&pass.arn), None, 100, None).unwrap().into_iter().map(|r| r.arn).collect();
    assert_eq!(listed, vec![recent]);
    assert_eq!(e.metrics().pruned.load(std::sync::atomic::Ordering::Relaxed), 5);
    e.shutdown();
}

#[test]
fn beyond_the_newest_kept_the_oldest_ended_go() {
    let dir = data_dir("retention-count");
    let retention = Retention { max_age_days: None, max_ended: Some(3), per_batch: 4, interval_ms: 0 };
    let e =
        open(EngineConfig { data_dir: dir.clone(), retention: Some(retention), ..EngineConfig::default() }).unwrap();
    let pass = e.create_state_machine("pass", PASS_MACHINE, "STANDARD", "r").unwrap();
    let all: Vec<String> =
        (0..10).map(|i| e.start_execution(&pass.arn, Some(&format!("e-{i}")), json!({})).unwrap().arn).collect();
    // The engine looks again a second after a round with nothing to prune.
    let deadline = Instant::now() + Duration::from_secs(10);
    while e.list_executions(None, None, 100, None).unwrap().len() > 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let kept: Vec<String> = e.list_executions(None, None, 100, None).unwrap().into_iter().map(|r| r.arn).collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    for arn in &all[7..] {
        assert!(kept.contains(arn), "{arn} (one of the newest) was pruned");
    }
    assert_eq!(counts(&e).get(&(pass.arn.clone(), "SUCCEEDED")), Some(&3));
    e.shutdown();
    drop(e);
    // The counts stored are the counts: a reopened store agrees.
    let e = engine(&dir);
    assert_eq!(counts(&e).get(&(pass.arn, "SUCCEEDED")), Some(&3));
}
