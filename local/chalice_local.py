"""Run `chalice local` as a child process of the dev stack."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port() -> int:
    """Ask the kernel for an unused loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# `chalice local` listens with socketserver's backlog of 5: a burst of connections (the proxy forwards each
# request on a new one) overflows it and the extra ones are reset. Run it with a deeper accept queue.
RUNNER = (
    "import sys, chalice.local; chalice.local.ThreadedHTTPServer.request_queue_size = 128; "
    "from chalice.cli import main; sys.exit(main())"
)


def chalice_command(port: int) -> list[str]:
    """Build the `chalice local` command line from this interpreter's environment."""
    return [sys.executable, "-c", RUNNER, "local", "--no-autoreload", "--stage", "local", "--port", str(port)]


def start_chalice(port: int, project_dir: Path) -> subprocess.Popen[bytes]:
    """Start `chalice local` with this process's environment, in its own session.

    Its own session keeps a terminal's Ctrl-C away from it: the dev stack stops it in order.
    """
    return subprocess.Popen(chalice_command(port), cwd=project_dir, env=dict(os.environ), start_new_session=True)


def wait_for_http(port: int, process: subprocess.Popen[bytes], stop: threading.Event, timeout: float = 60) -> bool:
    """Wait until something answers HTTP on the port; False if `stop` was set first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stop.is_set():
            return False
        if process.poll() is not None:
            raise RuntimeError(f"chalice local exited with code {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/boards")
            connection.getresponse().read()
            return True
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"chalice local did not answer within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes], grace: float = 5) -> None:
    """Terminate a child, killing it if it does not exit within `grace` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
