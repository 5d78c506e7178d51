#!/usr/bin/env python3
"""End-to-end test of execution logs (AWS's loggingConfiguration) with boto3 against
`stepline serve`: each level (ALL, ERROR, FATAL, OFF), with and without execution data,
an EXPRESS execution (no history, still logged), to the rolling file, a NATS subject and
an AMQP exchange, each record in the shape Step Functions writes to CloudWatch Logs.

Usage: execution_logs_e2e.py PATH_TO_STEPLINE [NATS_URL]. Prints 'N passed, M failed'.
"""
import asyncio
import glob
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import free_port, run_tests, sdk_client, start_serve, wait_status  # noqa: E402

STEPLINE = sys.argv[1]
NATS_URL = sys.argv[2] if len(sys.argv) > 2 else "nats://127.0.0.1:4222"
WORK = "arn:aws:states:us-east-1:000000000000:activity:work"
BROKEN = "arn:aws:states:us-east-1:000000000000:activity:broken"
KEYS = {"id", "type", "details", "previous_event_id", "event_timestamp", "execution_arn", "redrive_count"}


class Killable:
    def __init__(self, proc):
        self.proc = proc

    def kill(self):
        self.proc.kill()
        self.proc.wait()


def flow(resource):
    return {"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Result": {"secret": "s3"}, "ResultPath": "$.prepared", "Next": "Work"},
        "Work": {"Type": "Task", "Resource": resource, "End": True}}}


def records_of(ctx, execution_arn, want=1, timeout=10):
    """The log records of one execution in the rolling file, once WANT are there."""
    deadline = time.time() + timeout
    while True:
        found = []
        for path in glob.glob(os.path.join(ctx["data"], "logs", "executions.log*")):
            with open(path) as f:
                for line in f:
                    r = json.loads(line)
                    if r["execution_arn"] == execution_arn:
                        found.append(r)
        if len(found) >= want or time.time() > deadline:
            return found
        time.sleep(0.1)


def run(ctx, name, definition, level, data, kind="STANDARD", input_=None):
    sfn = ctx["sfn"]
    logging = {"level": level, "includeExecutionData": data, "destinations": []}
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn="r", type=kind,
                                   loggingConfiguration=logging)["stateMachineArn"]
    if kind == "EXPRESS":
        return sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(input_ or {"order": 7}))["executionArn"]
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(input_ or {"order": 7}))["executionArn"]
    wait_status(sfn, ex, "SUCCEEDED")
    return ex


def test_all_with_data(ctx):
    ex = run(ctx, "log-all", flow(WORK), "ALL", True)
    history = ctx["sfn"].get_execution_history(executionArn=ex)["events"]
    records = records_of(ctx, ex, want=len(history))
    assert [r["type"] for r in records] == [e["type"] for e in history], records
    for r in records:
        assert set(r) == KEYS, r
        assert r["redrive_count"] == "0" and r["event_timestamp"].isdigit(), r
    started = records[0]
    assert started["type"] == "ExecutionStarted" and started["id"] == "1" and started["previous_event_id"] == "0", started
    assert json.loads(started["details"]["input"]) == {"order": 7}, started
    assert any(r["type"] == "PassStateExited" and "s3" in r["details"]["output"] for r in records), records
    ctx["all_execution"] = ex


def test_all_without_data(ctx):
    ex = run(ctx, "log-all-bare", flow(WORK), "ALL", False)
    records = records_of(ctx, ex, want=10)
    assert records and records[-1]["type"] == "ExecutionSucceeded", records
    for r in records:
        for k in ("input", "output", "parameters", "result"):
            assert k not in r["details"], r
    assert not any("s3" in json.dumps(r) or "order" in json.dumps(r) for r in records), records


def test_error_and_fatal(ctx):
    sfn = ctx["sfn"]
    for level, expected in (("ERROR", ["ActivityFailed", "ExecutionFailed"]), ("FATAL", ["ExecutionFailed"])):
        arn = sfn.create_state_machine(name=f"log-{level.lower()}", definition=json.dumps(flow(BROKEN)), roleArn="r",
                                       loggingConfiguration={"level": level, "includeExecutionData": True})["stateMachineArn"]
        ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        assert wait_status(sfn, ex, "FAILED")["status"] == "FAILED"
        records = records_of(ctx, ex, want=len(expected))
        time.sleep(0.3)
        records = records_of(ctx, ex, want=len(expected))
        assert [r["type"] for r in records] == expected, (level, records)
        assert records[-1]["details"]["error"] == "States.TaskFailed", records


