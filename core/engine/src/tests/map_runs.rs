//! Map Runs: a Distributed Map's items as child executions, from the state input and from
//! files in a bucket, batched, with tolerated failures, results written, concurrency,
//! stop, and a restart with children in flight.

use super::*;
use serde_json::{json, Value};
use std::time::Duration;
use stepline_asl::interp::Status;

/// A parent whose one state is a Distributed Map with `fields`, its processor `states`
/// (starting at `start`), children of `kind`.
fn parent(fields: Value, start: &str, states: Value, kind: &str) -> String {
    let mut map = json!({"Type": "Map", "End": true, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
        "StartAt": start, "States": states}});
    map.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    json!({"StartAt": "Fan", "States": {"Fan": map}}).to_string()
}

fn pass() -> Value {
    json!({"P": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": true}})
}

fn event_types(e: &Engine, arn: &str) -> Vec<String> {
    e.history(arn, 0, 10_000, false).unwrap().iter().map(|h| h["type"].as_str().unwrap().to_string()).collect()
}

fn setup(name: &str, definition: &str) -> (Engine, String, std::path::PathBuf) {
    let dir = data_dir(name);
    let e = engine(&dir);
    let p = e.create_state_machine("parent", definition, "STANDARD", "role").unwrap();
    (e, p.arn, dir)
}

#[test]
fn items_of_the_input_run_as_listed_children_of_a_labelled_map_run() {
    let def = parent(
        json!({"Label": "fan", "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"}}),
        "P",
        pass(),
        "STANDARD",
    );
    let (e, p, _) = setup("maprun-input", &def);
    let run = e.start_execution(&p, Some("p1"), json!([10, 20, 30])).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded, "{done:?}");
    assert_eq!(
        *done.output.unwrap(),
        json!([{"got": {"v": 10, "i": 0}}, {"got": {"v": 20, "i": 1}}, {"got": {"v": 30, "i": 2}}])
    );
    let runs = e.list_map_runs(&run.arn).unwrap();
    assert_eq!(runs.len(), 1);
    let mr = &runs[0];
    assert!(mr.arn.starts_with("arn:aws:states:us-east-1:000000000000:mapRun:parent/fan:"), "{}", mr.arn);
    assert_eq!((mr.status.as_str(), mr.items.succeeded, mr.executions.total), ("SUCCEEDED", 3, 3));
    assert_eq!(mr.state_machine_arn, format!("{p}/fan"));
    let kids = e.map_run_executions(&mr.arn, 0, 100).unwrap();
    assert_eq!(kids.len(), 3);
    for (i, (index, kid)) in kids.iter().enumerate() {
        assert_eq!(*index, i as u64);
        assert_eq!(kid.map_run.as_deref(), Some(mr.arn.as_str()));
        assert_eq!(kid.parent.as_deref(), Some(run.arn.as_str()));
        assert!(kid.arn.contains(":execution:parent/fan:"), "{}", kid.arn);
        assert_eq!(
            event_types(&e, &kid.arn),
            ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
        );
    }
    let history = e.history(&run.arn, 0, 100, false).unwrap();
    let types: Vec<&str> = history.iter().map(|h| h["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(history[3]["mapRunStartedEventDetails"]["mapRunArn"], json!(mr.arn));
    assert!(matches!(
        e.describe_map_run("arn:aws:states:us-east-1:000000000000:mapRun:x/y:z"),
        Err(ExecutionError::MapRunDoesNotExist(_))
    ));
    e.shutdown();
}

#[test]
fn json_lines_in_a_bucket_are_batched_and_the_results_written_as_aws_lays_them_out() {
    let def = parent(
        json!({
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL", "MaxItems": 5},
                           "Parameters": {"Bucket": "in", "Key.$": "$.key"}},
            "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.key"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "results"}}
        }),
        "P",
        pass(),
        "STANDARD",
    );
    let (e, p, dir) = setup("maprun-jsonl", &def);
    std::fs::create_dir_all(dir.join("buckets/in/data")).unwrap();
    let lines: String = (0..7).map(|i| format!("{{\"n\": {i}}}\n")).collect();
    std::fs::write(dir.join("buckets/in/data/items.jsonl"), lines).unwrap();
    let run = e.start_execution(&p, None, json!({"key": "data/items.jsonl"})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded, "{done:?}");
    let out = Value::clone(done.output.as_ref().unwrap());
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    assert_eq!(out["MapRunArn"], json!(mr.arn));
    let id = mr.arn.rsplit(':').next().unwrap();
    assert_eq!(out["ResultWriterDetails"], json!({"Bucket": "out", "Key": format!("results/{id}/manifest.json")}));
    // MaxItems 5 in batches of 2: three children holding 2, 2 and 1 items.
    assert_eq!((mr.items.total, mr.items.succeeded, mr.executions.total), (5, 5, 3));
    let root = dir.join(format!("buckets/out/results/{id}"));
    let manifest: Value = serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["MapRunArn"], json!(mr.arn));
    assert_eq!(manifest["ResultFiles"]["SUCCEEDED"][0]["Key"], json!(format!("results/{id}/SUCCEEDED_0.json")));
    let succeeded: Vec<Value> = serde_json::from_slice(&std::fs::read(root.join("SUCCEEDED_0.json")).unwrap()).unwrap();
    assert_eq!(succeeded.len(), 3);
    let mut inputs: Vec<Value> =
        succeeded.iter().map(|s| serde_json::from_str(s["Input"].as_str().unwrap()).unwrap()).collect();
    inputs.sort_by_key(|i| i["Items"][0]["n"].as_u64());
    assert_eq!(inputs[0], json!({"BatchInput": {"run": "data/items.jsonl"}, "Items": [{"n": 0}, {"n": 1}]}));
    assert_eq!(inputs[2]["Items"], json!([{"n": 4}]));
    let output: Value = serde_json::from_str(succeeded[0]["Output"].as_str().unwrap()).unwrap();
    assert!(output["got"]["Items"].is_array());
    assert_eq!(succeeded[0]["Status"], json!("SUCCEEDED"));
    let failed: Vec<Value> = serde_json::from_slice(&std::fs::read(root.join("FAILED_0.json")).unwrap()).unwrap();
    assert!(failed.is_empty());
    e.shutdown();
}

