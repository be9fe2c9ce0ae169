"""Logs never carry ID-card or mobile numbers: records are masked whatever logger or handler they pass."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.adapters import logs
from chalicelib.adapters.logs import MASKING, MaskingFilter, correlate, correlated, mask_logs

PHONE, MASKED_PHONE = "13812345678", "138****5678"
ID_CARD, MASKED_ID = "11010519491231002X", "1***************2X"


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("chalicelib.test", logging.WARNING, __file__, 1, message, args or None, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_the_filter_masks_the_message_with_its_arguments() -> None:
    made = record("报警人电话%s,身份证%s", PHONE, ID_CARD)
    assert MaskingFilter().filter(made) is True
    assert made.getMessage() == f"报警人电话{MASKED_PHONE},身份证{MASKED_ID}"


def test_the_filter_masks_string_extras_and_tracebacks() -> None:
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        made = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    made.post_body = f"联系{PHONE}"
    made.count = 13812345678  # not text: left as it is
    MaskingFilter().filter(made)
    text = logging.Formatter().format(made)
    assert PHONE not in text and MASKED_PHONE in text
    assert made.post_body == f"联系{MASKED_PHONE}" and made.count == 13812345678


def test_a_bad_format_string_is_left_for_logging_to_report() -> None:
    made = record("%d items", "not a number")
    assert MaskingFilter().filter(made) is True
    assert made.msg == "%d items"


class Collecting(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_importing_the_app_masks_every_logger(caplog: pytest.LogCaptureFixture) -> None:
    from app import app

    assert MASKING in logging.getLogger().filters
    collecting = Collecting()  # a handler added after the import, on Chalice's own logger (which does not propagate)
    app.log.addHandler(collecting)
    try:
        app.log.error("Caught exception for path %s", f"/posts?phone={PHONE}")
    finally:
        app.log.removeHandler(collecting)
    assert collecting.lines == [f"Caught exception for path /posts?phone={MASKED_PHONE}"]
    with caplog.at_level(logging.INFO):
        logging.getLogger("chalicelib.services.forum").info("回复给%s", PHONE)
        try:
            raise RuntimeError(f"身份证{ID_CARD}")
        except RuntimeError:
            logging.getLogger("somewhere.else").exception("出错了 %s", PHONE)
    assert PHONE not in caplog.text and ID_CARD not in caplog.text
    assert MASKED_PHONE in caplog.text and MASKED_ID in caplog.text


def test_installing_twice_adds_nothing() -> None:
    mask_logs(environ={})
    factory = logging.getLogRecordFactory()
    mask_logs(environ={})
    assert logging.getLogRecordFactory() is factory
    assert logging.getLogger().filters.count(MASKING) == 1


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Turn JSON logs on (as in Lambda) into a stream; put the root's handlers and the module back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    logs.json_logs(f"police24-test-{uuid.uuid4().hex[:8]}", stream=stream)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.handlers[:] = handlers
    root.setLevel(level)
    logs._logger = None


def test_in_lambda_every_record_is_one_masked_json_line(json_lines: Callable[[], list[dict[str, Any]]]) -> None:
    chalices = logging.getLogger(f"chalice-app-{uuid.uuid4().hex[:8]}")  # like app.log: own handler, no propagation
    chalices.addHandler(logging.StreamHandler(io.StringIO()))
    chalices.propagate = False
    worker = logging.getLogger("chalicelib.workers.dispatch")
    mask_logs(chalices, worker, environ={"AWS_LAMBDA_FUNCTION_NAME": "police24-dev-APIHandler"})
    chalices.error("Caught exception for path %s", f"/posts?phone={PHONE}")
    worker.warning("回复给%s", PHONE, extra={"contact": f"电话{PHONE}"})
    try:
        raise ValueError(f"身份证{ID_CARD}")
    except ValueError:
        logging.getLogger("somewhere.else").exception("出错了")
    chalice_line, reply, failure = json_lines()  # one line each, whatever logger
    assert chalice_line["message"] == f"Caught exception for path /posts?phone={MASKED_PHONE}"
    assert reply["level"] == "WARNING" and reply["message"] == f"回复给{MASKED_PHONE}"
    assert datetime.fromisoformat(reply["timestamp"]).utcoffset() == timedelta(0)  # RFC 3339, as Lambda reads it
    assert reply["contact"] == f"电话{MASKED_PHONE}" and reply["service"].startswith("police24-test")
    assert failure["exception_name"] == "ValueError" and ID_CARD not in json.dumps(failure, ensure_ascii=False)
    assert MASKED_ID in failure["exception"] and "masked" not in failure


def test_log_lines_carry_the_request_id_while_the_request_runs(json_lines: Callable[[], list[dict[str, Any]]]) -> None:
    request = SimpleNamespace(context={"requestId": "c0ffee-1"})

    def view(event: Any) -> str:
        logging.getLogger("chalicelib.api.forum").warning("inside")
        return "done"

    assert correlated(request, view) == "done"
    logging.getLogger("chalicelib.api.forum").warning("after")
    inside, after = json_lines()
    assert inside["correlation_id"] == "c0ffee-1" and after.get("correlation_id") is None


def test_outside_lambda_logs_stay_plain_and_correlation_is_a_no_op() -> None:
    mask_logs(environ={})
    assert logs._logger is None
    correlate("anything")  # nothing to tag


def test_the_dispatchers_log_lines_carry_the_message_id_of_the_work_in_hand(
    json_lines: Callable[[], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.workers import dispatch

    def handle(message: dict[str, str]) -> None:
        logging.getLogger("chalicelib.services.dispatch").warning("handling %s", message["kind"])
        if message["kind"] == "bogus":
            raise ValueError("no such work")

    monkeypatch.setattr(dispatch, "services", lambda: SimpleNamespace(dispatcher=SimpleNamespace(handle=handle)))
    records = [
        {"messageId": message_id, "body": json.dumps({"kind": kind, "post_id": "p1"}), "eventSource": "aws:sqs"}
        for message_id, kind in (("m-good", "dispatch"), ("m-bad", "bogus"))
    ]
    answer = dispatch.dispatch_post({"Records": records}, None)  # as Lambda calls the handler
    logging.getLogger("chalicelib.workers.dispatch").warning("between batches")
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    lines = [(line["message"], line.get("correlation_id")) for line in json_lines()]
    assert lines[:3] == [("handling dispatch", "m-good"), ("handling bogus", "m-bad"), ("dispatch failed", "m-bad")]
    assert lines[-1] == ("between batches", None)  # untagged once the work is done
