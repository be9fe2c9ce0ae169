"""Run the whole system on one machine: `python -m local.devstack` (what `make dev` runs)."""

from __future__ import annotations

import errno
import importlib
import json
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen
from typing import Any

import boto3

from local import demo, seed
from local.bucket_mirror import BucketMirror
from local.cad_simulator import CadSimulator
from local.chalice_local import free_port, start_chalice, stop_process, wait_for_http
from local.fonts import fonts_note
from local.journal import Journal
from local.outbox import OutboxCollector
from local.provision import env_for, provision
from local.proxy import SiteServer
from local.pump import Pump
from local.serial import SerialMotoServer
from local.snapshot import Snapshotter, write_atomically
from local.table_stream import TableStream, streams_client
from local.wechat_simulator import WechatSimulator
from tools import build_web

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "police24"
REGION = "us-east-1"
log = logging.getLogger("devstack")


class Interrupted(Exception):
    """A stop signal arrived while the stack was starting."""


class PortInUseError(RuntimeError):
    """The port the developer asked for is taken."""


def data_dir() -> Path:
    """Where the snapshot and the generated secrets live (`POLICE24_DATA_DIR` overrides)."""
    path = Path(os.environ.get("POLICE24_DATA_DIR") or ROOT / ".data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_secrets(directory: Path) -> dict[str, str]:
    """Take ADMIN_KEY, CAD_SECRET and TOKEN_KEYS from the environment, else from disk, else new."""
    path = directory / "secrets.json"
    stored: dict[str, str] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    makers: dict[str, Callable[[], str]] = {
        "ADMIN_KEY": lambda: secrets.token_urlsafe(24),
        "CAD_SECRET": lambda: secrets.token_urlsafe(32),
        "TOKEN_KEYS": lambda: f"k{time.strftime('%Y%m%d')}:{secrets.token_urlsafe(32)}",
    }
    changed = False
    for name, make in makers.items():
        if not stored.get(name):
            stored[name] = make()
            changed = True
    if changed:
        write_atomically(path, json.dumps(stored, indent=1).encode("utf-8"))
    return {name: os.environ.get(name) or stored[name] for name in makers}


class Stack:
    """Everything `make dev` starts, so that it can all be stopped again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.site: SiteServer | None = None
        self.serving = False
        self.moto: SerialMotoServer | None = None
        self.endpoint = ""
        self.chalice: Popen[bytes] | None = None
        self.snapshotter: Snapshotter | None = None
        self.journal: Journal | None = None
        self.mirror: BucketMirror | None = None
        self.collector: OutboxCollector | None = None
        self.cad: CadSimulator | None = None
        self.wechat: WechatSimulator | None = None
        self.threads: list[threading.Thread] = []
        self.admin_key = ""

    def _check(self) -> None:
        if self.stop.is_set():
            raise Interrupted

    def _thread(self, target: Any, name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def start(self) -> None:
        """Bring up moto, the stack, chalice local, the proxy and the helper threads."""
        directory = data_dir()
        if build_web.ensure():  # the page is served as CloudFront serves it: bundled and fingerprinted
            log.info("built web/dist (bundled and fingerprinted page)")
        try:
            own = build_web.write_site_qr(f"http://127.0.0.1:{self.port}/", directory / "site").parent
            self.site = SiteServer(self.port, build_web.DIST, sources=build_web.WEB, own=own)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(self.port) from error
            raise
        # moto is not thread safe (concurrent DynamoDB transactions lose updates, its dicts change while iterated);
        # DynamoDB applies each request atomically, so moto serves one AWS request at a time (local/serial.py).
        self.moto = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        endpoint = self.endpoint = "http://{}:{}".format(*self.moto.get_host_and_port())
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
        outputs = provision(PREFIX)
        keys = load_secrets(directory)
        self.admin_key = keys["ADMIN_KEY"]
        os.environ.update(
            env_for(
                outputs,
                stage="local",
                site_url=f"http://127.0.0.1:{self.port}",
                admin_key=keys["ADMIN_KEY"],
                token_keys=keys["TOKEN_KEYS"],
                endpoint_url=endpoint,
                region=REGION,
                # Photos: the browser reaches S3 at /storage and public photos at /media on this origin (the proxy).
                extra={"CAD_SECRET": keys["CAD_SECRET"], "STORAGE_URL": "/storage", "MEDIA_URL": ""},
            )
        )
        dynamodb = boto3.client("dynamodb")
        # Every DynamoDB write is journalled (fsynced) before moto answers it and replayed here after the snapshot,
        # so an acknowledged write survives kill -9 (local/journal.py); each snapshot empties the journal.
        self.journal = Journal(directory / "journal.log")
        snapshotter = Snapshotter(dynamodb, outputs["TableName"], directory / "table.json", self.journal)
        restored = snapshotter.restore(self.moto.replay)
        self.moto.keep_journal(self.journal)
        self.snapshotter = snapshotter  # only now may shutdown save: a failed restore must not overwrite the file
        applied, refused = snapshotter.replayed
        log.info(
            "restored %d item(s) from %s after replaying %d journalled write(s) (%d refused)",
            restored,
            directory / "table.json",
            applied,
            refused,
        )
        mirror = BucketMirror(boto3.client("s3"), outputs["PhotosBucketName"], directory / "photos")
        log.info("restored %d photo object(s) from %s", mirror.restore(), directory / "photos")
        self.mirror = mirror
        self._check()
        if not os.environ.get("WECHAT_APP_ID"):  # a developer may point the stack at a real WeChat test account
            self.wechat = WechatSimulator().start()
            os.environ.update(self.wechat.env())  # chalice local and the pump take the process's environment
        internal = free_port()
        self.chalice = start_chalice(internal, ROOT)
        if not wait_for_http(internal, self.chalice, self.stop):
            raise Interrupted
        self.site.upstream_port = internal
        self.site.storage_endpoint, self.site.photos_bucket = endpoint, outputs["PhotosBucketName"]
        self._thread(self.site.serve_forever, "proxy")
        self.serving = True
        self.cad = CadSimulator(f"http://127.0.0.1:{self.port}/api", os.environ["CAD_SECRET"])
        self.collector = OutboxCollector(
            dynamodb,
            outputs["TableName"],
            region=REGION,
            sqs=boto3.client("sqs"),
            cad_queue_url=outputs.get("CadQueueUrl", ""),
            on_cad=self.cad.on_record,
            wechat=self.wechat.messages if self.wechat else None,
        )
        self._thread(self.collector.run, "outbox", self.stop)
        self._start_pump(outputs["TableName"])
        self._thread(snapshotter.run, "snapshot", self.stop, 2.0, self.moto.writes)
        self._thread(mirror.run, "photos-mirror", self.stop)
        self._check()
        self._seed()

    def _start_pump(self, table_name: str) -> None:
        """Import the app in-process (same environment) and feed its queue, schedule, S3 and stream handlers (the
        table's stream rewrites the public copies under the photos bucket's data/, which the proxy serves)."""
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        try:
            chalice_app = importlib.import_module("app").app
            stream = TableStream(boto3.client("dynamodb"), streams_client(REGION), table_name, REGION)
            pump = Pump(chalice_app, boto3.client("sqs"), region=REGION, s3=boto3.client("s3"), stream=stream)
        except Exception:
            log.exception("pump disabled: the app could not be loaded")
            return
        counts = len(pump.queues), len(pump.schedules), len(pump.buckets), len(pump.streams)
        log.info("pump: %d queue(s), %d schedule(s), %d bucket prefix(es), %d stream handler(s)", *counts)
        self.threads.extend(pump.start(self.stop))

    def _seed(self) -> None:
        base = f"http://127.0.0.1:{self.port}"
        try:
            if seed.is_empty(base):
                seed.seed(base, self.admin_key, wechat=self.wechat is not None)
                log.info("seeded the demo directory and notices")
        except (OSError, seed.SeedError) as error:
            log.warning("seeding failed: %s", error)

    def banner(self) -> str:
        """Tell the developer where to go and who to sign in as."""
        base = f"http://127.0.0.1:{self.port}"
        lines = [
            "",
            "  24小时警局 (Police24) is running.",
            f"  Open:       {base}/   (officers: {base}/work.html, the workbench)",
            f"  Outbox:     {base}/outbox.html   (every SMS, email, WeChat notice, 110 record 'sent')",
            f"  Admin key:  {self.admin_key}   (Authorization: Bearer <key> on /api/admin/*)",
            f"  AWS:        {self.endpoint}   (AWS_ENDPOINT_URL for tools, e.g. make replay-dlq AWS_ENDPOINT_URL=...)",
            f"  微信模拟器: {self.wechat.base_url if self.wechat else os.environ.get('WECHAT_OAUTH_BASE', '')}"
            "   (WeChat sign-in picks a test user; openids o-wx-zhang, o-wx-<officer id>)",
            "  Demo officers (sign in with the phone; the code shows in the outbox):",
        ]
        for officer in demo.OFFICERS:
            lines.append(f"    {officer['phone']}  {officer['name']}  {officer['title']}  ({officer['role']})")
        lines.append(fonts_note())
        lines.append("  Press Ctrl-C to stop.\n")
        return "\n".join(lines)

    def wait(self) -> int:
        """Block until a stop signal (0) or until chalice local dies (1)."""
        while not self.stop.wait(0.5):
            if self.chalice is not None and self.chalice.poll() is not None:
                log.error("chalice local exited with code %s", self.chalice.returncode)
                return 1
        return 0

    def shutdown(self) -> None:
        """Stop everything that was started, saving the table last."""
        self.stop.set()
        if self.cad is not None:
            self.cad.stop()
        if self.wechat is not None:
            self.wechat.stop()
        if self.site is not None:
            if self.serving:
                self.site.shutdown()
            self.site.server_close()
        if self.chalice is not None:
            stop_process(self.chalice)
        for thread in self.threads:
            thread.join(timeout=3)
        try:
            if self.collector is not None:
                self.collector.collect()
            if self.snapshotter is not None:
                self.snapshotter.dump_if_changed()
            if self.mirror is not None:
                self.mirror.sync()
        except Exception:
            log.exception("final save failed")
        if self.moto is not None:
            self.moto.stop()
        if self.journal is not None:
            self.journal.close()


def main() -> int:
    """Start the stack, run until Ctrl-C or SIGTERM, stop it, and exit 0."""
    logging.basicConfig(level=logging.INFO, format="[%(name)s] %(message)s")
    for noisy in ("werkzeug", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        port = int(os.environ.get("PORT") or 8000)
    except ValueError:
        print(f"devstack: PORT must be a number, not {os.environ['PORT']!r}.", file=sys.stderr)
        return 2
    stack = Stack(port)

    def on_signal(signum: int, frame: object) -> None:
        stack.stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        stack.start()
        print(stack.banner(), flush=True)
        code = stack.wait()
    except Interrupted:
        pass
    except build_web.BuildError as error:
        print(f"devstack: the page could not be built: {error}", file=sys.stderr)
        code = 2
    except PortInUseError:
        print(
            f"devstack: port {port} is already in use; stop what uses it or run `make dev PORT=<another port>`.",
            file=sys.stderr,
        )
        code = 2
    finally:
        stack.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