/// Children that fail when their item is odd.
fn odd_fails() -> Value {
    json!({
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.odd", "BooleanEquals": true, "Next": "No"}], "Default": "Yes"},
        "No": {"Type": "Fail", "Error": "Odd", "Cause": "an odd item"},
        "Yes": {"Type": "Succeed"}
    })
}

#[test]
fn failures_within_the_tolerated_count_keep_their_errors_and_beyond_it_fail_the_state() {
    let items = json!([{"odd": true}, {"odd": true}, {"odd": false}, {"odd": false}]);
    for (tolerated, ok) in [(2, true), (1, false)] {
        let def =
            parent(json!({"ToleratedFailureCount": tolerated, "MaxConcurrency": 1}), "Check", odd_fails(), "STANDARD");
        let (e, p, _) = setup(&format!("maprun-tolerated-{tolerated}"), &def);
        let run = e.start_execution(&p, None, items.clone()).unwrap();
        let status = if ok { Status::Succeeded } else { Status::Failed };
        let done = wait_for(&e, &run.arn, status);
        assert_eq!(done.status, status, "{done:?}");
        let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
        if ok {
            let out = Value::clone(done.output.as_ref().unwrap());
            assert_eq!(out[1], json!({"Error": "Odd", "Cause": "an odd item"}));
            assert_eq!(out[2], json!({"odd": false}));
            assert_eq!((mr.status.as_str(), mr.items.failed, mr.items.succeeded), ("SUCCEEDED", 2, 2));
        } else {
            assert_eq!(done.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
            assert_eq!(mr.status, "FAILED");
            // One at a time: the second failure stopped the run before the other items.
            assert_eq!((mr.items.failed, mr.items.total, mr.items.pending), (2, 4, 2));
            let types = event_types(&e, &run.arn);
            assert!(types.contains(&"MapRunFailed".to_string()), "{types:?}");
        }
        e.shutdown();
    }
}

#[test]
fn express_children_run_in_memory_over_a_csv_file() {
    let def = parent(
        json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                               "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                               "Parameters": {"Bucket": "in", "Key": "rows.csv"}}}),
        "P",
        pass(),
        "EXPRESS",
    );
    let (e, p, dir) = setup("maprun-express", &def);
    std::fs::create_dir_all(dir.join("buckets/in")).unwrap();
    let mut csv = String::from("id,name\n");
    for i in 0..500 {
        csv.push_str(&format!("{i},\"n{i}\"\n"));
    }
    std::fs::write(dir.join("buckets/in/rows.csv"), csv).unwrap();
    let run = e.start_execution(&p, None, json!({})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded, "{done:?}");
    let out = Value::clone(done.output.as_ref().unwrap());
    assert_eq!(out.as_array().unwrap().len(), 500);
    assert_eq!(out[499], json!({"got": {"id": "499", "name": "n499"}}));
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    assert!(mr.express);
    assert_eq!((mr.items.succeeded, mr.executions.succeeded), (500, 500));
    assert!(e.map_run_executions(&mr.arn, 0, 10).unwrap().is_empty(), "EXPRESS children are not kept");
    e.shutdown();
}

#[test]
fn an_unreadable_item_source_fails_the_state_with_the_reader_error() {
    let def = parent(
        json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                               "Parameters": {"Bucket": "in", "Key": "missing.json"}}}),
        "P",
        pass(),
        "STANDARD",
    );
    let (e, p, _) = setup("maprun-missing", &def);
    let run = e.start_execution(&p, None, json!({})).unwrap();
    let done = wait_for(&e, &run.arn, Status::Failed);
    assert_eq!(done.error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(done.cause.as_deref().unwrap().contains("missing.json"), "{:?}", done.cause);
    e.shutdown();
}

