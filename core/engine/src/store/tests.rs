//! Store tests on real redb files in a temporary directory.

use super::*;
use serde_json::json;
use stepline_asl::interp::Event;

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stepline-store-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("stepline.redb");
    let _ = std::fs::remove_file(&p);
    p
}

fn exec(arn: &str, machine: &str, start: Millis, status: Status) -> ExecutionRecord {
    ExecutionRecord {
        arn: arn.into(),
        name: arn.rsplit(':').next().unwrap().into(),
        state_machine_arn: machine.into(),
        state_machine_version: 1,
        status,
        start,
        stop: None,
        input: json!({"n": start}).into(),
        output: None,
        error: None,
        cause: None,
        redrive_count: 0,
        events: 0,
        journal: 0,
        transitions: 0,
        failed_state: None,
        updated: 0,
        retrying: false,
        test_case: None,
        parent: None,
        parent_call: None,
        map_run: None,
        version_arn: None,
        alias_arn: None,
        redriven: None,
    }
}

#[test]
fn executions_list_newest_first_with_filters_and_pages() {
    let store = Store::open(&temp_path("list")).unwrap();
    let mut b = store.begin().unwrap();
    for i in 0..10 {
        let machine = if i % 2 == 0 { "sm:even" } else { "sm:odd" };
        b.put_execution(&exec(&format!("ex:{i}"), machine, 1000 + i, Status::Running), None).unwrap();
    }
    b.commit().unwrap();
    let all = store.list_executions(None, None, 100, None).unwrap();
    assert_eq!(all.iter().map(|e| e.start).collect::<Vec<_>>(), (1000..1010).rev().collect::<Vec<_>>());
    let page = store.list_executions(None, None, 3, None).unwrap();
    let last = page.last().unwrap();
    let next = store.list_executions(None, None, 3, Some((last.start, &last.arn))).unwrap();
    assert_eq!(next.iter().map(|e| e.start).collect::<Vec<_>>(), [1006, 1005, 1004]);
    let odd = store.list_executions(Some("sm:odd"), None, 100, None).unwrap();
    assert_eq!(odd.len(), 5);
    assert!(odd.iter().all(|e| e.state_machine_arn == "sm:odd"));

    // A status change moves the execution between status indexes.
    let mut done = exec("ex:3", "sm:odd", 1003, Status::Succeeded);
    done.output = Some(json!(1).into());
    let mut b = store.begin().unwrap();
    b.put_execution(&done, Some(Status::Running)).unwrap();
    b.commit().unwrap();
    assert_eq!(store.running().unwrap().len(), 9);
    let ok = store.list_executions(None, Some(Status::Succeeded), 10, None).unwrap();
    assert_eq!(ok, vec![done.clone()]);
    assert_eq!(store.list_executions(Some("sm:odd"), Some(Status::Succeeded), 10, None).unwrap(), vec![done]);
}

