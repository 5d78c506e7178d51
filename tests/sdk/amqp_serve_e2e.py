#!/usr/bin/env python3
"""End-to-end test of `stepline serve` with AMQP configured in stepline.toml, as a user
runs it: a message on a trigger queue starts an execution, the Python example worker
(pika) answers its task over RabbitMQ, boto3 (HTTP) sees it succeed, a status event
arrives on the events exchange, and a message that is not JSON lands in the dead-letter
queue with its reason.

Usage: amqp_serve_e2e.py PATH_TO_STEPLINE [AMQP_URI]. Prints 'N passed, M failed'.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import boto3
import pika
from botocore.config import Config
from serve_helpers import free_port, restart_after_kill, second_serve_refused, start_serve

STEPLINE = sys.argv[1]
URI = sys.argv[2] if len(sys.argv) > 2 else "amqp://guest:guest@127.0.0.1:5672/%2f"
HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "..", "..", "fixtures", "workers", "amqp_worker.py")


def get(ch, queue, timeout=20):
    """The next message on a queue (acked), or an error after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method:
            return props, body
        time.sleep(0.05)
    raise AssertionError(f"nothing arrived on {queue}")


def scenario(port, prefix, trigger, worker):
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
    conn = pika.BlockingConnection(pika.URLParameters(URI))
    ch = conn.channel()
    ch.confirm_delivery()
    events = f"{prefix}.test-events"
    ch.queue_declare(events, durable=True)
    ch.queue_bind(events, f"{prefix}.events", routing_key="orders.SUCCEEDED")
    ch.queue_declare(trigger, durable=True)  # as the server declares it: the publish is never lost
    ch.basic_publish("", trigger, json.dumps({"order": 42}),
                     pika.BasicProperties(delivery_mode=2, headers={"Stepline-Execution-Name": "order-42"}))
    ch.basic_publish("", trigger, "not json", pika.BasicProperties(delivery_mode=2))
    _, body = get(ch, events)
    detail = json.loads(body)
    assert detail["name"] == "order-42" and detail["status"] == "SUCCEEDED", detail
    described = sfn.describe_execution(executionArn=detail["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["charged"] == {"worker": "python", "echo": {"order": 42}}, output
    props, body = get(ch, f"{prefix}.dead-letter")
    assert body == b"not json", body
    assert "not JSON" in props.headers["Stepline-Reject-Reason"], props.headers
    worker.kill()  # before its queue goes, or it declares it again
    worker.wait()
    for q in (events, trigger, f"{prefix}.tasks.charge", f"{prefix}.results", f"{prefix}.dead-letter",
              f"{prefix}.engine.holder"):
        ch.queue_delete(q)
    for x in ("tasks", "events", "dead-letter"):
        ch.exchange_delete(f"{prefix}.{x}")
    conn.close()


def main():
    prefix = f"e2e{os.getpid()}"
    trigger = f"{prefix}.orders.created"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "stepline.toml")
        text = f"""
[server]
listen = "127.0.0.1:{port}"
data = "data"

[amqp]
uris = ["{URI}"]
prefix = "{prefix}"

[[amqp.triggers]]
queue = "{trigger}"
state_machine = "orders"
"""
        with open(config, "w") as f:
            f.write(text)
        server = start_serve(STEPLINE, config, port)
        worker = None
        try:
            second_serve_refused(STEPLINE, tmp, text, port, "AMQP")
            print("ok a second engine on the prefix is refused, naming the holder")
            server = restart_after_kill(STEPLINE, config, port, server)
            print("ok restarted at once on the same prefix after kill -9")
            worker = subprocess.Popen([sys.executable, WORKER, "charge", "--uri", URI, "--prefix", prefix])
            scenario(port, prefix, trigger, worker)
            print("ok trigger queue -> AMQP worker -> HTTP API -> status event; bad message dead-lettered")
            print("3 passed, 0 failed")
        except Exception as e:
            print(f"FAIL: {e!r}")
            print("0 passed, 1 failed")
            sys.exit(1)
        finally:
            if worker:
                worker.kill()
            server.kill()


main()