/// A processor whose one Task asks a worker of `work`.
fn work() -> Value {
    json!({"W": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work", "End": true}})
}

#[test]
fn concurrency_is_bounded_and_stopping_the_parent_aborts_the_run_and_its_children() {
    let def = parent(json!({"MaxConcurrency": 2}), "W", work(), "STANDARD");
    let (e, p, _) = setup("maprun-stop", &def);
    let run = e.start_execution(&p, None, json!([1, 2, 3, 4, 5])).unwrap();
    let first = e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    e.poll_task("work", Duration::from_secs(5)).expect("a second child's task");
    assert!(e.poll_task("work", Duration::from_millis(300)).is_none(), "MaxConcurrency 2");
    e.answer_task(&first.token, TaskAnswer::Success(json!("one"))).unwrap();
    e.poll_task("work", Duration::from_secs(5)).expect("a third child once one ended");
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    e.stop_execution(&run.arn, None, Some("enough")).unwrap();
    let stopped = wait_for(&e, &run.arn, Status::Aborted);
    assert_eq!(stopped.status, Status::Aborted);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mr = loop {
        let now = e.describe_map_run(&mr.arn).unwrap();
        if now.status != "RUNNING" || std::time::Instant::now() > deadline {
            break now;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(mr.status, "ABORTED");
    let kids = e.map_run_executions(&mr.arn, 0, 10).unwrap();
    assert_eq!(kids.len(), 3);
    let statuses: Vec<Status> = kids.iter().map(|(_, k)| k.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == Status::Aborted).count(), 2, "{statuses:?}");
    assert!(event_types(&e, &run.arn).contains(&"MapRunAborted".to_string()));
    e.shutdown();
}

#[test]
fn a_map_run_resumes_after_a_restart_without_starting_a_child_twice() {
    let def = parent(json!({"MaxConcurrency": 2}), "W", work(), "STANDARD");
    let dir = data_dir("maprun-restart");
    let e = engine(&dir);
    let p = e.create_state_machine("parent", &def, "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!([0, 1, 2, 3])).unwrap();
    let t = e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    e.answer_task(&t.token, TaskAnswer::Success(json!({"r": t.input}))).unwrap();
    e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    e.shutdown();
    drop(e);

    let e = engine(&dir);
    let mut answered = 1;
    while answered < 4 {
        let t = e.poll_task("work", Duration::from_secs(5)).expect("a child's task, handed out again or new");
        e.answer_task(&t.token, TaskAnswer::Success(json!({"r": t.input}))).unwrap();
        answered += 1;
    }
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded, "{done:?}");
    assert_eq!(*done.output.unwrap(), json!([{"r": 0}, {"r": 1}, {"r": 2}, {"r": 3}]));
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    assert_eq!((mr.executions.total, mr.executions.succeeded), (4, 4));
    assert_eq!(e.map_run_executions(&mr.arn, 0, 10).unwrap().len(), 4);
    e.shutdown();
}

#[test]
fn a_redrive_reruns_only_the_children_that_did_not_succeed() {
    let def = parent(json!({"Label": "again"}), "W", work(), "STANDARD");
    let (e, p, _) = setup("maprun-redrive", &def);
    let run = e.start_execution(&p, None, json!([0, 1, 2, 3])).unwrap();
    let mut tasks: Vec<_> =
        (0..4).map(|_| e.poll_task("work", Duration::from_secs(5)).expect("a child's task")).collect();
    tasks.sort_by_key(|t| t.input.as_u64());
    e.answer_task(&tasks[0].token, TaskAnswer::Success(json!("r0"))).unwrap();
    let failure = TaskAnswer::Failure { error: "Flaky".into(), cause: "try again".into() };
    e.answer_task(&tasks[1].token, failure).unwrap();
    let failed = wait_for(&e, &run.arn, Status::Failed);
    assert_eq!(failed.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    assert_eq!(mr.status, "FAILED");
    assert_eq!((mr.executions.succeeded, mr.executions.failed, mr.executions.aborted), (1, 1, 2));

    e.redrive_execution(&run.arn).unwrap();
    for _ in 0..3 {
        let t = e.poll_task("work", Duration::from_secs(5)).expect("a redriven child's task");
        let n = t.input.as_u64().unwrap();
        assert_ne!(n, 0, "the child that succeeded is not run again");
        e.answer_task(&t.token, TaskAnswer::Success(json!(format!("r{n}")))).unwrap();
    }
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded, "{done:?}");
    assert_eq!(*done.output.unwrap(), json!(["r0", "r1", "r2", "r3"]));
    let after = e.describe_map_run(&mr.arn).unwrap();
    assert_eq!((after.status.as_str(), after.redrive_count), ("SUCCEEDED", 1));
    assert_eq!((after.executions.total, after.executions.succeeded, after.items.succeeded), (4, 4, 4));
    let kids = e.map_run_executions(&mr.arn, 0, 10).unwrap();
    let redriven: Vec<u32> = kids.iter().map(|(_, k)| k.redrive_count).collect();
    assert_eq!(redriven, [0, 1, 1, 1]);
    let history = e.history(&run.arn, 0, 100, false).unwrap();
    let redrive = history.iter().find(|h| h["type"] == "MapRunRedriven").expect("MapRunRedriven");
    assert_eq!(redrive["mapRunRedrivenEventDetails"], json!({"mapRunArn": mr.arn, "redriveCount": 1}));
    e.shutdown();
}

#[test]
fn jsonata_maps_read_their_arguments_and_express_children_may_wait_on_a_worker() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "Fan", "States": {"Fan": {"Type": "Map", "End": true,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                       "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "{% $states.input.key %}"}},
        "ItemSelector": {"n": "{% $states.context.Map.Item.Value.n * 10 %}", "at": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "Ask",
            "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:times",
                               "Output": "{% $states.result %}", "End": true}}},
        "Output": "{% $sum($states.result.n) %}"}}});
    let (e, p, dir) = setup("maprun-jsonata", &def.to_string());
    std::fs::create_dir_all(dir.join("buckets/in")).unwrap();
    std::fs::write(dir.join("buckets/in/items.json"), r#"[{"n": 1}, {"n": 2}, {"n": 3}]"#).unwrap();
    let run = e.start_execution(&p, None, json!({"bucket": "in", "key": "items.json"})).unwrap();
    for _ in 0..3 {
        let t = e.poll_task("times", Duration::from_secs(5)).expect("an EXPRESS child's task");
        let n = t.input["n"].as_i64().unwrap();
        assert_eq!(t.input["at"].as_i64().unwrap(), n / 10 - 1);
        e.answer_task(&t.token, TaskAnswer::Success(json!({"n": n + 1}))).unwrap();
    }
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(done.status, Status::Succeeded, "{done:?}");
    assert_eq!(*done.output.unwrap(), json!(63));
    e.shutdown();
}

