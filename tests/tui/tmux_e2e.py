#!/usr/bin/env python3
"""The dashboard in a real terminal (tmux): start `stepline dev`, find a failed
execution, open it, fix its worker, redrive it from the dashboard and see it succeed;
then the state machines view, a new execution whose input comes from $EDITOR, and the
workers view.
With --captures DIR, the screens seen on the way are written there (the README's
pictures come from them).

Usage: tmux_e2e.py PATH_TO_STEPLINE [--captures DIR]. Prints 'N passed, M failed'.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

STEPLINE = os.path.abspath(sys.argv[1])
CAPTURES = sys.argv[sys.argv.index("--captures") + 1] if "--captures" in sys.argv else None
SESSION = f"stepline-e2e-{os.getpid()}"


def tmux(*args):
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", SESSION)


def keys(*k):
    tmux("send-keys", "-t", SESSION, *k)
    time.sleep(0.4)


def wait_for(what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = screen()
        if what(s):
            return s
        time.sleep(0.2)
    raise AssertionError("the screen never showed what was expected:\n" + screen())


def save(name, text):
    if CAPTURES:
        os.makedirs(CAPTURES, exist_ok=True)
        with open(os.path.join(CAPTURES, name + ".txt"), "w") as f:
            f.write(text.rstrip() + "\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    data = tempfile.mkdtemp(prefix="stepline-tui-e2e-")
    port = free_port()
    # An "editor" that writes the input of a new execution, as an operator would.
    editor = os.path.join(data, "editor.sh")
    with open(editor, "w") as f:
        f.write('#!/bin/sh\necho \'{"day": "from-editor"}\' > "$1"\n')
    os.chmod(editor, 0o755)
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "32",
         f"env EDITOR={editor} {STEPLINE} dev --data {data} --listen 127.0.0.1:{port} --rate 4")
    try:
        # Live executions, some failing: nightly reports fail while the report store is down.
        rows = lambda s, status: any(l.startswith("│" + status + " ") for l in s.splitlines())
        s = wait_for(lambda s: rows(s, "FAILED") and rows(s, "SUCCEEDED") and rows(s, "RUNNING") and s.count("│") > 40)
        save("executions", s)
        # The data folder in use is shown, so the file the broken worker reads can be found.
        assert s.splitlines()[0].rstrip().endswith(f"data: {data}"), s.splitlines()[0]
        keys("?")
        save("help", wait_for(lambda s: "Help" in s))
        keys("x")
        # Failed ones only, then those of nightly-report.
        keys("3")
        keys("/")
        for c in "nightly":
            keys(c)
        keys("Enter")
        s = wait_for(lambda s: rows(s, "FAILED") and "nightly-report-" in s and not rows(s, "SUCCEEDED"))
        save("failed", s)
        keys("Enter")
        s = wait_for(lambda s: "✗ Publish" in s and "Report.StoreDown" in s)
        save("execution", s)
        broken = os.path.join(data, "report-store-down")
        assert f"(delete {broken} to fix)" in s, s
        name = next(w for w in s.split() if w.startswith("nightly-report-"))
        # Fix the worker, then redrive from the dashboard.
        os.remove(broken)
        keys("R")
        wait_for(lambda s: "Confirm" in s and "Redrive" in s)
        keys("y")
        s = wait_for(lambda s: "SUCCEEDED " + name in s and "redriven 1×" in s and "✓ Publish" in s)
        save("redriven", s)
        keys("Tab")
        save("history", wait_for(lambda s: "ExecutionRedriven" in s))
        # The control API agrees.
        arn = f"arn:aws:states:us-east-1:000000000000:execution:nightly-report:{name}"
        out = subprocess.run([STEPLINE, "describe", arn, "--endpoint", f"http://127.0.0.1:{port}", "--json"],
                             check=True, capture_output=True, text=True).stdout
        assert '"SUCCEEDED"' in out, out
        keys("Escape")
        # The state machines view, and a new execution whose input comes from $EDITOR.
        keys("S")
        s = wait_for(lambda s: "state machines" in s and "nightly-report" in s and "definition" in s)
        save("machines", s)
        keys("j")
        keys("N")
        wait_for(lambda s: "Confirm" in s and "Start nightly-report" in s and "from-editor" in s)
        keys("y")
        wait_for(lambda s: "started " in s)
        # The workers view: tasks per activity and the oldest waiting.
        keys("W")
        save("workers", wait_for(lambda s: "tasks per activity" in s and "charge-card" in s))
        # An order flow drawn as a graph: its Choice and Catch are arcs.
        keys("E")
        keys("Escape")
        for _ in range(3):
            keys("m")
        wait_for(lambda s: "machine: order-flow" in s)
        keys("Enter")
        save("graph", wait_for(lambda s: "ValidateOrder" in s and "▶" in s and "╭" in s))
        keys("Escape")
        keys("q")
        deadline = time.time() + 10
        while time.time() < deadline:
            if SESSION not in subprocess.run(["tmux", "ls"], capture_output=True, text=True).stdout:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("q did not quit the dashboard")
        print("ok stepline dev -> failed execution -> worker fixed -> redriven -> succeeded -> machines -> "
              "started from $EDITOR -> workers")
        print("1 passed, 0 failed")
    except Exception as e:
        print(f"FAIL: {e}")
        print("0 passed, 1 failed")
        sys.exit(1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


main()
