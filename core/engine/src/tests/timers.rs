//! Time comes from the engine's clock: a test moves it on instead of sleeping.

use super::*;
use serde_json::json;
use std::sync::Arc;
use stepline_asl::clock::MockClock;
use stepline_asl::interp::Status;

#[test]
fn an_hour_long_wait_ends_when_the_clock_moves_on_without_sleeping() {
    let dir = data_dir("mock-clock");
    let start = 1_700_000_000_000;
    let clock = Arc::new(MockClock::at(start));
    let e = open(EngineConfig { data_dir: dir.clone(), clock: clock.clone(), ..EngineConfig::default() }).unwrap();
    let sm = e
        .create_state_machine(
            "hour",
            r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "Next": "D"}, "D": {"Type": "Succeed"}}}"#,
            "STANDARD",
            "role",
        )
        .unwrap();
    let ex = e.start_execution(&sm.arn, Some("waits"), json!({})).unwrap();
    assert_eq!((ex.status, ex.start), (Status::Running, start));
    clock.advance(3_599_000);
    e.wake();
    // Woken a second early: still waiting.
    assert_eq!(e.describe_execution(&ex.arn).unwrap().status, Status::Running);
    clock.advance(1_000);
    e.wake();
    let r = wait_for(&e, &ex.arn, Status::Succeeded);
    assert_eq!((r.status, r.stop), (Status::Succeeded, Some(start + 3_600_000)));
    e.shutdown();
}
