"""Logs never carry attendees' addresses or the signed links that open their data.

Every log record, from the app, Werkzeug, gunicorn, SQLAlchemy or the worker,
is rewritten when it is created: email addresses become "<email>", and the
token of a link becomes "<token>": the path segment after /r/, /confirm/,
/s/, /check-in/t/ and /password-reset/, and any token rsvp.tokens signed,
wherever it stands (a login page's ``next``, a query string, an email's text).
"""

from __future__ import annotations

import logging
import re
from typing import Any

#: Tried only where a run of such characters starts: from every character of a long run, the search
#: took time in the square of its length (seconds for a 20,000-character line, inside the request).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: The links whose rule carries a token (tests/privacy checks every such rule of the app is here).
_TOKEN_PATH = re.compile(r"(/(?:r|confirm|s|check-in(?:/t)?|password-reset)/)[\w.-]{16,}")
#: itsdangerous's URL-safe form: payload (compressed ones start with a dot), timestamp, signature.
#: Tried only where a run starts, as _EMAIL is.
_SIGNED = re.compile(r"(?<![\w-])\.?[\w-]+\.[\w-]{6}\.[\w-]{27,}")


def redact(text: str) -> str:
    text = _TOKEN_PATH.sub(r"\1<token>", _EMAIL.sub("<email>", text))
    return _SIGNED.sub("<token>", text)


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
