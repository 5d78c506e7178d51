#!/usr/bin/env python3
"""End-to-end test of what operators watch: a real Prometheus server (Debian's
`prometheus`) scrapes a running `stepline serve` (with NATS) and its query API shows the
series; `/healthz` and `/readyz` answer.

Usage: operations_e2e.py PATH_TO_STEPLINE [NATS_URL]. Prints 'N passed, M failed'.
"""
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import free_port, run_tests, sdk_client, start_serve, wait_status  # noqa: E402

STEPLINE = sys.argv[1]
NATS_URL = sys.argv[2] if len(sys.argv) > 2 else "nats://127.0.0.1:4222"


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Killable:
    def __init__(self, proc):
        self.proc = proc

    def kill(self):
        self.proc.kill()
        self.proc.wait()


def query(ctx, promql):
    """Prometheus's instant query API: {labels-as-tuple: value}."""
    url = f"http://127.0.0.1:{ctx['prom_port']}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    status, body = http_get(url)
    assert status == 200, body
    answer = json.loads(body)
    assert answer["status"] == "success", answer
    return {tuple(sorted((k, v) for k, v in r["metric"].items() if k not in ("job", "instance", "__name__"))): float(r["value"][1])
            for r in answer["data"]["result"]}


def eventually(ctx, promql, check, timeout=30):
    deadline = time.time() + timeout
    while True:
        got = query(ctx, promql)
        if check(got):
            return got
        if time.time() > deadline:
            raise AssertionError(f"{promql}: {got}")
        time.sleep(0.5)


def test_health(ctx):
    base = f"http://127.0.0.1:{ctx['port']}"
    assert http_get(base + "/healthz") == (200, "ok\n")
    assert http_get(base + "/readyz") == (200, "ready\n")
    status, page = http_get(base + "/metrics")
    assert status == 200 and "# HELP stepline_executions_started_total" in page and "stepline_ready 1" in page, page[:500]


def test_work_for_the_metrics(ctx):
    sfn = ctx["sfn"]
    ok = sfn.create_state_machine(name="ops-ok", roleArn="r", definition=json.dumps({
        "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:work", "End": True}}}))
    late = sfn.create_state_machine(name="ops-late", roleArn="r", definition=json.dumps({
        "StartAt": "Never", "States": {"Never": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:000000000000:activity:never",
                                                 "TimeoutSeconds": 1, "End": True}}}))
    runs = [sfn.start_execution(stateMachineArn=ok["stateMachineArn"], input=json.dumps({"n": i}))["executionArn"] for i in range(5)]
    for arn in runs:
        assert wait_status(sfn, arn, "SUCCEEDED")["status"] == "SUCCEEDED"
    timed = sfn.start_execution(stateMachineArn=late["stateMachineArn"])["executionArn"]
    assert wait_status(sfn, timed, "FAILED")["error"] == "States.Timeout"
    try:
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:000000000000:execution:ops-ok:none")
    except sfn.exceptions.ExecutionDoesNotExist:
        pass

    async def bad_trigger():
        import nats
        nc = await nats.connect(NATS_URL)
        js = nc.jetstream()
        await js.publish(f"{ctx['prefix']}.orders.created", b"this is not JSON")
        await nc.close()

    asyncio.run(bad_trigger())
    ctx["machines"] = (ok["stateMachineArn"], late["stateMachineArn"])


