"""`python -m local.devstack` as a child process in its own process group, as a terminal runs it.

For the browser and reliability tests and the benchmarks, which each start a stack of their own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The app's own settings must come from the stack, not from the caller's environment.
APP_ENV = (
    "STAGE",
    "ADMIN_KEY",
    "TOKEN_KEYS",
    "CAD_SECRET",
    "SITE_URL",
    "TABLE_NAME",
    "DISPATCH_QUEUE_URL",
    "OFFICER_TOPIC_ARN",
    "WECHAT_APP_ID",  # unset: the stack starts its WeChat simulator and points the app at it
    "WECHAT_SECRET",
    "WECHAT_OAUTH_BASE",
    "WECHAT_API_BASE",
    "WECHAT_TEMPLATES",
)
READY = "Press Ctrl-C"


def stack_env(clear: tuple[str, ...] = APP_ENV) -> dict[str, str]:
    """This process's environment without AWS credentials and without the settings named in `clear`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in clear}


def start_devstack(
    port: int, data_dir: Path, log: Path, clear: tuple[str, ...] = APP_ENV, **settings: str
) -> subprocess.Popen[bytes]:
    """Start the stack on `port` with its data in `data_dir`, its output in `log`, and the extra `settings`."""
    env = stack_env(clear)
    env.update(PORT=str(port), POLICE24_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **settings)
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "local.devstack"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_ready(process: subprocess.Popen[bytes], output: Callable[[], str], timeout: float) -> None:
    """Wait for the stack's banner; RuntimeError (with the output's tail) if it exits or times out first."""
    deadline = time.monotonic() + timeout
    while READY not in output():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the local stack did not start:\n" + output()[-4000:])
        time.sleep(0.2)


def interrupt(process: subprocess.Popen[bytes], grace: float) -> None:
    """Send Ctrl-C to the stack's process group; kill the group if it has not exited within `grace` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
