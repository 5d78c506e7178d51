#!/usr/bin/env python3
"""Child executions end to end: `stepline serve` driven by boto3.

Usage: children_e2e.py PATH_TO_STEPLINE. A parent starts a child in every pattern
(`states:startExecution`, `.sync`, `.sync:2`, `.waitForTaskToken`) in both query languages;
a failing child is caught by its parent; stopping a parent stops the child it waits on;
a kill -9 with parents and children in flight loses nothing and starts no child twice; and a
redriven Parallel or inline Map runs again only what failed.
Prints 'N passed, M failed' and exits non-zero on failure.
"""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import Server as Serve, free_port, run_tests, sdk_client, wait_status  # noqa: E402

STEPLINE = sys.argv[1]


def Server(data, port):
    return Serve(STEPLINE, data, port)
WORK = "arn:aws:states:us-east-1:000000000000:activity:child-work"
START = "arn:aws:states:::states:startExecution"


def create(sfn, name, definition):
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]


def raw_describe(port, arn):
    """DescribeExecution as the wire has it: boto3 drops members AWS's model lacks, such as
    Stepline's parentExecutionArn."""
    import urllib.request

    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps({"executionArn": arn}).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.DescribeExecution"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def children_of(sfn, machine):
    return sfn.list_executions(stateMachineArn=machine, maxResults=1000)["executions"]


# The child doubles `n`; the callback child answers its parent's token itself.
DOUBLER = {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}}
CALLBACK_CHILD = {
    "StartAt": "Reply",
    "States": {
        "Reply": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
            "Parameters": {"TaskToken.$": "$.token", "Output.$": "States.JsonToString($.n)"},
            "End": True,
        }
    },
}


def jsonpath_parent(resource, child, callback):
    params = {"StateMachineArn": child, "Input": {"n.$": "$.n", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}}
    if callback:
        params["Input"]["token.$"] = "$$.Task.Token"
    return {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource, "Parameters": params, "End": True}}}


def jsonata_parent(resource, child, callback):
    inp = {"n": "{% $states.input.n %}"}
    if callback:
        inp["token"] = "{% $states.context.Task.Token %}"
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": resource, "Arguments": {"StateMachineArn": child, "Input": inp}, "End": True}},
    }


def test_every_pattern_in_both_languages(ctx):
    sfn = ctx["sfn"]
    doubler = create(sfn, "doubler", DOUBLER)
    replier = create(sfn, "replier", CALLBACK_CHILD)
    for lang, make in (("jsonpath", jsonpath_parent), ("jsonata", jsonata_parent)):
        for suffix in ("", ".sync", ".sync:2", ".waitForTaskToken"):
            callback = suffix == ".waitForTaskToken"
            child = replier if callback else doubler
            tag = f"{lang}{suffix.replace('.', '-').replace(':', '-')}"
            parent = create(sfn, f"parent-{tag}", make(START + suffix, child, callback))
            ex = sfn.start_execution(stateMachineArn=parent, name=f"run-{tag}", input=json.dumps({"n": 21}))
            d = wait_status(sfn, ex["executionArn"], "SUCCEEDED")
            assert d["status"] == "SUCCEEDED", (tag, d)
            out = json.loads(d["output"])
            if callback:
                assert out == 21, (tag, out)
                continue
            kid = raw_describe(ctx["port"], out["ExecutionArn"])
            assert kid["parentExecutionArn"] == ex["executionArn"], (tag, kid)
            if suffix == "":
                assert set(out) == {"ExecutionArn", "StartDate", "SdkHttpMetadata", "SdkResponseMetadata"}, (tag, out)
                assert wait_status(sfn, kid["executionArn"], "SUCCEEDED")["status"] == "SUCCEEDED"
            elif suffix == ".sync":
                assert json.loads(out["Output"]) == {"doubled": 42} and out["Status"] == "SUCCEEDED", (tag, out)
            else:
                assert out["Output"] == {"doubled": 42} and out["Input"]["n"] == 21, (tag, out)