def test_off_logs_nothing(ctx):
    ex = run(ctx, "log-off", flow(WORK), "OFF", True)
    quiet = run(ctx, "log-unset", flow(WORK), "OFF", False)
    time.sleep(0.5)
    assert records_of(ctx, ex, timeout=0) == [] and records_of(ctx, quiet, timeout=0) == []


def test_express_is_logged(ctx):
    express = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}}
    ex = run(ctx, "log-express", express, "ALL", True, kind="EXPRESS", input_={"express": 1})
    records = records_of(ctx, ex, want=6)
    assert [r["type"] for r in records] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], records
    assert json.loads(records[-1]["details"]["output"]) == {"express": 1}


def test_bus_copies(ctx):
    """The same records on the NATS subject and the AMQP exchange."""
    ex = ctx["all_execution"]
    got = {"nats": ctx["nats_lines"], "amqp": ctx["amqp_lines"]}
    deadline = time.time() + 10
    while time.time() < deadline and not all(any(json.loads(l)["execution_arn"] == ex for l in lines) for lines in got.values()):
        time.sleep(0.1)
    file_records = records_of(ctx, ex)
    for bus, lines in got.items():
        records = [json.loads(l) for l in lines if json.loads(l)["execution_arn"] == ex]
        assert records == file_records, (bus, records[:2], file_records[:2])


def listen_nats(ctx, subject):
    lines = ctx["nats_lines"]
    ready = threading.Event()

    async def main():
        import nats
        nc = await nats.connect(NATS_URL)

        async def got(msg):
            lines.append(msg.data.decode())

        await nc.subscribe(f"{subject}.log-all", cb=got)
        await nc.flush()
        ready.set()
        while not ctx.get("stop"):
            await asyncio.sleep(0.1)
        await nc.close()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
    assert ready.wait(10)


def listen_amqp(ctx, exchange):
    import pika
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
    ch = conn.channel()
    ch.exchange_declare(exchange, exchange_type="topic", durable=True)
    q = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(q, exchange, routing_key="log-all")
    ctx["amqp"] = (conn, ch, q)


def drain_amqp(ctx):
    conn, ch, q = ctx["amqp"]
    while True:
        method, _, body = ch.basic_get(q, auto_ack=True)
        if method is None:
            break
        ctx["amqp_lines"].append(body.decode())


def main():
    tmp = tempfile.mkdtemp(prefix="stepline-logs-")
    port = free_port()
    prefix = f"logs{os.getpid()}"
    subject, exchange = f"{prefix}.executions", f"{prefix}.executions"
    config = os.path.join(tmp, "stepline.toml")
    with open(config, "w") as f:
        f.write(f"""
[server]
listen = "127.0.0.1:{port}"
data = "data"

[[workers]]
activity = "work"
command = "cat"

[[workers]]
activity = "broken"
command = "false"

[nats]
urls = ["{NATS_URL}"]
prefix = "{prefix}"

[amqp]
uris = ["amqp://guest:guest@127.0.0.1:5672/%2f"]
prefix = "{prefix}"
activities = ["amqp-only"]

[execution_logs]
nats_subject = "{subject}"
amqp_exchange = "{exchange}"
""")
    ctx = {"data": os.path.join(tmp, "data"), "nats_lines": [], "amqp_lines": []}
    listen_nats(ctx, subject)
    listen_amqp(ctx, exchange)
    server = start_serve(STEPLINE, config, port)
    ctx.update({"sfn": sdk_client(port), "server": Killable(server)})

    def bus_copies(ctx):
        time.sleep(0.5)
        drain_amqp(ctx)
        test_bus_copies(ctx)

    def after():
        ctx["stop"] = True
        ctx["amqp"][0].close()

    run_tests([test_all_with_data, test_all_without_data, test_error_and_fatal, test_off_logs_nothing,
               test_express_is_logged, bus_copies], ctx, after)


if __name__ == "__main__":
    main()
