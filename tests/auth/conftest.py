"""Organiser test helpers: logging in over HTTP, the SMTP server, the rate limiter, a database to migrate."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from rsvp import create_app
from rsvp.extensions import limiter
from tests.mail.conftest import smtp  # noqa: F401 - fixture used here
from tests.speakers.test_migration import empty_app  # noqa: F401 - fixture used here

PASSWORD = "a long enough password"  # tests.factories.make_organiser's default


def csrf_in(page_text: str) -> str | None:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_text)
    return found.group(1) if found else None


def post_form(client: FlaskClient, path: str, data: dict[str, str], page_path: str | None = None
              ) -> TestResponse:
    """POST ``data`` with the CSRF token of ``page_path`` (default: ``path``), as a browser would."""
    token = csrf_in(client.get(page_path or path).get_data(as_text=True))
    return client.post(path, data={**data, **({"csrf_token": token} if token else {})})


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return post_form(client, "/manage/login", {"email": email, "password": password})


@pytest.fixture
def rate_limited_app(app: Flask, db_session) -> Iterator[Flask]:
    """An app with Flask-Limiter on (the test config turns it off), and a clean count.

    The limiter is one object for the whole process and its memory storage
    outlives any app: it is emptied before and after, and turned off again, so
    no count leaks into another test.
    """
    limited = create_app({**{k: app.config[k] for k in ("ENV", "SQLALCHEMY_DATABASE_URI")},
                          "SERVER_NAME": None, "RATELIMIT_ENABLED": True,
                          "AUTH_LOGIN_RATE_LIMIT": "3 per minute"})
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False
