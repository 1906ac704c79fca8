"""SQLite's one writer: a request queues for the write lock, then goes through or is told to retry."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from rsvp import db as rsvp_db
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from tests.factories import make_event
from tests.registrations.test_views import VALID

pytestmark = pytest.mark.skipif(bool(os.environ.get("RSVP_TEST_DATABASE_URL")),
                                reason="SQLite's write lock")


def hold_write_lock(seconds: float) -> threading.Thread:
    """Another process's writer: takes the lock now, lets it go after ``seconds``."""
    taken = threading.Event()
    path = db.engine.url.database

    def writer() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    taken.wait(5)
    return thread


def registrations() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_a_registration_waits_for_the_lock_and_goes_through(app, live_db):
    slug = make_event().slug
    db.session.commit()  # the request must start its own transactions, as in a server
    writer = hold_write_lock(0.5)
    try:
        response = app.test_client().post(f"/events/{slug}/register", data=VALID)
    finally:
        writer.join()
    assert response.status_code == 303
    assert registrations() == 1


def test_a_registration_that_cannot_get_the_lock_in_time_is_told_to_retry(app, live_db,
                                                                          monkeypatch):
    slug = make_event().slug
    db.session.commit()  # the request must start its own transactions, as in a server
    monkeypatch.setattr(rsvp_db, "WRITE_LOCK_WAIT_SECONDS", 0.3)
    writer = hold_write_lock(1.5)
    try:
        response = app.test_client().post(f"/events/{slug}/register", data=VALID)
    finally:
        writer.join()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert registrations() == 0
