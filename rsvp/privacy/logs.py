"""Logs never carry attendees' addresses or the signed links that open their data.

Every log record, from the app, Werkzeug, SQLAlchemy or the worker, is
rewritten when it is created: email addresses become "<email>", and the
token in /r/, /confirm/, /s/ and password-reset links becomes "<token>".
"""

from __future__ import annotations

import logging
import re
from typing import Any

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TOKEN_PATH = re.compile(r"(/(?:r|confirm|s|check-in|password-reset)/)[\w.-]{16,}")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(r"\1<token>", _EMAIL.sub("<email>", text))


def install() -> None:
    """Wrap the log record factory once per process."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: leave it for logging to report
            return record
        record.msg, record.args = redact(message), None
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