#[test]
fn journal_and_history_read_back_in_order_and_reversed() {
    let store = Store::open(&temp_path("journal")).unwrap();
    let mut b = store.begin().unwrap();
    // Chunks of uneven sizes, as batches produce them: [1..3], [4], [5..9], [10..12].
    for chunk in [1..=3u64, 4..=4, 5..=9, 10..=12] {
        let events: Vec<Value> = chunk.map(|i| json!({"id": i})).collect();
        b.append_history("ex:1", &events).unwrap();
    }
    for i in 1..=12u64 {
        b.append_journal("ex:1", i, &JournalEntry::Event { now: i as i64, event: Event::TimerFired { id: i } })
            .unwrap();
    }
    b.append_history("ex:2", &[json!({"id": 1, "other": true})]).unwrap();
    b.commit().unwrap();
    let ids = |v: Vec<Value>| v.iter().map(|e| e["id"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(ids(store.history("ex:1", 0, 5, false).unwrap()), [1, 2, 3, 4, 5]);
    assert_eq!(ids(store.history("ex:1", 5, 5, false).unwrap()), [6, 7, 8, 9, 10]);
    assert_eq!(ids(store.history("ex:1", 0, 3, true).unwrap()), [12, 11, 10]);
    assert_eq!(ids(store.history("ex:1", 10, 3, true).unwrap()), [9, 8, 7]);
    assert_eq!(ids(store.history("ex:1", 3, 100, false).unwrap()), (4..=12).collect::<Vec<_>>());
    assert_eq!(ids(store.history("ex:1", 4, 2, true).unwrap()), [3, 2]);
    assert_eq!(store.history("ex:2", 0, 10, false).unwrap(), vec![json!({"id": 1, "other": true})]);
    let j = store.journal("ex:1").unwrap();
    assert_eq!(j.len(), 12);
    assert_eq!(j[11], JournalEntry::Event { now: 12, event: Event::TimerFired { id: 12 } });
}

#[test]
fn committed_batches_survive_a_reopen_and_uncommitted_ones_vanish() {
    let path = temp_path("reopen");
    {
        let store = Store::open(&path).unwrap();
        let mut b = store.begin().unwrap();
        b.put_execution(&exec("ex:kept", "sm", 1, Status::Running), None).unwrap();
        b.commit().unwrap();
        let mut b = store.begin().unwrap();
        b.put_execution(&exec("ex:lost", "sm", 2, Status::Running), None).unwrap();
        drop(b); // the process dies before commit
    }
    let store = Store::open(&path).unwrap();
    assert!(store.execution("ex:kept").unwrap().is_some());
    assert!(store.execution("ex:lost").unwrap().is_none());
    assert_eq!(store.running().unwrap().len(), 1);
}

#[test]
fn state_machine_versions_are_kept() {
    let store = Store::open(&temp_path("versions")).unwrap();
    let mut rec = StateMachineRecord {
        arn: "sm:a".into(),
        name: "a".into(),
        kind: "STANDARD".into(),
        role_arn: "role".into(),
        definition: "{\"v\":1}".into(),
        version: 1,
        created: 1,
        updated: 1,
        tags: vec![],
        logging: None,
        tracing: None,
    };
    let mut b = store.begin().unwrap();
    b.put_state_machine(&rec).unwrap();
    rec.version = 2;
    rec.definition = "{\"v\":2}".into();
    b.put_state_machine(&rec).unwrap();
    b.commit().unwrap();
    assert_eq!(store.state_machine("sm:a").unwrap().unwrap().version, 2);
    assert_eq!(store.state_machine_version("sm:a", 1).unwrap().unwrap(), "{\"v\":1}");
    assert_eq!(store.list_state_machines().unwrap().len(), 1);
}

#[test]
fn history_timestamps_read_back_as_milliseconds_also_from_older_stores() {
    use stepline_asl::history::{EventKind, HistoryEvent};
    let store = Store::open(&temp_path("timestamps")).unwrap();
    let event = |id: u64, timestamp: Millis| HistoryEvent {
        id,
        previous_event_id: id - 1,
        timestamp,
        kind: EventKind::ExecutionRedriven { redrive_count: 1 },
    };
    let mut b = store.begin().unwrap();
    // Before timestamps were kept typed, events were stored with RFC 3339 text.
    b.append_history("ex:1", &[event(1, 1_700_000_000_123).to_aws_json()]).unwrap();
    b.append_history("ex:1", &[event(2, 1_700_000_001_456).to_stored_json()]).unwrap();
    b.commit().unwrap();
    let h = store.history("ex:1", 0, 10, false).unwrap();
    assert_eq!(h[0]["timestamp"], json!(1_700_000_000_123_i64));
    assert_eq!(h[1]["timestamp"], json!(1_700_000_001_456_i64));
    assert_eq!(h, [event(1, 1_700_000_000_123).to_stored_json(), event(2, 1_700_000_001_456).to_stored_json()]);
}
