"""Logs never carry ID-card or mobile numbers: records are masked whatever logger or handler they pass."""

from __future__ import annotations

import logging
import sys

import pytest

from chalicelib.adapters.logs import MASKING, MaskingFilter, mask_logs

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
    mask_logs()
    factory = logging.getLogRecordFactory()
    mask_logs()
    assert logging.getLogRecordFactory() is factory
    assert logging.getLogger().filters.count(MASKING) == 1
