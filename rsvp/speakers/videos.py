"""Video statements: a speaker who cannot be in the room sends a recording, played from the console.

A file is accepted for what its first bytes are, whatever its name or the
browser says: an MP4 (ISO base media file whose ``ftyp`` box names an MP4
brand) or a WebM or Matroska file (an EBML header whose DocType says so).
It is copied to the statements folder (see statements.py: outside the web
root, under a random name, following the database) a chunk at a time, never
whole in memory; only organisers of the event are given it.
"""

from __future__ import annotations

import shutil
import struct
from typing import IO

import sqlalchemy as sa
from flask import current_app

from rsvp.speakers import statements

#: Kind -> MIME type, for the kinds accepted (and the one they are served with).
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
}
#: ISO base media brands of MP4 video (ISO/IEC 14496-12 and -14, and common encoders' own).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
                        b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4", b"MSNV"})
#: How much of the start of a file is read to tell what it is.
HEAD_BYTES = 4096
#: Chunks a video is copied in.
CHUNK_BYTES = 1024 * 1024
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = 0x4282


class VideoRejected(Exception):
    """Not a video the console can play: ``reason`` is "empty", "too_large" or "type"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _mp4(head: bytes) -> bool:
    """An ``ftyp`` box first, naming an MP4 brand as its major brand or a compatible one."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    size = struct.unpack(">I", head[:4])[0]
    if not 16 <= size <= len(head) or size % 4:
        return False
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, size, 4)]
    return any(brand in MP4_BRANDS for brand in brands)


def _vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer at ``at``: its value and where the next field starts."""
    if at >= len(data) or data[at] == 0:
        return None
    length = 8 - data[at].bit_length() + 1
    if at + length > len(data):
        return None
    value = data[at] if keep_marker else data[at] & (0xFF >> length)
    for byte in data[at + 1:at + length]:
        value = (value << 8) | byte
    return value, at + length


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of the EBML header that starts ``head`` ("webm", "matroska"), or None."""
    if not head.startswith(_EBML_MAGIC):
        return None
    header = _vint(head, 4, keep_marker=False)
    if header is None:
        return None
    size, at = header
    end = min(at + size, len(head))
    while at < end:
        element = _vint(head, at, keep_marker=True)
        length = _vint(head, element[1], keep_marker=False) if element else None
        if element is None or length is None:
            return None
        size, at = length
        if element[0] == _EBML_DOCTYPE:
            return head[at:at + size].rstrip(b"\x00")
        at += size
    return None


def sniff(head: bytes) -> str | None:
    """The kind of video the first bytes of a file say it is ("mp4", "webm", "mkv"), or None."""
    if _mp4(head):
        return "mp4"
    return {b"webm": "webm", b"matroska": "mkv"}.get(_ebml_doctype(head) or b"")


def max_bytes() -> int:
    return int(current_app.config["SPEAKER_VIDEO_MAX_BYTES"])


def size_of(stream: IO[bytes]) -> int:
    """The size of a seekable upload, leaving it at its start."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def check(stream: IO[bytes]) -> str:
    """The kind of an acceptable video statement, read from its first bytes (the stream is left
    at its start).

    :raises VideoRejected: empty, larger than SPEAKER_VIDEO_MAX_BYTES, or not MP4, WebM or Matroska.
    """
    size = size_of(stream)
    if size == 0:
        raise VideoRejected("empty")
    if size > max_bytes():
        raise VideoRejected("too_large")
    kind = sniff(stream.read(HEAD_BYTES))
    stream.seek(0)
    if kind is None:
        raise VideoRejected("type")
    return kind


def save(session: sa.orm.Session, stream: IO[bytes], kind: str) -> str:
    """Copy the video beside the statements, a chunk at a time, under a new random name; removed
    again if the transaction rolls back, like a statement (statements.save)."""
    stream.seek(0)
    return statements.save_with(session, kind, lambda handle: shutil.copyfileobj(stream, handle, CHUNK_BYTES))
