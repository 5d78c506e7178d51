"""What the end-to-end scripts share: a free port, and `stepline serve` started with a
config file and waited for until its control API takes connections."""
import os
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(stepline, config, port, timeout=20):
    """`stepline serve --config CONFIG`, once it listens on PORT; its stderr on failure."""
    server = subprocess.Popen([stepline, "serve", "--config", config], stderr=subprocess.PIPE)
    deadline = time.time() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                raise RuntimeError("stepline serve did not start: " + server.stderr.read().decode())
            time.sleep(0.05)


def second_serve_refused(stepline, tmp, config_text, port, bus):
    """A second `stepline serve` on the prefix a running one holds (its own port and data
    folder) stops at once, non-zero, naming the holder and the way out on stderr."""
    other = free_port()
    text = config_text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{other}").replace('data = "data"', f'data = "{os.path.join(tmp, "data2")}"')
    path = os.path.join(tmp, "second.toml")
    with open(path, "w") as f:
        f.write(text)
    try:
        done = subprocess.run([stepline, "serve", "--config", path], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"a second engine on the held {bus} prefix kept running")
    assert done.returncode != 0, done
    said = done.stderr
    for part in (f"the {bus} prefix", "is held by the Stepline engine on", f"pid ", "another prefix"):
        assert part in said, f"{part!r} not in: {said}"


def restart_after_kill(stepline, config, port, server, within=10):
    """kill -9 the server and start it again on the same prefix: it must not wait for its
    old claim to lapse."""
    server.kill()
    server.wait()
    began = time.time()
    again = start_serve(stepline, config, port)
    took = time.time() - began
    assert took < within, f"the restart after kill -9 took {took:.1f} s"
    return again


class Server:
    """`stepline serve --data DATA --listen 127.0.0.1:PORT` with `--worker` commands,
    once it takes connections; `kill()` is kill -9 (no clean shutdown)."""

    def __init__(self, stepline, data, port, workers=()):
        args = [stepline, "serve", "--data", data, "--listen", f"127.0.0.1:{port}"]
        for w in workers:
            args += ["--worker", w]
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("stepline serve did not start: " + self.proc.stderr.read().decode())

    def kill(self):
        self.proc.kill()
        self.proc.wait()


def sdk_client(port):
    """boto3's Step Functions client for the server on PORT."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "stepfunctions",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # StartSyncExecution adds a "sync-" host prefix meant for AWS's own endpoints.
        config=Config(retries={"max_attempts": 1}, read_timeout=70, inject_host_prefix=False),
    )


def wait_status(sfn, arn, status, timeout=15):
    """DescribeExecution until the execution has STATUS, or TIMEOUT seconds have passed."""
    deadline = time.time() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] == status or time.time() > deadline:
            return d
        time.sleep(0.05)


def run_tests(tests, ctx, after=None):
    """Runs each test with CTX, prints 'ok'/'FAIL' per test and 'N passed, M failed', kills
    ctx["server"] at the end (then runs AFTER), and exits non-zero if any failed."""
    import sys
    import traceback

    passed = failed = 0
    try:
        for test in tests:
            try:
                test(ctx)
                passed += 1
                print(f"ok {test.__name__}")
            except Exception:
                failed += 1
                print(f"FAIL {test.__name__}")
                traceback.print_exc()
    finally:
        ctx["server"].kill()
        if after:
            after()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
