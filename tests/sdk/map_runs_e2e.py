#!/usr/bin/env python3
"""Distributed Map end to end: `stepline serve` driven by boto3, items and results in a
real S3-compatible server (moto in server mode) and in bucket directories.

Usage: map_runs_e2e.py PATH_TO_STEPLINE. A Map Run reads JSON Lines from the object
store, batches them, tolerates failures below its threshold and writes its results back
(read and checked with boto3); above the threshold it fails, and a redrive reruns only
the children that failed; UpdateMapRun raises the concurrency of a running Map Run; a
kill -9 with children in flight loses nothing and starts no child twice; a CSV object runs
EXPRESS children; an S3 Inventory manifest lists the items.
Prints 'N passed, M failed' and exits non-zero on failure.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import Server as Serve, free_port, run_tests, sdk_client, wait_status  # noqa: E402

STEPLINE = sys.argv[1]
ROLE = "arn:aws:iam::000000000000:role/r"
WORK = "arn:aws:states:us-east-1:000000000000:activity:map-work"


def start_moto(port):
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the moto server did not start")


def s3_client(port):
    import boto3

    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def create(sfn, name, definition):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]


def distributed(fields, states, start, kind="STANDARD"):
    m = {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind}, "StartAt": start, "States": states}}
    m.update(fields)
    return {"StartAt": "Fan", "States": {"Fan": m}}


WORKER_CHILD = {"Work": {"Type": "Task", "Resource": WORK, "End": True}}


def answer_tasks(sfn, n, answer, timeout=20):
    """Takes N tasks of the activity and answers each with ANSWER(input) ->
    ('ok', output) or ('fail', error)."""
    deadline = time.time() + timeout
    done = 0
    while done < n:
        assert time.time() < deadline, f"only {done} of {n} tasks came"
        t = sfn.get_activity_task(activityArn=WORK, workerName="e2e")
        if not t.get("taskToken"):
            continue
        kind, value = answer(json.loads(t["input"]))
        if kind == "ok":
            sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps(value))
        else:
            sfn.send_task_failure(taskToken=t["taskToken"], error=value, cause="failed on purpose")
        done += 1


def take_tasks(sfn, n, timeout=20):
    """N tasks of the activity, unanswered."""
    deadline = time.time() + timeout
    tasks = []
    while len(tasks) < n:
        assert time.time() < deadline, f"only {len(tasks)} of {n} tasks came"
        t = sfn.get_activity_task(activityArn=WORK, workerName="e2e")
        if t.get("taskToken"):
            tasks.append(t)
    return tasks


def only_map_run(sfn, arn):
    runs = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert len(runs) == 1, runs
    return sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])


def test_json_lines_from_the_object_store_batched_tolerated_and_written_back(ctx):
    sfn, s3 = ctx["sfn"], ctx["s3"]
    s3.create_bucket(Bucket="items")
    s3.create_bucket(Bucket="results")
    lines = "".join(json.dumps({"n": i, "bad": i in (3, 7)}) + "\n" for i in range(10))
    s3.put_object(Bucket="items", Key="in/batch.jsonl", Body=lines.encode())
    child = {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.Items[0].bad", "BooleanEquals": True, "Next": "Bad"}], "Default": "Good"},
        "Bad": {"Type": "Fail", "Error": "BadItem", "Cause": "a bad item"},
        "Good": {"Type": "Pass", "Parameters": {"first.$": "$.Items[0].n", "count.$": "States.ArrayLength($.Items)", "tag.$": "$.BatchInput.tag"}, "End": True},
    }
    definition = distributed({
        "Label": "jsonl",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket.$": "$.bucket", "Key": "in/batch.jsonl"}},
        "ItemBatcher": {"MaxItemsPerBatch": 1, "BatchInput": {"tag.$": "$.tag"}},
        "ToleratedFailureCount": 2,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results", "Prefix": "out"}},
    }, child, "Check")
    sm = create(sfn, "jsonl-fan", definition)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"bucket": "items", "tag": "t1"}))["executionArn"]
    d = wait_status(sfn, arn, "SUCCEEDED", timeout=30)
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    run = only_map_run(sfn, arn)
    assert out["MapRunArn"] == run["mapRunArn"], out
    assert run["status"] == "SUCCEEDED" and run["executionArn"] == arn, run
    assert run["itemCounts"]["total"] == 10 and run["itemCounts"]["failed"] == 2 and run["itemCounts"]["succeeded"] == 8, run
    assert run["toleratedFailureCount"] == 2, run
    assert ":mapRun:jsonl-fan/jsonl:" in run["mapRunArn"], run
    key = out["ResultWriterDetails"]["Key"]
    assert out["ResultWriterDetails"]["Bucket"] == "results" and key.startswith("out/") and key.endswith("/manifest.json"), out
    manifest = json.loads(s3.get_object(Bucket="results", Key=key)["Body"].read())
    assert manifest["MapRunArn"] == run["mapRunArn"], manifest
    ok = json.loads(s3.get_object(Bucket="results", Key=manifest["ResultFiles"]["SUCCEEDED"][0]["Key"])["Body"].read())
    bad = json.loads(s3.get_object(Bucket="results", Key=manifest["ResultFiles"]["FAILED"][0]["Key"])["Body"].read())
    assert len(ok) == 8 and len(bad) == 2, (ok, bad)
    firsts = sorted(json.loads(e["Output"])["first"] for e in ok)
    assert firsts == [0, 1, 2, 4, 5, 6, 8, 9], firsts
    assert all(json.loads(e["Output"])["tag"] == "t1" for e in ok)
    assert {e["Error"] for e in bad} == {"BadItem"}, bad
    kids = sfn.list_executions(mapRunArn=run["mapRunArn"], maxResults=100)["executions"]
    assert len(kids) == 10 and all(k["mapRunArn"] == run["mapRunArn"] for k in kids), kids
    failed = sfn.list_executions(mapRunArn=run["mapRunArn"], statusFilter="FAILED")["executions"]
    assert len(failed) == 2, failed
    page = sfn.list_executions(mapRunArn=run["mapRunArn"], maxResults=4)
    assert len(page["executions"]) == 4 and "nextToken" in page, page
    history = sfn.get_execution_history(executionArn=arn)["events"]
    started = [e for e in history if e["type"] == "MapRunStarted"]
    assert started[0]["mapRunStartedEventDetails"]["mapRunArn"] == run["mapRunArn"], started


def test_beyond_the_threshold_fails_and_a_redrive_reruns_only_the_failed_children(ctx):
    sfn = ctx["sfn"]
    try:
        sfn.create_activity(name="map-work")
    except Exception:
        pass
    definition = distributed({"ToleratedFailureCount": 0, "MaxConcurrency": 10}, WORKER_CHILD, "Work")
    sm = create(sfn, "redrive-fan", definition)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps([{"n": i} for i in range(6)]))["executionArn"]
    # Every child's task is taken first; the others succeed, then the flaky one fails.
    tasks = take_tasks(sfn, 6)
    tasks.sort(key=lambda t: json.loads(t["input"])["n"] == 4)
    for t in tasks[:5]:
        sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"done": json.loads(t["input"])["n"]}))
    sfn.send_task_failure(taskToken=tasks[5]["taskToken"], error="Flaky", cause="failed on purpose")
    d = wait_status(sfn, arn, "FAILED", timeout=20)
    assert d["status"] == "FAILED" and d["error"] == "States.ExceedToleratedFailureThreshold", d
    run = only_map_run(sfn, arn)
    assert run["status"] == "FAILED" and run["executionCounts"]["failed"] >= 1, run
    sfn.redrive_execution(executionArn=arn)
    again = []

    def second(inp):
        again.append(inp["n"])
        return ("ok", {"done": inp["n"]})

    answer_tasks(sfn, run["executionCounts"]["failed"] + run["executionCounts"]["aborted"], second)
    d = wait_status(sfn, arn, "SUCCEEDED", timeout=20)
    assert d["status"] == "SUCCEEDED", d
    assert again == [4], again
    assert json.loads(d["output"]) == [{"done": i} for i in range(6)], d["output"]
    run = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert run["status"] == "SUCCEEDED" and run["redriveCount"] == 1, run
    assert run["executionCounts"]["total"] == 6 and run["executionCounts"]["succeeded"] == 6, run
    assert len(sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]) == 6


def test_update_map_run_raises_the_concurrency_of_a_running_run(ctx):
    sfn = ctx["sfn"]
    definition = distributed({"MaxConcurrency": 1}, WORKER_CHILD, "Work")
    sm = create(sfn, "update-fan", definition)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps(list(range(4))))["executionArn"]
    deadline = time.time() + 10
    while not sfn.list_map_runs(executionArn=arn)["mapRuns"]:
        assert time.time() < deadline
        time.sleep(0.05)
    run = only_map_run(sfn, arn)
    assert run["maxConcurrency"] == 1 and run["executionCounts"]["running"] == 1, run
    sfn.update_map_run(mapRunArn=run["mapRunArn"], maxConcurrency=4, toleratedFailureCount=1)
    deadline = time.time() + 10
    while sfn.describe_map_run(mapRunArn=run["mapRunArn"])["executionCounts"]["running"] < 4:
        assert time.time() < deadline, sfn.describe_map_run(mapRunArn=run["mapRunArn"])
        time.sleep(0.05)
    after = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert after["maxConcurrency"] == 4 and after["toleratedFailureCount"] == 1, after
    answer_tasks(sfn, 4, lambda inp: ("ok", inp))
    assert wait_status(sfn, arn, "SUCCEEDED")["status"] == "SUCCEEDED"
    try:
        sfn.update_map_run(mapRunArn=run["mapRunArn"], maxConcurrency=2)
        raise AssertionError("an ended Map Run was updated")
    except sfn.exceptions.ValidationException:
        pass


def test_a_kill_9_with_children_in_flight_loses_nothing_and_starts_no_child_twice(ctx):
    sfn = ctx["sfn"]
    definition = distributed({"MaxConcurrency": 3}, WORKER_CHILD, "Work")
    sm = create(sfn, "kill-fan", definition)
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps(list(range(6))))["executionArn"]
    answer_tasks(sfn, 2, lambda inp: ("ok", {"r": inp}))
    time.sleep(0.3)
    ctx["server"].kill()
    ctx["server"] = Serve(STEPLINE, ctx["data"], ctx["port"])
    sfn = ctx["sfn"] = sdk_client(ctx["port"])
    answer_tasks(sfn, 4, lambda inp: ("ok", {"r": inp}), timeout=30)
    d = wait_status(sfn, arn, "SUCCEEDED", timeout=20)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == [{"r": i} for i in range(6)], d["output"]
    run = only_map_run(sfn, arn)
    kids = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert len(kids) == 6 and run["executionCounts"]["total"] == 6, (kids, run)


def run_to_success(sfn, name, definition):
    """Creates NAME, runs it on {} and waits for it to succeed: its ARN and output."""
    arn = sfn.start_execution(stateMachineArn=create(sfn, name, definition))["executionArn"]
    d = wait_status(sfn, arn, "SUCCEEDED")
    assert d["status"] == "SUCCEEDED", d
    return arn, json.loads(d["output"])


def test_express_children_over_a_csv_object(ctx):
    sfn = ctx["sfn"]
    ctx["s3"].create_bucket(Bucket="tables")
    csv = "id;city\n" + "".join(f"{i};\"c;{i}\"\n" for i in range(50))
    ctx["s3"].put_object(Bucket="tables", Key="cities.csv", Body=csv.encode())
    definition = distributed({
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVDelimiter": "SEMICOLON", "MaxItems": 20},
                       "Parameters": {"Bucket": "tables", "Key": "cities.csv"}},
        "ItemSelector": {"row.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
    }, {"P": {"Type": "Pass", "End": True}}, "P", kind="EXPRESS")
    arn, out = run_to_success(sfn, "csv-fan", definition)
    assert len(out) == 20 and out[19] == {"row": {"id": "19", "city": "c;19"}, "index": 19}, out[19]
    run = only_map_run(sfn, arn)
    assert run["itemCounts"]["succeeded"] == 20, run
    assert sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"] == []


def test_an_s3_inventory_manifest_lists_the_items(ctx):
    import gzip

    s3, sfn = ctx["s3"], ctx["sfn"]
    s3.create_bucket(Bucket="inventory")
    def rows(numbers):
        return "".join(f'"photos","img/{i}.jpg","{100 + i}"\n' for i in numbers).encode()

    s3.put_object(Bucket="inventory", Key="inv/data/a.csv.gz", Body=gzip.compress(rows(range(0, 4))))
    s3.put_object(Bucket="inventory", Key="inv/data/b.csv.gz", Body=gzip.compress(rows(range(4, 7))))
    manifest = {"sourceBucket": "photos", "destinationBucket": "arn:aws:s3:::inventory", "version": "2016-11-30",
                "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size",
                "files": [{"key": "inv/data/a.csv.gz", "size": 1}, {"key": "inv/data/b.csv.gz", "size": 1}]}
    s3.put_object(Bucket="inventory", Key="inv/manifest.json", Body=json.dumps(manifest).encode())
    definition = distributed({
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
                       "Parameters": {"Bucket": "inventory", "Key": "inv/manifest.json"}},
        "ItemSelector": {"key.$": "$$.Map.Item.Value.Key", "size.$": "States.StringToJson($$.Map.Item.Value.Size)"},
    }, {"P": {"Type": "Pass", "End": True}}, "P", kind="EXPRESS")
    _, out = run_to_success(sfn, "inventory-fan", definition)
    assert out == [{"key": f"img/{i}.jpg", "size": 100 + i} for i in range(7)], out


def test_the_worked_example_of_docs_composing(ctx):
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "composing")
    s3, sfn = ctx["s3"], ctx["sfn"]
    s3.create_bucket(Bucket="photos")
    s3.create_bucket(Bucket="reports")
    with open(os.path.join(root, "photos.jsonl"), "rb") as f:
        s3.put_object(Bucket="photos", Key="2026/december.jsonl", Body=f.read())
    with open(os.path.join(root, "thumbnails.json")) as f:
        sm = sfn.create_state_machine(name="thumbnails", definition=f.read(), roleArn=ROLE)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"key": "2026/december.jsonl", "width": 320}))["executionArn"]
    d = wait_status(sfn, arn, "SUCCEEDED", timeout=30)
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    run = only_map_run(sfn, arn)
    assert run["itemCounts"]["succeeded"] == 38 and run["itemCounts"]["failed"] == 2, run
    manifest = json.loads(s3.get_object(Bucket="reports", Key=out["ResultWriterDetails"]["Key"])["Body"].read())
    failed = json.loads(s3.get_object(Bucket="reports", Key=manifest["ResultFiles"]["FAILED"][0]["Key"])["Body"].read())
    names = sorted(json.loads(e["Input"])["photo"]["name"] for e in failed)
    assert names == ["IMG_0007.jpg", "IMG_0023.jpg"] and failed[0]["Error"] == "Photo.TooLarge", failed


def test_a_json_lines_file_in_a_bucket_directory_without_an_object_store(ctx):
    """The embedded default: no object store, buckets are directories under the data one."""
    tmp = tempfile.mkdtemp(prefix="stepline-maprun-dir-")
    data = os.path.join(tmp, "data")
    os.makedirs(os.path.join(data, "buckets", "photos"))
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "composing")
    with open(os.path.join(root, "photos.jsonl"), "rb") as src, open(os.path.join(data, "buckets", "photos", "december.jsonl"), "wb") as dst:
        dst.write(src.read())
    saved = {k: os.environ.pop(k) for k in ["AWS_ENDPOINT_URL_S3"] if k in os.environ}
    port = free_port()
    try:
        server = Serve(STEPLINE, data, port)
    finally:
        os.environ.update(saved)
    try:
        sfn = sdk_client(port)
        with open(os.path.join(root, "thumbnails.json")) as f:
            sm = sfn.create_state_machine(name="thumbnails", definition=f.read(), roleArn=ROLE)["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"key": "december.jsonl", "width": 160}))["executionArn"]
        d = wait_status(sfn, arn, "SUCCEEDED", timeout=30)
        assert d["status"] == "SUCCEEDED", d
        key = json.loads(d["output"])["ResultWriterDetails"]["Key"]
        with open(os.path.join(data, "buckets", "reports", key)) as f:
            manifest = json.load(f)
        with open(os.path.join(data, "buckets", "reports", manifest["ResultFiles"]["SUCCEEDED"][0]["Key"])) as f:
            ok = json.load(f)
        assert len(ok) == 38 and all(json.loads(e["Output"])["width"] == 160 for e in ok), ok[:1]
        assert len(sfn.list_executions(mapRunArn=only_map_run(sfn, arn)["mapRunArn"], maxResults=100)["executions"]) == 40
    finally:
        server.kill()


def main():
    tmp = tempfile.mkdtemp(prefix="stepline-maprun-e2e-")
    moto_port = free_port()
    moto = start_moto(moto_port)
    os.environ.update({"AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{moto_port}", "AWS_ACCESS_KEY_ID": "test",
                       "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"})
    port = free_port()
    data = os.path.join(tmp, "data")
    ctx = {"server": Serve(STEPLINE, data, port), "port": port, "data": data,
           "sfn": sdk_client(port), "s3": s3_client(moto_port)}
    try:
        run_tests([
            test_json_lines_from_the_object_store_batched_tolerated_and_written_back,
            test_beyond_the_threshold_fails_and_a_redrive_reruns_only_the_failed_children,
            test_update_map_run_raises_the_concurrency_of_a_running_run,
            test_a_kill_9_with_children_in_flight_loses_nothing_and_starts_no_child_twice,
            test_express_children_over_a_csv_object,
            test_an_s3_inventory_manifest_lists_the_items,
            test_the_worked_example_of_docs_composing,
            test_a_json_lines_file_in_a_bucket_directory_without_an_object_store,
        ], ctx)
    finally:
        moto.kill()


if __name__ == "__main__":
    main()
