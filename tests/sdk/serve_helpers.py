"""What the end-to-end scripts share: a free port, and `stepline serve` started with a
config file and waited for until its control API takes connections."""
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
