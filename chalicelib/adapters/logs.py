"""Mask ID-card and mobile numbers in log records before any handler writes them."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.domain.masking import mask_text

# Attributes every record has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "masked"}


class MaskingFilter(logging.Filter):
    """Mask personal numbers in a record's message, arguments, traceback and string extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record masked (once) and let it through."""
        if getattr(record, "masked", False):
            return True
        mask_record(record)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_text(value))
        record.masked = True
        return True


def mask_record(record: logging.LogRecord) -> None:
    """Format the message with its arguments, and the traceback, then mask both."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):  # a bad format string: logging reports it at emit time
        return
    record.msg, record.args = mask_text(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


MASKING = MaskingFilter()


def _masking_factory(factory: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        mask_record(record)
        return record

    make.masks = True  # type: ignore[attr-defined]
    return make


def mask_logs(*loggers: logging.Logger) -> None:
    """Mask every record from now on: at creation (any logger), and on the root's and these loggers' handlers."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "masks", False):
        logging.setLogRecordFactory(_masking_factory(factory))
    for logger in (logging.getLogger(), *loggers):
        for target in (logger, *logger.handlers):
            if MASKING not in target.filters:
                target.addFilter(MASKING)