#[test]
fn a_run_that_ended_before_its_parent_heard_answers_it_after_a_restart_and_starts_nothing() {
    let def = parent(json!({}), "W", work(), "STANDARD");
    let dir = data_dir("maprun-ended-unheard");
    let e = engine(&dir);
    let p = e.create_state_machine("parent", &def, "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!([0, 1])).unwrap();
    e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    e.poll_task("work", Duration::from_secs(5)).expect("a child's task");
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    e.shutdown();
    drop(e);
    // The run's end is in the store, its answer to the parent is not (a commit between).
    {
        let store = crate::store::Store::open(&dir.join("stepline.redb")).unwrap();
        let mut rec = store.map_run(&mr.arn).unwrap().unwrap();
        (rec.status, rec.error, rec.cause) = ("FAILED".into(), Some("Boom".into()), Some("it broke".into()));
        let mut b = crate::storage::Storage::begin(&store).unwrap();
        b.put_map_run(&rec, false).unwrap();
        b.commit().unwrap();
    }
    let e = engine(&dir);
    let done = wait_for(&e, &run.arn, Status::Failed);
    assert_eq!((done.error.as_deref(), done.cause.as_deref()), (Some("Boom"), Some("it broke")));
    assert_eq!(e.map_run_executions(&mr.arn, 0, 10).unwrap().len(), 2, "no child started again");
    e.shutdown();
}

#[test]
fn a_restart_during_a_redriven_run_does_not_redrive_its_children_twice() {
    let def = parent(json!({}), "W", work(), "STANDARD");
    let dir = data_dir("maprun-redrive-restart");
    let e = engine(&dir);
    let p = e.create_state_machine("parent", &def, "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!([0, 1])).unwrap();
    let mut tasks: Vec<_> = (0..2).map(|_| e.poll_task("work", Duration::from_secs(5)).unwrap()).collect();
    tasks.sort_by_key(|t| t.input.as_u64());
    e.answer_task(&tasks[0].token, TaskAnswer::Success(json!("r0"))).unwrap();
    let failure = TaskAnswer::Failure { error: "Flaky".into(), cause: "once".into() };
    e.answer_task(&tasks[1].token, failure).unwrap();
    wait_for(&e, &run.arn, Status::Failed);
    e.redrive_execution(&run.arn).unwrap();
    e.poll_task("work", Duration::from_secs(5)).expect("the redriven child's task");
    e.shutdown();
    drop(e);

    let e = engine(&dir);
    let t = e.poll_task("work", Duration::from_secs(5)).expect("handed out again after the restart");
    e.answer_task(&t.token, TaskAnswer::Success(json!("r1"))).unwrap();
    let done = wait_for(&e, &run.arn, Status::Succeeded);
    assert_eq!(*done.output.unwrap(), json!(["r0", "r1"]));
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    let redriven: Vec<u32> =
        e.map_run_executions(&mr.arn, 0, 10).unwrap().iter().map(|(_, k)| k.redrive_count).collect();
    assert_eq!(redriven, [0, 1]);
    assert_eq!((mr.redrive_count, mr.executions.succeeded, mr.executions.total), (1, 2, 2));
    e.shutdown();
}

#[test]
fn results_past_the_payload_limit_fail_the_state_without_being_held() {
    let dir = data_dir("maprun-too-big");
    let e = open(EngineConfig { data_dir: dir, max_payload: 2_000, ..EngineConfig::default() }).unwrap();
    // Each child answers 100 bytes: 40 of them are twice the limit.
    let wide = json!({"P": {"Type": "Pass", "Result": "x".repeat(100), "End": true}});
    let def = parent(json!({}), "P", wide, "EXPRESS");
    let p = e.create_state_machine("parent", &def, "STANDARD", "role").unwrap().arn;
    let run = e.start_execution(&p, None, json!((0..40).collect::<Vec<_>>())).unwrap();
    let done = wait_for(&e, &run.arn, Status::Failed);
    assert_eq!(done.error.as_deref(), Some("States.DataLimitExceeded"), "{done:?}");
    let mr = e.list_map_runs(&run.arn).unwrap().remove(0);
    assert_eq!(mr.items.succeeded, 40, "every child ran");
    e.shutdown();
}
