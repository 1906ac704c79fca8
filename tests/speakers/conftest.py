"""Speakers-list fixtures: statements in a temporary folder; the SMTP server reused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from rsvp.speakers import feed
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server, for the email tests here


@pytest.fixture(autouse=True)
def statements_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Statement files go to a fresh folder per test, never into the checkout's instance/."""
    folder = tmp_path / "statements"
    saved = app.config["SPEAKER_STATEMENTS_DIR"]
    app.config["SPEAKER_STATEMENTS_DIR"] = str(folder)
    try:
        yield folder
    finally:
        app.config["SPEAKER_STATEMENTS_DIR"] = saved


@pytest.fixture(autouse=True)
def _fresh_live_documents() -> Iterator[None]:
    """Live lists kept by an earlier test were rolled back with it (their ids come back)."""
    feed.forget()
    yield
    feed.forget()
