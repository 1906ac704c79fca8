"""rsvp.qr makes the very symbol segno makes (the same mask, module for module), and the
check-in code a registrant gets decodes to their link."""

from __future__ import annotations

import io
import random
import string

import segno
import zxingcpp
from PIL import Image

from rsvp import qr
from rsvp.registrations import codes

ALPHABET = string.ascii_letters + string.digits + "-_."


def check_in_links(count: int, seed: int) -> list[str]:
    """Links of the check-in link's shape, short and long (versions 4 to 15: below and above 7,
    where version information appears)."""
    chosen = random.Random(seed)
    return [f"https://events.example.org/checkin/{''.join(chosen.choices(ALPHABET, k=22))}/"
            + "".join(chosen.choices(ALPHABET, k=chosen.randint(5, 300))) for _ in range(count)]


def test_every_symbol_is_the_one_segno_makes():
    masks, versions = set(), set()
    for checked, link in enumerate(check_in_links(3000, seed=18004)):
        if checked >= 200 and len(masks) == 8:
            break
        ours, theirs = qr.make(link), segno.make(link, error="m")
        assert (ours.mask, ours.version, ours.error) == (theirs.mask, theirs.version, theirs.error), link
        assert ours.matrix == theirs.matrix, link
        masks.add(theirs.mask)
        versions.add(theirs.version)
    assert masks == set(range(8))  # each mask chosen at least once: every score mattered
    assert min(versions) < 7 <= max(versions)


def test_the_penalty_is_segnos_score_for_each_mask():
    """The score, not only the choice: each mask applied by segno, scored by both."""
    from segno import encoder

    for link in check_in_links(12, seed=7):
        for mask in range(8):
            matrix = segno.make(link, error="m", mask=mask).matrix
            rows = [bytes(row) for row in matrix]
            assert qr.penalty(rows) == sum(encoder.mask_scores(matrix, len(rows), len(rows)))


def test_the_emailed_check_in_code_decodes_to_the_link():
    for link in check_in_links(6, seed=3):
        image = Image.open(io.BytesIO(codes.qr_png(link)))
        assert [found.text for found in zxingcpp.read_barcodes(image)] == [link]
        assert _pixels(codes.qr_png(link)) == _pixels(_segno_png(link))  # what was sent before


def _segno_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return image.size, image.tobytes()
