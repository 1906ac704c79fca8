"""Files organisers upload: what they are (from their content), and where they are kept.

Documents (PDF, DOCX, ODT) and event images (PNG, JPEG, WebP) are recognised
by their bytes, never by their name or the browser's word: a program renamed
flyer.pdf is refused. Images are decoded and written afresh, which drops
their metadata (a photo's EXIF can hold where and when it was taken, and by
which camera). Files live in UPLOAD_FOLDER (the instance folder's "uploads"
by default), outside the web root, under random names; the app serves them.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import zipfile
from pathlib import Path

from flask import Response, current_app, send_file
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
#: Opening bytes of Windows, Linux and macOS programs and of scripts.
_PROGRAMS = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: Decoding refuses images with more pixels than this (a small file can hold a huge image).
_MAX_PIXELS = 40_000_000
_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{20,40}\.(?:pdf|docx|odt|png|jpeg|webp)")


class UploadRefused(Exception):
    """A file that is not accepted; ``message`` says why, for the organiser."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _size(size: int) -> str:
    """"8 MB", "1.5 MB", "12 KB"."""
    if size >= 1024 * 1024:
        return f"{format_decimal(size / (1024 * 1024), '#,##0.#')} MB"
    return f"{format_decimal(-(-size // 1024), '#,##0')} KB"


def _check_size(data: bytes, limit: int, filename: str) -> None:
    if not data:
        raise UploadRefused(str(_l("“%(name)s” is empty.", name=filename)))
    if len(data) > limit:
        raise UploadRefused(str(_l("“%(name)s” is %(size)s: the limit is %(limit)s.",
                                   name=filename, size=_size(len(data)), limit=_size(limit))))


def _zip_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
            if archive.read("mimetype").strip() == _ODT_MIMETYPE:
                return "odt"
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def document_kind(data: bytes) -> str | None:
    """"pdf", "docx" or "odt" from the file's content; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def check_document(data: bytes, filename: str) -> str:
    """The kind of an uploaded document.

    :raises UploadRefused: too large, empty, a program, or not a PDF, DOCX or ODT file.
    """
    _check_size(data, current_app.config["DOCUMENT_MAX_BYTES"], filename)
    if data.startswith(_PROGRAMS):
        raise UploadRefused(str(_l("“%(name)s” is a program, not a document: it was not uploaded.",
                                   name=filename)))
    kind = document_kind(data)
    if kind is None:
        raise UploadRefused(str(_l(
            "“%(name)s” is not a PDF, Word (DOCX) or OpenDocument (ODT) file, whatever its name says. "
            "Save it in one of these formats and upload it again.", name=filename)))
    return kind


def prepare_image(data: bytes, filename: str) -> tuple[bytes, str]:
    """An uploaded image, re-encoded without its metadata and scaled down when very large.

    :returns: the new bytes and the kind ("png", "jpeg" or "webp").
    :raises UploadRefused: too large, or not a PNG, JPEG or WebP image.
    """
    _check_size(data, current_app.config["IMAGE_MAX_BYTES"], filename)
    not_an_image = UploadRefused(str(_l("“%(name)s” is not a PNG, JPEG or WebP image.", name=filename)))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = _IMAGE_FORMATS.get(image.format or "")
            if kind is None:
                raise not_an_image
            if image.width * image.height > _MAX_PIXELS:
                raise UploadRefused(str(_l("“%(name)s” has too many pixels; use a smaller image.",
                                           name=filename)))
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep the orientation the metadata gave
            side = current_app.config["IMAGE_MAX_SIDE"]
            upright.thumbnail((side, side))
            if kind == "jpeg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, format=image.format, quality=85)  # no exif=, icc_profile=: dropped
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise not_an_image from error
    return out.getvalue(), kind


def folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    path = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes, kind: str) -> str:
    """Write ``data`` under a new random name; returns that name."""
    name = f"{secrets.token_urlsafe(18)}.{kind}"
    target = folder() / name
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)  # readers never see half a file
    return name


def path_of(name: str) -> Path:
    """Where the stored file ``name`` is.

    :raises FileNotFoundError: not a name this module gives, or no such file.
    """
    if not _STORED_NAME.fullmatch(name):
        raise FileNotFoundError(name)
    path = folder() / name
    if not path.is_file():
        raise FileNotFoundError(name)
    return path


def duplicate(name: str) -> str:
    """A copy of a stored file under a new name (a cloned event owns its own files)."""
    return store(path_of(name).read_bytes(), name.rsplit(".", 1)[1])


def discard(name: str | None) -> None:
    """Delete a stored file that nothing refers to any more; a missing file is no error."""
    if name and _STORED_NAME.fullmatch(name):
        (folder() / name).unlink(missing_ok=True)


def kind_of(name: str) -> str:
    return name.rsplit(".", 1)[1]


def send_stored(name: str, download_name: str | None = None, max_age: int = 300) -> Response:
    """A stored file as a response: as an attachment when ``download_name`` is given.

    :raises FileNotFoundError: no such stored file.
    """
    return send_file(path_of(name), mimetype=MEDIA_TYPES[kind_of(name)], max_age=max_age,
                     as_attachment=download_name is not None, download_name=download_name)
