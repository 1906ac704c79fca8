"""Uploaded files: recognised by content, refused when they are programs or pretend, images re-encoded."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from rsvp.events import uploads
from tests.factories import PDF_BYTES, png_bytes


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


@pytest.mark.parametrize(("data", "kind"), [(PDF_BYTES, "pdf"), (DOCX, "docx"), (ODT, "odt")])
def test_documents_are_recognised_by_content(app, data, kind):
    with app.app_context():
        assert uploads.check_document(data, "anything.bin") == kind


@pytest.mark.parametrize(("data", "says"), [
    (b"MZ\x90\x00\x03\x00\x00\x00 a Windows program", "is a program"),
    (b"\x7fELF\x02\x01\x01 a Linux program", "is a program"),
    (b"#!/bin/sh\nrm -rf /", "is a program"),
    (b"Just some text saved with a .pdf name", "not a PDF, Word (DOCX) or OpenDocument (ODT) file"),
    (zipped({"evil.exe": b"MZ"}), "not a PDF, Word (DOCX) or OpenDocument (ODT) file"),
    (png_bytes(), "not a PDF"),
    (b"", "is empty"),
])
def test_programs_and_pretenders_are_refused_with_a_clear_message(app, data, says):
    with app.app_context(), pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_document(data, "flyer.pdf")
    assert says in refused.value.message and "“flyer.pdf”" in refused.value.message


def test_size_limits_come_from_the_configuration(app):
    with app.app_context():
        limit = app.config["DOCUMENT_MAX_BYTES"]
        app.config["DOCUMENT_MAX_BYTES"] = 1024
        try:
            with pytest.raises(uploads.UploadRefused) as refused:
                uploads.check_document(PDF_BYTES + b" " * 2048, "report.pdf")
        finally:
            app.config["DOCUMENT_MAX_BYTES"] = limit
    assert refused.value.message == "“report.pdf” is 3 KB: the limit is 1 KB."


def test_images_lose_their_metadata_and_are_scaled_down(app):
    exif = Image.Exif()
    exif[0x0110] = "Camera model"
    gps = exif.get_ifd(0x8825)  # where the photo was taken
    gps[1], gps[2] = "N", (46.0, 13.0, 30.0)
    photo = png_bytes(3000, 1500, format="JPEG", exif=exif.tobytes())
    with app.app_context():
        data, kind = uploads.prepare_image(photo, "palais.jpg")
    assert kind == "jpeg"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1600, 800)
        assert not image.getexif() and "exif" not in image.info


@pytest.mark.parametrize("data", [
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    PDF_BYTES,
    png_bytes(format="GIF"),
    png_bytes()[:40],  # cut short
])
def test_only_png_jpeg_and_webp_images_are_accepted(app, data):
    with app.app_context(), pytest.raises(uploads.UploadRefused) as refused:
        uploads.prepare_image(data, "image.png")
    assert "“image.png” is not a PNG, JPEG or WebP image." == refused.value.message


def test_stored_files_live_in_the_upload_folder_under_names_only_this_module_gives(app):
    with app.app_context():
        name = uploads.store(PDF_BYTES, "pdf")
        path = uploads.path_of(name)
        assert path.parent == uploads.folder() and path.read_bytes() == PDF_BYTES
        assert not str(path).startswith(app.static_folder or "/static")
        for bad in ("../../etc/passwd", "x.pdf", f"../{name}"):
            with pytest.raises(FileNotFoundError):
                uploads.path_of(bad)
        uploads.discard(name)
        assert not path.exists()
        uploads.discard(name)  # already gone: no error
