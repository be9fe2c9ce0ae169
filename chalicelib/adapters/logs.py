"""Logs: ID-card and mobile numbers masked in every record; in Lambda, JSON lines with a correlation id.

Every record is masked when it is made (any logger) and again on the handlers (string extras). In
Lambda (or when LOGS=json) one Powertools Logger writes every record, the app's and Chalice's, as one
JSON line carrying the correlation id of the work in hand: API Gateway's request id, or the SQS message id.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from chalicelib.domain.masking import mask_text

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

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


def mask_logs(*loggers: logging.Logger, environ: Mapping[str, str] = os.environ) -> None:
    """Mask every record from now on: at creation (any logger), and on the root's and these loggers' handlers.

    In Lambda, or when LOGS=json, every record goes out as JSON first (see `json_logs`).
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "masks", False):
        logging.setLogRecordFactory(_masking_factory(factory))
    if environ.get("AWS_LAMBDA_FUNCTION_NAME") or environ.get("LOGS") == "json":
        json_logs(environ.get("POWERTOOLS_SERVICE_NAME", "police24"), *loggers)
    for logger in (logging.getLogger(), *loggers):
        for target in (logger, *logger.handlers):
            if MASKING not in target.filters:
                target.addFilter(MASKING)


_logger: Logger | None = None  # the Powertools Logger, once JSON logs are on


def json_logs(service: str, *loggers: logging.Logger, stream: IO[str] | None = None) -> Logger:
    """Write every record as one masked JSON line through a Powertools Logger (once; later calls reuse it).

    Its handler replaces the root's (in Lambda, the runtime's plain-text one) and the handlers these loggers
    have of their own (Chalice's `app.log`, which does not propagate), so each record is written once.
    """
    global _logger
    if _logger is None:
        from aws_lambda_powertools import Logger

        _logger = Logger(service=service, stream=stream, logger_formatter=_masking_formatter())
        logging.getLogger(_logger.name).propagate = False  # its records are written by its handler alone
    handler, root = _logger.registered_handler, logging.getLogger()
    for logger in (root, *loggers):
        if logger is root or logger.handlers or not logger.propagate:  # the others reach the root's handler
            logger.handlers[:] = [handler]
    return _logger


def _masking_formatter() -> LambdaPowertoolsFormatter:
    """Powertools' JSON formatter, masking the whole line (message, extras, exception and stack trace).

    Lambda's JSON log format filters application lines on their `level`, given an RFC 3339 `timestamp`.
    """
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class MaskingJsonFormatter(LambdaPowertoolsFormatter):
        def serialize(self, log: Any) -> str:
            log.pop("masked", None)  # MaskingFilter's mark, not news to the reader
            return mask_text(super().serialize(log))

    return MaskingJsonFormatter(use_rfc3339=True, utc=True)


def correlate(value: str | None) -> None:
    """Tag the following log lines with this correlation id (None: untag); nothing unless JSON logs are on."""
    if _logger is not None:
        _logger.set_correlation_id(value)


def correlated(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware: the request's log lines carry API Gateway's request id."""
    correlate((getattr(event, "context", None) or {}).get("requestId"))
    try:
        return get_response(event)
    finally:
        correlate(None)