def test_prometheus_scrapes_the_series(ctx):
    ok, late = ctx["machines"]
    up = eventually(ctx, 'up{job="stepline"}', lambda g: list(g.values()) == [1.0])
    assert up
    started = eventually(ctx, "stepline_executions_started_total", lambda g: g.get((("state_machine_arn", ok),)) == 5.0)
    assert started[(("state_machine_arn", late),)] == 1.0, started
    ended = eventually(ctx, "stepline_executions_ended_total", lambda g: len(g) >= 2)
    assert ended[(("state_machine_arn", ok), ("status", "SUCCEEDED"))] == 5.0, ended
    assert ended[(("state_machine_arn", late), ("status", "FAILED"))] == 1.0, ended
    assert query(ctx, "stepline_tasks_answered_total")[(("activity", "work"),)] == 5.0
    assert query(ctx, "stepline_tasks_timed_out_total")[(("activity", "never"),)] == 1.0
    dispatched = query(ctx, "stepline_tasks_dispatched_total")
    assert dispatched[(("activity", "work"),)] == 5.0 and dispatched[(("activity", "never"),)] == 1.0, dispatched
    assert query(ctx, "sum(stepline_task_latency_seconds_count)")[()] == 5.0
    p99 = query(ctx, "histogram_quantile(0.99, sum by (le) (stepline_task_latency_seconds_bucket))")[()]
    assert 0 < p99 <= 5, p99
    assert query(ctx, "stepline_state_transitions_total")[()] >= 6
    counts = query(ctx, "stepline_executions")
    assert counts[(("state_machine_arn", ok), ("status", "SUCCEEDED"))] == 5.0, counts
    assert query(ctx, "stepline_store_bytes")[()] > 0
    assert query(ctx, "stepline_commit_seconds_count")[()] > 0
    assert query(ctx, "stepline_bus_connected")[(("bus", "nats"),)] == 1.0
    rejected = eventually(ctx, "stepline_triggers_rejected_total", lambda g: g.get((("bus", "nats"), ("reason", "not_json"))) == 1.0)
    assert rejected
    http = query(ctx, "stepline_http_requests_total")
    assert http[(("error", "ExecutionDoesNotExist"), ("operation", "DescribeExecution"))] == 1.0, http
    assert http[(("operation", "StartExecution"),)] == 6.0, http
    assert query(ctx, "stepline_ready")[()] == 1.0
    print(f"task latency p99 from Prometheus: {p99 * 1000:.1f} ms")


def main():
    prom = shutil.which("prometheus")
    if not prom:
        print("prometheus is not installed (Debian package prometheus)")
        sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="stepline-ops-")
    port, prom_port = free_port(), free_port()
    prefix = f"ops{os.getpid()}"
    config = os.path.join(tmp, "stepline.toml")
    with open(config, "w") as f:
        f.write(f"""
[server]
listen = "127.0.0.1:{port}"
data = "data"

[[workers]]
activity = "work"
command = "cat"

[nats]
urls = ["{NATS_URL}"]
prefix = "{prefix}"

[[nats.triggers]]
subject = "{prefix}.orders.created"
state_machine = "ops-ok"
""")
    server = start_serve(STEPLINE, config, port)
    with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
        f.write(f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: stepline
    static_configs:
      - targets: ["127.0.0.1:{port}"]
""")
    prometheus = subprocess.Popen(
        [prom, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/tsdb",
         f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "prometheus.log"), "w"))
    deadline = time.time() + 30
    while http_get(f"http://127.0.0.1:{prom_port}/-/ready")[0] != 200 if _up(prom_port) else True:
        assert time.time() < deadline and prometheus.poll() is None, open(os.path.join(tmp, "prometheus.log")).read()
        time.sleep(0.2)
    ctx = {"port": port, "prom_port": prom_port, "prefix": prefix, "sfn": sdk_client(port), "server": Killable(server)}

    def after():
        prometheus.kill()
        prometheus.wait()

        async def drop_streams():
            import nats
            nc = await nats.connect(NATS_URL)
            js = nc.jetstream()
            for s in ("TASKS", "RESULTS", "TRIGGERS"):
                try:
                    await js.delete_stream(prefix.upper() + "_" + s)
                except Exception:
                    pass
            await nc.close()

        asyncio.run(drop_streams())

    run_tests([test_health, test_work_for_the_metrics, test_prometheus_scrapes_the_series], ctx, after)


def _up(port):
    import socket
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
