//! A journal that no longer replays is never resumed on a guess: the execution fails with
//! `Stepline.Nondeterminism`, the engine counts it, and every other execution resumes.

use super::*;
use crate::store::{JournalEntry, Store};
use serde_json::json;
use std::time::Duration;
use stepline_asl::interp::{Event, Status};

/// Two executions waiting on a task, the engine stopped; `tamper` then changes the store
/// behind the first one's back, and the engine is opened again.
fn restart_after(
    name: &str,
    tamper: impl FnOnce(&Store, &ExecutionRecord),
) -> (Engine, ExecutionRecord, ExecutionRecord) {
    let dir = data_dir(name);
    let e = engine(&dir);
    let sm = e.create_state_machine("replayed", TASK_MACHINE, "STANDARD", "role").unwrap();
    let bad = e.start_execution(&sm.arn, Some("diverges"), json!({"n": 1})).unwrap();
    let good = e.start_execution(&sm.arn, Some("resumes"), json!({"n": 2})).unwrap();
    e.shutdown();
    drop(e);
    {
        let store = Store::open(&dir.join("stepline.redb")).unwrap();
        tamper(&store, &store.execution(&bad.arn).unwrap().unwrap());
    }
    (engine(&dir), bad, good)
}

/// The diverged execution is failed with what went wrong; the other one runs on.
fn check_failed_and_others_resume(e: &Engine, bad: &ExecutionRecord, good: &ExecutionRecord, says: &str) {
    let r = e.describe_execution(&bad.arn).unwrap();
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.error.as_deref(), Some(NONDETERMINISM));
    let cause = r.cause.clone().unwrap();
    assert!(cause.contains(says), "{cause}");
    assert_eq!(e.nondeterministic_replays(), 1);
    let h = e.history(&bad.arn, 0, 100, false).unwrap();
    let last = h.last().unwrap();
    assert_eq!(last["type"], "ExecutionFailed");
    assert_eq!(last["executionFailedEventDetails"]["error"], NONDETERMINISM);
    assert_eq!(last["id"].as_u64(), Some(r.events));
    // Listed as failed, where an operator looks.
    let failed = e.list_executions(None, Some(Status::Failed), 10, None).unwrap();
    assert!(failed.iter().any(|x| x.arn == bad.arn));
    // Redriving it would replay the same journal: refused, saying why.
    match e.redrive_execution(&bad.arn) {
        Err(ExecutionError::ExecutionNotRedrivable(why)) => assert!(why.contains("does not replay"), "{why}"),
        other => panic!("redrive of a diverged execution: {other:?}"),
    }
    // Nothing of the diverged execution is handed out; the other one's task is.
    let task = e.poll_task("work", Duration::from_secs(5)).expect("the resumed execution's task");
    assert_eq!(task.execution_arn, good.arn);
    assert!(e.poll_task("work", Duration::from_millis(200)).is_none());
    e.answer_task(&task.token, TaskAnswer::Success(json!("ok"))).unwrap();
    assert_eq!(wait_for(e, &good.arn, Status::Succeeded).status, Status::Succeeded);
}

#[test]
fn a_journal_entry_the_interpreter_refuses_fails_the_execution_as_nondeterministic() {
    let (e, bad, good) = restart_after("nondeterminism-refused", |store, rec| {
        // An answer to a task the interpreter never scheduled.
        let mut b = store.begin().unwrap();
        let event = Event::TaskSucceeded { id: 999, output: json!("stray") };
        b.append_journal(&rec.arn, rec.journal + 1, &JournalEntry::Event { now: rec.start + 1, event }).unwrap();
        b.commit().unwrap();
    });
    check_failed_and_others_resume(&e, &bad, &good, "refused journal entry 2");
    e.shutdown();
}

#[test]
fn a_replay_that_produces_another_event_count_fails_the_execution_as_nondeterministic() {
    let (e, bad, good) = restart_after("nondeterminism-count", |store, rec| {
        // The stored history is longer than what the journal replays to.
        let mut changed = rec.clone();
        changed.events += 3;
        let mut b = store.begin().unwrap();
        b.put_execution(&changed, Some(rec.status)).unwrap();
        b.commit().unwrap();
    });
    let expected = format!("where {} were stored", bad.events + 3);
    check_failed_and_others_resume(&e, &bad, &good, &expected);
    e.shutdown();
}
