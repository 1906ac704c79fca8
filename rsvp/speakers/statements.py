"""Statements for the interpreters: what a file really is, and where it is kept.

Files are kept in SPEAKER_STATEMENTS_DIR (default: <instance>/speaker-statements),
outside the web root and under random names; no route serves that folder, only
organisers are given them. A file is accepted for what its content is (PDF,
DOCX, ODT, UTF-8 text), whatever its name says. Files follow the database:
one written by a transaction that rolls back is removed, one replaced or
withdrawn is removed once the change is committed.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from rsvp.db import Session
from rsvp.events.uploads import document_kind

#: Kind -> MIME type, for the kinds accepted.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain; charset=utf-8",
}
_TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


class StatementRejected(Exception):
    """Not a file the interpreters can use: ``reason`` is "empty", "too_large" or "type"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _is_text(data: bytes) -> bool:
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS_ALLOWED for c in text)


def sniff(data: bytes) -> str | None:
    """The kind of document ``data`` is ("pdf", "docx", "odt", "txt"), or None."""
    if data.startswith((b"%PDF-", b"PK\x03\x04")):
        return document_kind(data)  # the same checks as the organisers' uploads
    return "txt" if _is_text(data) else None


def check(data: bytes) -> str:
    """The kind of an acceptable statement.

    :raises StatementRejected: empty, larger than SPEAKER_STATEMENT_MAX_BYTES, or not a
        PDF, DOCX, ODT or UTF-8 text file.
    """
    if not data:
        raise StatementRejected("empty")
    if len(data) > current_app.config["SPEAKER_STATEMENT_MAX_BYTES"]:
        raise StatementRejected("too_large")
    kind = sniff(data)
    if kind is None:
        raise StatementRejected("type")
    return kind


def display_name(filename: str, kind: str) -> str:
    """The uploaded name, safe to show and to offer as a download name (never a path)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:180] or 'statement'}.{kind}"


def folder() -> Path:
    configured = current_app.config.get("SPEAKER_STATEMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "speaker-statements"


def path_of(stored_as: str) -> Path:
    """Where a stored statement is, for the organisers' download."""
    return folder() / Path(stored_as).name


def save(session: sa.orm.Session, data: bytes, kind: str) -> str:
    """Write ``data`` under a new random name; removed again if the transaction rolls back."""
    return save_with(session, kind, lambda handle: handle.write(data))


def save_with(session: sa.orm.Session, kind: str, write: Callable[[BinaryIO], object]) -> str:
    """A new file of ``kind`` under a random name, its content written by ``write`` (a video
    is copied in chunks); removed again if the transaction rolls back."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_as = f"{secrets.token_urlsafe(18)}.{kind}"
    temporary = target / f".{stored_as}.part"
    try:
        with open(temporary, "xb") as handle:
            write(handle)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.chmod(temporary, 0o600)
    os.replace(temporary, target / stored_as)
    session.info.setdefault("statements_written", []).append(stored_as)
    return stored_as


def delete_after_commit(session: sa.orm.Session, stored_as: str | None) -> None:
    if stored_as:
        session.info.setdefault("statements_replaced", []).append(stored_as)


def _unlink(names: list[str]) -> None:
    for name in names:
        path_of(name).unlink(missing_ok=True)


@sa.event.listens_for(Session, "after_commit")
def _committed(session: sa.orm.Session) -> None:
    session.info.pop("statements_written", None)
    _unlink(session.info.pop("statements_replaced", []))


@sa.event.listens_for(Session, "after_transaction_end")
def _ended(session: sa.orm.Session, transaction: sa.orm.SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop("statements_replaced", None)
        _unlink(session.info.pop("statements_written", []))
