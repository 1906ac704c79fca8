"""Small video files made of real container headers (an MP4's ftyp box, a WebM's EBML header),
and files that only pretend to be videos."""

from __future__ import annotations

import io
import struct


def box(kind: bytes, payload: bytes) -> bytes:
    """An ISO base media box: its size, its four-letter type, its content."""
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(size: int = 4096, major: bytes = b"isom", compatible: bytes = b"isomiso2avc1mp41") -> bytes:
    """An MP4 as cameras write it: ftyp, then the media data."""
    head = box(b"ftyp", major + struct.pack(">I", 0x200) + compatible) + box(b"free", b"")
    return head + box(b"mdat", bytes(range(256)) * ((size - len(head) - 8) // 256 + 1))[:size - len(head)]


def ebml(element_id: bytes, payload: bytes) -> bytes:
    """An EBML element whose size fits in one byte (under 127)."""
    assert len(payload) < 127
    return element_id + bytes([0x80 | len(payload)]) + payload


def matroska(doctype: bytes, size: int = 4096) -> bytes:
    """A WebM or Matroska file's EBML header (version, reads, sizes, DocType), then its Segment."""
    header = ebml(b"\x1a\x45\xdf\xa3", b"".join([
        ebml(b"\x42\x86", b"\x01"), ebml(b"\x42\xf7", b"\x01"), ebml(b"\x42\xf2", b"\x04"),
        ebml(b"\x42\xf3", b"\x08"), ebml(b"\x42\x82", doctype), ebml(b"\x42\x87", b"\x04"),
        ebml(b"\x42\x85", b"\x02")]))
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff"  # a Segment of unknown size
    body = header + segment
    return body + bytes(size - len(body))


def webm(size: int = 4096) -> bytes:
    return matroska(b"webm", size)


#: A PNG image: what a renamed screenshot is.
PNG = b"\x89PNG\r\n\x1a\n" + box(b"IHDR", bytes(13)) + bytes(100)
#: A QuickTime movie's ftyp names no MP4 brand.
QUICKTIME = box(b"ftyp", b"qt  " + bytes(4) + b"qt  ") + box(b"mdat", bytes(64))
TEXT = b"This is my statement, saved as statement.mp4.\n" * 20


def as_file(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