def test_failed_child_is_caught(ctx):
    sfn = ctx["sfn"]
    failing = create(sfn, "failing", {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Child.Broken", "Cause": "on purpose"}}})
    parent = create(
        sfn,
        "catcher",
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": START + ".sync",
                    "Parameters": {"StateMachineArn": failing},
                    "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        },
    )
    ex = sfn.start_execution(stateMachineArn=parent, input="{}")
    d = wait_status(sfn, ex["executionArn"], "SUCCEEDED")
    assert d["status"] == "SUCCEEDED", d
    out = json.loads(d["output"])
    assert out["Error"] == "States.TaskFailed", out
    cause = json.loads(out["Cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Child.Broken", "on purpose"), cause


def test_stop_propagates(ctx):
    sfn = ctx["sfn"]
    worker_child = create(sfn, "worker-child", {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": WORK, "End": True}}})
    parent = create(sfn, "stopped-parent", jsonpath_parent(START + ".sync:2", worker_child, False))
    ex = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"n": 1}))
    task = sfn.get_activity_task(activityArn=WORK, workerName="stop-test")
    kid_arn = json.loads(task["input"])["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"]
    assert kid_arn == ex["executionArn"]
    kids = [k for k in children_of(sfn, worker_child) if k["status"] == "RUNNING"]
    assert len(kids) == 1, kids
    sfn.stop_execution(executionArn=ex["executionArn"], error="Operator", cause="enough")
    kid = wait_status(sfn, kids[0]["executionArn"], "ABORTED")
    assert kid["status"] == "ABORTED", kid
    try:
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
        raise AssertionError("the stopped child's task was still answerable")
    except (sfn.exceptions.TaskDoesNotExist, sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken):
        pass


def test_kill_with_parents_and_children_in_flight(ctx):
    sfn = ctx["sfn"]
    child = create(sfn, "crash-child", {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": WORK, "End": True}}})
    parent = create(sfn, "crash-parent", jsonpath_parent(START + ".sync:2", child, False))
    runs = [sfn.start_execution(stateMachineArn=parent, name=f"cp-{i}", input=json.dumps({"n": i}))["executionArn"] for i in range(30)]
    # Some children's tasks are taken before the crash and answered after it.
    taken = [sfn.get_activity_task(activityArn=WORK, workerName="before") for _ in range(5)]
    assert len(children_of(sfn, child)) == 30
    ctx["server"].kill()
    ctx["server"] = Server(ctx["data"], ctx["port"])
    for t in taken:
        sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"n": json.loads(t["input"])["n"]}))
    answered = len(taken)
    deadline = time.time() + 60
    while answered < len(runs) and time.time() < deadline:
        t = sfn.get_activity_task(activityArn=WORK, workerName="after")
        assert "taskToken" in t, "a child's task was lost in the crash"
        try:
            sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"n": json.loads(t["input"])["n"]}))
            answered += 1
        except sfn.exceptions.TaskTimedOut:
            pass  # a copy handed out again of a task answered above
    for i, arn in enumerate(runs):
        d = wait_status(sfn, arn, "SUCCEEDED")
        assert d["status"] == "SUCCEEDED", d
        assert json.loads(d["output"])["Output"] == {"n": i}, d
        types = [e["type"] for e in sfn.get_execution_history(executionArn=arn)["events"]]
        assert types.count("TaskSucceeded") == 1, types
    kids = children_of(sfn, child)
    assert len(kids) == 30, f"{len(kids)} children for 30 parents"
    assert all(k["status"] == "SUCCEEDED" for k in kids), kids


