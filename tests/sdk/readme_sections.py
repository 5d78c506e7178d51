#!/usr/bin/env python3
"""Runs the README's NATS and RabbitMQ walk-throughs as a reader would, so they cannot rot.

Each block marked `<!-- readme-test: NAME -->` in README.md is the ```sh block after
the mark. It runs with bash (stopping at the first command that fails) in a scratch copy
of `fixtures/`, with the given `stepline` first on the PATH. `nats` and `amqp` must end
with `stepline describe` showing the order flow SUCCEEDED with the shipped order.
`sync-prefix` (TestState through the AWS CLI without the `sync-` host prefix) runs
against a `stepline serve` started for it, as the section before it leaves one running,
and must answer SUCCEEDED. Every process a block leaves behind is killed (its process
group).

So that it never meets another server, the block is run against addresses of its own:
a free port for the HTTP control API (a `stepline.toml` in the scratch directory, which
`stepline serve` reads by default, and `STEPLINE_ENDPOINT` for the client commands), a
private `nats-server -js` (when `nats-server` is installed) and a vhost of its own on
RabbitMQ (when `rabbitmqctl` can make one). The addresses in the block are replaced
with these, and the example workers find them in `NATS_URL` and `AMQP_URL`. Nothing
else in the block is changed.

Usage: readme_sections.py PATH_TO_STEPLINE [NAME...]. Prints 'N passed, M failed'.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
SECTIONS = ("sync-prefix", "nats", "amqp")
HTTP = "http://127.0.0.1:8083"
NATS = "nats://127.0.0.1:4222"
AMQP = "amqp://guest:guest@127.0.0.1:5672/%2f"
TIMEOUT = 300  # seconds for one block, pip included


def blocks(readme):
    """{name: the text of the ```sh block after `<!-- readme-test: name -->`}."""
    found = {}
    for m in re.finditer(r"<!-- readme-test: ([\w-]+) -->\s*```sh\n(.*?)```", readme, re.S):
        found[m.group(1)] = m.group(2)
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} never listened on port {port}")


class Isolation:
    """The addresses a block runs against, and what to undo afterwards."""

    def __init__(self, tmp):
        self.tmp, self.procs, self.undo = tmp, [], []
        self.http_port = free_port()
        self.subst = {HTTP: f"http://127.0.0.1:{self.http_port}"}
        self.env = {"STEPLINE_ENDPOINT": self.subst[HTTP]}

    def private_nats(self):
        if not shutil.which("nats-server"):
            print("note: no nats-server on the PATH; the block uses the shared NATS server")
            return
        port = free_port()
        store = os.path.join(self.tmp, "nats-store")
        log = open(os.path.join(self.tmp, "nats-server.log"), "w")
        self.procs.append(subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", store],
                                           stdout=log, stderr=log))
        wait_port(port, "nats-server")
        self.subst[NATS] = self.env["NATS_URL"] = f"nats://127.0.0.1:{port}"

    def private_vhost(self):
        vhost = f"readme-{os.getpid()}"
        try:
            for args in (["add_vhost", vhost], ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]):
                subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as e:
            print(f"note: no vhost of its own ({e!r}); the block uses RabbitMQ's default vhost")
            return
        self.undo.append(["rabbitmqctl", "delete_vhost", vhost])
        self.subst[AMQP] = self.env["AMQP_URL"] = AMQP[: -len("%2f")] + vhost

    def close(self):
        for p in self.procs:
            p.kill()
            p.wait()
        for cmd in self.undo:
            subprocess.run(cmd, capture_output=True, timeout=60)


def run_section(name, script, stepline):
    with tempfile.TemporaryDirectory(prefix=f"readme-{name}-") as tmp:
        iso = Isolation(tmp)
        try:
            {"nats": iso.private_nats, "amqp": iso.private_vhost}.get(name, lambda: None)()
            work = os.path.join(tmp, "repo")
            shutil.copytree(os.path.join(REPO, "fixtures"), os.path.join(work, "fixtures"),
                            ignore=shutil.ignore_patterns("node_modules"))
            with open(os.path.join(work, "stepline.toml"), "w") as f:
                f.write(f'[server]\nlisten = "127.0.0.1:{iso.http_port}"\n')
            bin_dir = os.path.join(tmp, "bin")
            os.mkdir(bin_dir)
            os.symlink(os.path.abspath(stepline), os.path.join(bin_dir, "stepline"))
            for old, new in iso.subst.items():
                script = script.replace(old, new)
            env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"], **iso.env)
            if name == "sync-prefix":  # what "The server" leaves: a server, the AWS variables
                env.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1")
                log = open(os.path.join(tmp, "serve.log"), "w")
                iso.procs.append(subprocess.Popen(["stepline", "serve"], cwd=work, env=env, stdout=log, stderr=log))
                wait_port(iso.http_port, "stepline serve")
            proc = subprocess.Popen(["bash", "-e", "-x", "-c", script], cwd=work, env=env, start_new_session=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                out, _ = proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
                raise AssertionError(f"the block did not end within {TIMEOUT} s:\n{out}")
            finally:
                try:  # what the block started and left running
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            assert proc.returncode == 0, f"the block failed (exit {proc.returncode}):\n{out}"
            if name == "sync-prefix":
                assert re.search(r'"status":\s*"SUCCEEDED"', out), f"TestState did not succeed:\n{out}"
                return "TestState without the sync- host prefix"
            status = re.findall(r"^status\s+(\S+)\s*$", out, re.M)
            assert status == ["SUCCEEDED"], f"describe showed status {status}, not SUCCEEDED:\n{out}"
            output = re.findall(r"^output\s+(.*)$", out, re.M)
            assert output and '"status":"SHIPPED"' in output[0].replace(" ", ""), f"not the shipped order:\n{out}"
            return "SUCCEEDED " + output[0]
        finally:
            iso.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    stepline, wanted = sys.argv[1], sys.argv[2:] or list(SECTIONS)
    with open(os.path.join(REPO, "README.md")) as f:
        found = blocks(f.read())
    passed = failed = 0
    for name in wanted:
        try:
            assert name in found, f"README.md has no block marked <!-- readme-test: {name} -->"
            output = run_section(name, found[name], stepline)
            print(f"ok README {name} block: {output}")
            passed += 1
        except AssertionError as e:
            print(f"FAIL README {name} block: {e}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
