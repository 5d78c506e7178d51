#!/usr/bin/env python3
"""End-to-end test of `stepline serve` with the real AWS SDK for Python (boto3).

Usage: boto3_e2e.py PATH_TO_STEPLINE. Starts the server on a free port with a fresh data
directory, drives it through boto3, restarts it, and checks that a waiting execution
survives the restart. Prints 'N passed, M failed' and exits non-zero on failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import Server as Serve, free_port, run_tests, wait_status  # noqa: E402
from serve_helpers import sdk_client as client  # noqa: E402

STEPLINE = sys.argv[1]
ACTIVITY = "arn:aws:states:us-east-1:000000000000:activity:approve"
CRASH_ACTIVITY = "arn:aws:states:us-east-1:000000000000:activity:crash-approve"


def Server(data, port, workers=()):
    return Serve(STEPLINE, data, port, workers)


ORDER = {
    "StartAt": "Price",
    "States": {
        "Price": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:price", "ResultPath": "$.price", "Next": "Approve"},
        "Approve": {"Type": "Task", "Resource": ACTIVITY, "ResultPath": "$.approval", "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}
WAITER = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}


def test_flow(ctx):
    sfn = ctx["sfn"]
    act = sfn.create_activity(name="approve")
    assert act["activityArn"] == ACTIVITY, act
    assert sfn.describe_activity(activityArn=ACTIVITY)["name"] == "approve"
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["approve"]
    sfn.create_activity(name="temporary")
    sfn.delete_activity(activityArn=ACTIVITY.replace("approve", "temporary"))
    try:
        sfn.describe_activity(activityArn=ACTIVITY.replace("approve", "temporary"))
        raise AssertionError("expected ActivityDoesNotExist")
    except sfn.exceptions.ActivityDoesNotExist:
        pass
    sm = sfn.create_state_machine(name="orders", definition=json.dumps(ORDER), roleArn="arn:aws:iam::000000000000:role/x")
    arn = sm["stateMachineArn"]
    assert arn.endswith(":stateMachine:orders"), arn
    assert sfn.describe_state_machine(stateMachineArn=arn)["name"] == "orders"
    assert any(m["stateMachineArn"] == arn for m in sfn.list_state_machines()["stateMachines"])
    ex = sfn.start_execution(stateMachineArn=arn, name="o-1", input=json.dumps({"sku": "A", "qty": 2}))
    # The activity worker, written as for AWS: poll, then answer.
    task = sfn.get_activity_task(activityArn=ACTIVITY, workerName="tester")
    assert json.loads(task["input"])["price"] == {"sku": "A", "qty": 2, "total": 24}, task["input"]
    sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"ok": True}))
    d = wait_status(sfn, ex["executionArn"], "SUCCEEDED")
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"])["approval"] == {"ok": True}
    assert d["startDate"] <= d["stopDate"]
    events = sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
    types = [e["type"] for e in events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded", types
    assert types.count("ActivitySucceeded") == 2, types
    rev = sfn.get_execution_history(executionArn=ex["executionArn"], reverseOrder=True, maxResults=2)
    assert [e["type"] for e in rev["events"]] == ["ExecutionSucceeded", "PassStateExited"], rev["events"]
    assert "nextToken" in rev
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [e["name"] for e in listed] == ["o-1"], listed


def test_errors(ctx):
    sfn = ctx["sfn"]
    try:
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:000000000000:execution:nope:nope")
        raise AssertionError("expected ExecutionDoesNotExist")
    except sfn.exceptions.ExecutionDoesNotExist:
        pass
    try:
        sfn.create_state_machine(name="broken", definition=json.dumps({"StartAt": "X", "States": {}}), roleArn="r")
        raise AssertionError("expected InvalidDefinition")
    except sfn.exceptions.InvalidDefinition as e:
        assert "States" in str(e)
    try:
        sfn.send_task_success(taskToken="not-a-token", output="{}")
        raise AssertionError("expected InvalidToken")
    except sfn.exceptions.InvalidToken:
        pass


def test_stop(ctx):
    sfn = ctx["sfn"]
    arn = sfn.create_state_machine(name="stoppable", definition=json.dumps(ORDER), roleArn="r")["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, name="s-1", input="{}")
    sfn.stop_execution(executionArn=ex["executionArn"], error="Operator", cause="stopped by the test")
    d = sfn.describe_execution(executionArn=ex["executionArn"])
    assert d["status"] == "ABORTED" and d["error"] == "Operator", d


def test_restart(ctx):
    """kill -9 while hundreds of executions wait on timers and on tasks; after a restart
    every one completes, exactly once."""
    sfn = ctx["sfn"]
    waiter = sfn.create_state_machine(name="waiter", definition=json.dumps(WAITER), roleArn="r")["stateMachineArn"]
    approver = sfn.create_state_machine(
        name="approver",
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": CRASH_ACTIVITY, "End": True}}}),
        roleArn="r",
    )["stateMachineArn"]
    waits = [sfn.start_execution(stateMachineArn=waiter, name=f"w-{i}", input=json.dumps({"i": i}))["executionArn"] for i in range(200)]
    tasks = [sfn.start_execution(stateMachineArn=approver, name=f"t-{i}", input=json.dumps({"i": i}))["executionArn"] for i in range(100)]
    # Some tasks are taken by a worker before the crash; their answers come after it.
    taken = [sfn.get_activity_task(activityArn=CRASH_ACTIVITY, workerName="before") for _ in range(10)]
    ctx["server"].kill()
    ctx["server"] = Server(ctx["data"], ctx["port"], ctx["workers"])
    for t in taken:
        sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"answered": "after restart"}))
    answered = 10
    while answered < len(tasks):
        t = sfn.get_activity_task(activityArn=CRASH_ACTIVITY, workerName="after")
        assert "taskToken" in t, "a task was lost in the crash"
        try:
            sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"answered": "late"}))
            answered += 1
        except sfn.exceptions.TaskTimedOut:
            pass  # re-dispatched copy of a task answered above: refused, not applied twice
    for a in waits + tasks:
        d = wait_status(sfn, a, "SUCCEEDED")
        assert d["status"] == "SUCCEEDED", d
    for a in waits[:20] + tasks:
        types = [e["type"] for e in sfn.get_execution_history(executionArn=a)["events"]]
        assert types.count("ExecutionStarted") == 1 and types.count("ExecutionSucceeded") == 1, types
        assert types.count("ActivitySucceeded") <= 1, types


def test_redrive(ctx):
    sfn = ctx["sfn"]
    arn = sfn.create_state_machine(name="redrivable", definition=json.dumps(ORDER), roleArn="r")["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, name="rd-1", input=json.dumps({"sku": "B", "qty": 1}))["executionArn"]
    task = sfn.get_activity_task(activityArn=ACTIVITY, workerName="tester")
    sfn.send_task_failure(taskToken=task["taskToken"], error="Rejected", cause="not today")
    d = wait_status(sfn, ex, "FAILED")
    assert d["status"] == "FAILED" and d["error"] == "Rejected", d
    sfn.redrive_execution(executionArn=ex)
    task = sfn.get_activity_task(activityArn=ACTIVITY, workerName="tester")
    assert json.loads(task["input"])["price"]["total"] == 12, task
    sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"ok": "second time"}))
    d = wait_status(sfn, ex, "SUCCEEDED")
    assert d["status"] == "SUCCEEDED" and d["redriveCount"] == 1 and d["redriveDate"] >= d["startDate"], d
    types = [e["type"] for e in sfn.get_execution_history(executionArn=ex)["events"]]
    assert "ExecutionRedriven" in types and types.count("ExecutionStarted") == 1, types


def test_express_sync(ctx):
    sfn = ctx["sfn"]
    express = {
        "StartAt": "Price",
        "States": {
            "Price": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:price", "Next": "Shape"},
            "Shape": {"Type": "Pass", "Parameters": {"total.$": "$.total"}, "End": True},
        },
    }
    arn = sfn.create_state_machine(name="quote", definition=json.dumps(express), roleArn="r", type="EXPRESS")["stateMachineArn"]
    r = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"qty": 5}))
    assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"total": 60}, r
    standard = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    try:
        sfn.start_sync_execution(stateMachineArn=standard, input="{}")
        raise AssertionError("expected StateMachineTypeNotSupported")
    except sfn.exceptions.StateMachineTypeNotSupported:
        pass


def test_stepline_cli(ctx):
    """The stepline CLI client: start, list, describe, history, replay."""
    ep = ["--endpoint", f"http://127.0.0.1:{ctx['port']}"]

    def cli(*args):
        out = subprocess.run([STEPLINE, *args, *ep], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, (args, out.stderr)
        return out.stdout

    arn = cli("start", "orders", "--name", "cli-1", "--input", json.dumps({"sku": "C", "qty": 3})).strip()
    assert arn.endswith(":execution:orders:cli-1"), arn
    task = ctx["sfn"].get_activity_task(activityArn=ACTIVITY, workerName="cli")
    ctx["sfn"].send_task_success(taskToken=task["taskToken"], output="{}")
    wait_status(ctx["sfn"], arn, "SUCCEEDED")
    assert "cli-1" in cli("list", "--machine", "orders")
    described = json.loads(cli("describe", arn, "--json"))
    assert described["status"] == "SUCCEEDED" and json.loads(described["input"])["qty"] == 3
    assert "ExecutionSucceeded" in cli("history", arn)
    replayed = cli("replay", arn).strip()
    assert replayed != arn
    assert json.loads(ctx["sfn"].describe_execution(executionArn=replayed)["input"]) == {"sku": "C", "qty": 3}
    task = ctx["sfn"].get_activity_task(activityArn=ACTIVITY, workerName="cli")
    ctx["sfn"].send_task_success(taskToken=task["taskToken"], output="{}")
    assert wait_status(ctx["sfn"], replayed, "SUCCEEDED")["status"] == "SUCCEEDED"
    bad = subprocess.run([STEPLINE, "describe", "arn:nope", *ep], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "InvalidArn" in bad.stderr, bad.stderr


def test_aws_cli(ctx):
    """The AWS CLI lists and describes what boto3 created."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    base = ["aws", "stepfunctions", "--endpoint-url", f"http://127.0.0.1:{ctx['port']}", "--output", "json"]
    out = subprocess.run(base + ["list-state-machines"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    machines = json.loads(out.stdout)["stateMachines"]
    arn = next(m["stateMachineArn"] for m in machines if m["name"] == "orders")
    out = subprocess.run(base + ["describe-state-machine", "--state-machine-arn", arn], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(json.loads(out.stdout)["definition"]) == ORDER
    out = subprocess.run(base + ["list-executions", "--state-machine-arn", arn], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "o-1" in [e["name"] for e in json.loads(out.stdout)["executions"]]


def main():
    data = tempfile.mkdtemp(prefix="stepline-sdk-")
    port = free_port()
    price = "price=" + sys.executable + " -c \"import json,sys; t=json.load(sys.stdin); t['total']=t['qty']*12; print(json.dumps(t))\""
    ctx = {"data": data, "port": port, "workers": [price]}
    ctx["server"] = Server(data, port, ctx["workers"])
    ctx["sfn"] = client(port)
    run_tests([test_flow, test_errors, test_stop, test_redrive, test_express_sync, test_stepline_cli, test_aws_cli, test_restart], ctx)


if __name__ == "__main__":
    main()
