"""Erased on SQLite means gone from the files: no erased name, address or note can be read
back from the database file or its WAL, after an erasure on request or the retention purge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from rsvp import create_app
from rsvp.db import checkpoint
from rsvp.extensions import db
from rsvp.jobs import purge
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import decisions, notify
from rsvp.registrations.models import RegistrationStatus
from rsvp.timeutil import now_utc
from tests.conftest import POSTGRES_URL
from tests.factories import make_event, make_registration, written

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="about SQLite's own files")


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own SQLite file with real commits, as in production."""
    app = create_app({"ENV": "testing", "SERVER_NAME": None, "WTF_CSRF_ENABLED": False,
                      "MAIL_SUPPRESS_SEND": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rsvp.db'}"})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def file_bytes(app: Flask) -> bytes:
    path = Path(db.engine.url.database or "")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def someone(event, marker: str):
    """A registration with ``marker`` in its name, address, history note and a written email,
    among others: the erased row shares its pages, as it would in use."""
    registration = make_registration(event, name=f"Ana {marker}", email=f"{marker}@example.org",
                                     status=RegistrationStatus.PENDING_APPROVAL)
    decisions.reject(registration, "owner@example.org", f"{marker} is not on the list")
    written(notify.status_email(registration))
    for _ in range(3):
        written(notify.status_email(make_registration(event)))
    db.session.commit()
    return registration


def test_an_erasure_on_request_leaves_nothing_readable_in_the_files(file_app):
    registration = someone(make_event(approval_required=True), "zqxvalentina")
    checkpoint(db.engine)  # as SQLite does by itself now and then: the row is in rsvp.db too
    assert b"zqxvalentina" in file_bytes(file_app)  # the test can see it while it is there
    # Freed space is zeroed (this machine's SQLite is built so anyway; others are not).
    assert db.session.execute(sa.text("PRAGMA secure_delete")).scalar() == 1

    path = notify.manage_url(registration).removeprefix("http://localhost")
    done = file_app.test_client().post(path + "/erase", data={"confirm": "y"})
    assert "Your details are erased" in done.get_data(as_text=True)
    # Their address is left only on the erasure's receipt, until it is sent (testing sends nothing).
    worker.send_pending()
    receipt = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "registration-erased"))
    assert receipt.status.value == "sent" and receipt.recipient == ""
    assert b"zqxvalentina" not in file_bytes(file_app)


def test_the_retention_purge_leaves_nothing_readable_in_the_files(file_app):
    now = now_utc()
    someone(make_event(approval_required=True, retention_days=1,
                       starts_at=now - timedelta(days=3)), "zqxdefensora")
    checkpoint(db.engine)
    assert b"zqxdefensora" in file_bytes(file_app)

    assert purge(now).registrations == 4
    db.session.commit()
    assert b"zqxdefensora" not in file_bytes(file_app)