def test_the_composing_fixture(ctx):
    """fixtures/composing, as docs/composing.md runs it."""
    sfn = ctx["sfn"]
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "composing")
    load = lambda name: json.load(open(os.path.join(root, name)))  # noqa: E731
    create(sfn, "ship-order", load("ship-order.json"))
    batch = create(sfn, "ship-batch", load("ship-batch.json"))
    ex = sfn.start_execution(stateMachineArn=batch, name="first-batch", input=json.dumps(load("input.json")))
    d = wait_status(sfn, ex["executionArn"], "SUCCEEDED")
    assert d["status"] == "SUCCEEDED", d
    results = json.loads(d["output"])["results"]
    assert [(r["orderId"], r["status"]) for r in results] == [("ord-1", "SHIPPED"), ("ord-2", "NOT_SHIPPED"), ("ord-3", "SHIPPED")], results
    assert results[1]["error"] == "Order.Empty", results
    for r in results:
        assert raw_describe(ctx["port"], r["child"])["parentExecutionArn"] == ex["executionArn"], r


def test_redrive_reruns_only_what_failed(ctx):
    """An inline Map and a Parallel redriven: what succeeded is not run again."""
    sfn = ctx["sfn"]
    redo = "arn:aws:states:us-east-1:000000000000:activity:redo-work"
    sfn.create_activity(name="redo-work")
    work = lambda inp: {"Type": "Task", "Resource": redo, "Parameters": {"in": inp}, "End": True}  # noqa: E731
    each = create(sfn, "redrive-map", {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": redo, "Parameters": {"in.$": "$"}, "End": True}}}, "End": True}}})
    branches = [{"StartAt": n, "States": {n: work(n)}} for n in ("A", "B", "C")]
    both = create(sfn, "redrive-parallel", {"StartAt": "All", "States": {"All": {"Type": "Parallel", "Branches": branches, "End": True}}})
    for machine, tasks, failing, want in (
        (each, 3, 2, [{"ran": 1, "round": 1}, {"ran": 2, "round": 2}, {"ran": 3, "round": 1}]),
        (both, 3, "B", [{"ran": "A", "round": 1}, {"ran": "B", "round": 2}, {"ran": "C", "round": 1}]),
    ):
        ex = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"items": [1, 2, 3]}))["executionArn"]
        got = [sfn.get_activity_task(activityArn=redo, workerName="first") for _ in range(tasks)]
        # The failure last: it aborts whatever still runs.
        got.sort(key=lambda t: json.loads(t["input"])["in"] == failing)
        for t in got:
            inp = json.loads(t["input"])["in"]
            if inp == failing:
                sfn.send_task_failure(taskToken=t["taskToken"], error="Item.Broken", cause=f"{inp} broke")
            else:
                sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"ran": inp, "round": 1}))
        assert wait_status(sfn, ex, "FAILED")["status"] == "FAILED"
        sfn.redrive_execution(executionArn=ex)
        t = sfn.get_activity_task(activityArn=redo, workerName="second")
        assert json.loads(t["input"])["in"] == failing, t
        sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"ran": failing, "round": 2}))
        d = wait_status(sfn, ex, "SUCCEEDED")
        assert d["status"] == "SUCCEEDED", d
        assert json.loads(d["output"]) == want, d["output"]
        events = sfn.get_execution_history(executionArn=ex, maxResults=1000)["events"]
        redriven = next(i for i, e in enumerate(events) if e["type"] == "ExecutionRedriven")
        again = [e for e in events[redriven:] if e["type"] == "ActivityScheduled"]
        assert len(again) == 1, f"{len(again)} tasks ran again after the redrive"


def main():
    data = tempfile.mkdtemp(prefix="stepline-children-")
    port = free_port()
    ctx = {"data": data, "port": port}
    ctx["server"] = Server(data, port)
    ctx["sfn"] = sdk_client(port)
    ctx["sfn"].create_activity(name="child-work")
    run_tests([test_every_pattern_in_both_languages, test_failed_child_is_caught, test_stop_propagates, test_the_composing_fixture, test_redrive_reruns_only_what_failed, test_kill_with_parents_and_children_in_flight], ctx)


if __name__ == "__main__":
    main()
