"""A speaker's files: the statement for the interpreters and the video statement, as received
from a form and as kept on the speaker (stored by statements.py and videos.py; a file replaced or
dropped is deleted once the change is committed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO

from rsvp.extensions import db
from rsvp.speakers import statements, videos
from rsvp.speakers.models import Speaker


@dataclass(frozen=True)
class Upload:
    """A statement file as received: the name the person's computer gave it, and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class VideoUpload:
    """A video statement as received: its name, and the upload itself (a file on disk, read in
    chunks: it may be hundreds of megabytes)."""

    filename: str
    stream: IO[bytes]


def _keep(speaker: Speaker, kind: str, stored_as: str, filename: str, content_type: str,
               size: int, now: datetime) -> None:
    """Set a speaker's statement or video (``kind``: "statement", "video") to a file just saved;
    the one it replaces is deleted once this is committed."""
    statements.delete_after_commit(db.session(), getattr(speaker, f"{kind}_stored_as"))
    for column, value in (("stored_as", stored_as), ("filename", filename), ("content_type", content_type),
                          ("bytes", size), ("uploaded_at", now)):
        setattr(speaker, f"{kind}_{column}", value)


def drop(speaker: Speaker, kind: str) -> None:
    """The speaker's statement or video (``kind``) is gone: deleted once this is committed."""
    statements.delete_after_commit(db.session(), getattr(speaker, f"{kind}_stored_as"))
    for column in ("stored_as", "filename", "content_type", "bytes", "uploaded_at"):
        setattr(speaker, f"{kind}_{column}", None)


def attach_statement(speaker: Speaker, upload: Upload, kind: str, now: datetime) -> None:
    _keep(speaker, "statement", statements.save(db.session(), upload.data, kind),
               statements.display_name(upload.filename, kind), statements.CONTENT_TYPES[kind],
               len(upload.data), now)


def attach_video(speaker: Speaker, upload: VideoUpload, kind: str, now: datetime) -> None:
    _keep(speaker, "video", videos.save(db.session(), upload.stream, kind),
               statements.display_name(upload.filename, kind), videos.CONTENT_TYPES[kind],
               videos.size_of(upload.stream), now)
