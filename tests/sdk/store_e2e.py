#!/usr/bin/env python3
"""End-to-end test of keeping a store: `stepline backup` of a live store while
executions run, `stepline restore` into a new data directory whose server resumes the
running ones; WAIT_TIME_SCALE; shell completions.

Usage: store_e2e.py PATH_TO_STEPLINE. Prints 'N passed, M failed'.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import Server, free_port, run_tests, sdk_client, wait_status  # noqa: E402

STEPLINE = sys.argv[1]
ACTIVITY = "arn:aws:states:us-east-1:000000000000:activity:approve"
TASK = {"StartAt": "Approve", "States": {"Approve": {"Type": "Task", "Resource": ACTIVITY, "End": True}}}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "Next": "Done"}, "Done": {"Type": "Succeed"}}}
RETRY = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:flaky",
         "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 60, "MaxAttempts": 1}], "End": True}}}


def cli(*args, ok=True):
    out = subprocess.run([STEPLINE, *args], capture_output=True, text=True, timeout=120)
    assert (out.returncode == 0) == ok, (args, out.stdout, out.stderr)
    return out


def test_backup_while_running_and_restore(ctx):
    sfn = ctx["sfn"]
    task = sfn.create_state_machine(name="approvals", definition=json.dumps(TASK), roleArn="r")["stateMachineArn"]
    quick = sfn.create_state_machine(name="quick", definition=json.dumps(PASS), roleArn="r")["stateMachineArn"]
    waiting = [sfn.start_execution(stateMachineArn=task, name=f"w-{i}")["executionArn"] for i in range(20)]
    for i in range(50):
        sfn.start_execution(stateMachineArn=quick, name=f"q-{i}")
    # Executions keep starting while the backup is written.
    stop = threading.Event()
    started = []

    def load():
        n = 0
        while not stop.is_set():
            started.append(sfn.start_execution(stateMachineArn=quick, name=f"during-{n}")["executionArn"])
            n += 1

    t = threading.Thread(target=load)
    t.start()
    time.sleep(0.3)
    backup = os.path.join(ctx["tmp"], "store.backup")
    out = cli("backup", ctx["data"], backup)
    stop.set()
    t.join()
    assert "backed up" in out.stdout and "by http://" in out.stdout, out.stdout
    assert started, "nothing started during the backup"
    # The live server was not disturbed: it still answers its tasks.
    assert sfn.describe_execution(executionArn=waiting[0])["status"] == "RUNNING"
    # Restoring over the live store is refused; into a fresh directory it works.
    err = cli("restore", backup, ctx["data"], "--force", ok=False).stderr
    assert "a server is running" in err, err
    restored = os.path.join(ctx["tmp"], "restored")
    cli("restore", backup, restored)
    err = cli("restore", backup, restored, ok=False).stderr
    assert "already holds a store" in err, err
    port = free_port()
    second = Server(STEPLINE, restored, port)
    try:
        other = sdk_client(port)
        names = {e["name"] for p in other.get_paginator("list_executions").paginate(stateMachineArn=quick) for e in p["executions"]}
        assert {f"q-{i}" for i in range(50)} <= names, len(names)
        # The snapshot is consistent: whatever of the load it holds, every one has its history.
        for name in names:
            arn = quick.replace(":stateMachine:", ":execution:") + ":" + name
            history = other.get_execution_history(executionArn=arn)["events"]
            assert history[-1]["type"] == "ExecutionSucceeded", (name, history)
        # The executions that were waiting resume on the restored store and finish.
        for arn in waiting:
            assert other.describe_execution(executionArn=arn)["status"] == "RUNNING"
        for _ in waiting:
            tok = other.get_activity_task(activityArn=ACTIVITY, workerName="restored")["taskToken"]
            other.send_task_success(taskToken=tok, output="{}")
        for arn in waiting:
            assert wait_status(other, arn, "SUCCEEDED")["status"] == "SUCCEEDED"
    finally:
        second.kill()
    # A store no server holds is copied by the command itself.
    again = os.path.join(ctx["tmp"], "offline.backup")
    out = cli("backup", restored, again)
    assert "by this process" in out.stdout, out.stdout
    assert os.path.getsize(again) > 0


def test_wait_time_scale(ctx):
    data = os.path.join(ctx["tmp"], "scaled")
    port = free_port()
    env = dict(os.environ, WAIT_TIME_SCALE="0.01")
    proc = subprocess.Popen([STEPLINE, "serve", "--data", data, "--listen", f"127.0.0.1:{port}"], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        import socket
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        sfn = sdk_client(port)
        arn = sfn.create_state_machine(name="long-wait", definition=json.dumps(WAIT), roleArn="r")["stateMachineArn"]
        began = time.time()
        ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        assert wait_status(sfn, ex, "SUCCEEDED", timeout=10)["status"] == "SUCCEEDED"
        took = time.time() - began
        assert took < 5, f"a 100 s Wait at scale 0.01 took {took:.1f} s"
        flaky = sfn.create_state_machine(name="flaky", definition=json.dumps(RETRY), roleArn="r")["stateMachineArn"]
        ex = sfn.start_execution(stateMachineArn=flaky)["executionArn"]
        act = "arn:aws:states:us-east-1:000000000000:activity:flaky"
        tok = sfn.get_activity_task(activityArn=act)["taskToken"]
        sfn.send_task_failure(taskToken=tok, error="Flaky")
        began = time.time()
        tok = sfn.get_activity_task(activityArn=act)["taskToken"]
        assert time.time() - began < 5, "a 60 s retry interval at scale 0.01 was not shortened"
        sfn.send_task_success(taskToken=tok, output="{}")
        assert wait_status(sfn, ex, "SUCCEEDED")["status"] == "SUCCEEDED"
    finally:
        proc.kill()
        proc.wait()
    bad = subprocess.run([STEPLINE, "serve", "--data", data, "--wait-time-scale=-1"], capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "must be a number of 0 or more" in bad.stderr, bad.stderr


def test_completions(ctx):
    for shell, mark in (("bash", "complete -F"), ("zsh", "#compdef stepline"), ("fish", "complete -c stepline")):
        out = cli("completions", shell).stdout
        assert mark in out and "serve" in out and "backup" in out, (shell, out[:300])


def main():
    tmp = tempfile.mkdtemp(prefix="stepline-store-")
    data = os.path.join(tmp, "data")
    port = free_port()
    ctx = {"tmp": tmp, "data": data, "port": port}
    ctx["server"] = Server(STEPLINE, data, port)
    ctx["sfn"] = sdk_client(port)
    run_tests([test_backup_while_running_and_restore, test_wait_time_scale, test_completions], ctx)


if __name__ == "__main__":
    main()
