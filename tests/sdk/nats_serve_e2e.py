#!/usr/bin/env python3
"""End-to-end test of `stepline serve` with NATS configured in stepline.toml, as a user
runs it: a trigger message starts an execution, the Python example worker answers its
task over NATS, boto3 (HTTP) and the NATS control API both see it succeed, and a status
event is published.

Usage: nats_serve_e2e.py PATH_TO_STEPLINE [NATS_URL]. Prints 'N passed, M failed'.
"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

import boto3
import nats
from botocore.config import Config
from serve_helpers import free_port, restart_after_kill, second_serve_refused, start_serve

STEPLINE = sys.argv[1]
NATS_URL = sys.argv[2] if len(sys.argv) > 2 else "nats://127.0.0.1:4222"
HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "..", "..", "fixtures", "workers", "nats_worker.py")


async def scenario(port, prefix):
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:charge",
                       "ResultPath": "$.charged", "End": True}
        },
    }
    sfn.create_state_machine(name="orders", definition=json.dumps(definition), roleArn="r")
    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    events = await nc.subscribe(f"{prefix}.events.orders.SUCCEEDED")
    # The trigger stream exists once the server has set its triggers up.
    stream = prefix.upper() + "_TRIGGERS"
    deadline = time.time() + 20
    while True:
        try:
            await js.stream_info(stream)
            break
        except Exception:
            assert time.time() < deadline, "the trigger stream was never created"
            await asyncio.sleep(0.1)
    await js.publish(f"{prefix}.orders.created", json.dumps({"order": 42}).encode(),
                     headers={"Stepline-Execution-Name": "order-42"})
    event = await events.next_msg(timeout=20)
    detail = json.loads(event.data)
    assert detail["name"] == "order-42" and detail["status"] == "SUCCEEDED", detail
    arn = detail["executionArn"]
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["charged"] == {"worker": "python", "echo": {"order": 42}}, output
    reply = await nc.request(f"{prefix}.api.DescribeExecution", json.dumps({"executionArn": arn}).encode(), timeout=10)
    assert json.loads(reply.data)["status"] == "SUCCEEDED", reply.data
    for s in ("TASKS", "RESULTS", "TRIGGERS"):
        try:
            await js.delete_stream(prefix.upper() + "_" + s)
        except Exception:
            pass
    await nc.close()


def dashboard_over_nats(prefix, tmp):
    """`stepline tui --nats` in a real terminal (tmux) shows what the server holds."""
    session = f"stepline-nats-tui-{os.getpid()}"
    tmux = lambda *a: subprocess.run(["tmux", *a], check=True, capture_output=True, text=True).stdout
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30",
         f"{STEPLINE} tui --nats {NATS_URL} --nats-prefix {prefix} --audit-log {tmp}/audit.log")
    try:
        def wait_for(what):
            deadline = time.time() + 15
            while time.time() < deadline:
                s = tmux("capture-pane", "-p", "-t", session)
                if what(s):
                    return s
                time.sleep(0.2)
            raise AssertionError("the dashboard over NATS never showed it:\n" + s)
        wait_for(lambda s: "SUCCEEDED" in s and "orders" in s)
        tmux("send-keys", "-t", session, "S")
        wait_for(lambda s: "state machines" in s and "orders" in s and "definition" in s)
        tmux("send-keys", "-t", session, "q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main():
    prefix = f"e2e{os.getpid()}"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "stepline.toml")
        text = f"""
[server]
listen = "127.0.0.1:{port}"
data = "data"

[nats]
urls = ["{NATS_URL}"]
prefix = "{prefix}"

[[nats.triggers]]
subject = "{prefix}.orders.created"
state_machine = "orders"
"""
        with open(config, "w") as f:
            f.write(text)
        server = start_serve(STEPLINE, config, port)
        worker = None
        try:
            second_serve_refused(STEPLINE, tmp, text, port, "NATS")
            print("ok a second engine on the prefix is refused, naming the holder")
            # The server made its streams before it took HTTP requests: the worker can bind.
            worker = subprocess.Popen([sys.executable, WORKER, "charge", "--url", NATS_URL, "--prefix", prefix])
            asyncio.run(scenario(port, prefix))
            dashboard_over_nats(prefix, tmp)
            print("ok trigger -> NATS worker -> HTTP and NATS API -> status event -> dashboard over NATS")
            server = restart_after_kill(STEPLINE, config, port, server)
            print("ok restarted at once on the same prefix after kill -9")
            print("3 passed, 0 failed")
        except Exception as e:
            print(f"FAIL: {e!r}")
            print("0 passed, 1 failed")
            sys.exit(1)
        finally:
            if worker:
                worker.kill()
            server.kill()
            asyncio.run(delete_streams(prefix))


async def delete_streams(prefix):
    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    for s in ("TASKS", "RESULTS", "TRIGGERS", "ENGINE"):
        try:
            await js.delete_stream(prefix.upper() + "_" + s)
        except Exception:
            pass
    await nc.close()


main()
