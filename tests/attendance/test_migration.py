"""The messages-per-language and attendance migration on a database holding a message: it becomes
an organiser's message with no translations, registrations gain attendance, and the downgrade
takes the columns away again — on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from rsvp.extensions import db
from tests.speakers.test_migration import NOW, empty_app, event_row, insert  # noqa: F401

BEFORE = "b1c2d3e4f5a6"


def columns(connection: sa.Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(connection).get_columns(table)}


def test_a_stored_message_stays_a_message_and_registrations_gain_attendance(empty_app):  # noqa: F811
    with empty_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            values = event_row("hong-kong", None)
            del values["speakers_list"]  # a column of its time, gone since
            event = insert(connection, "events", **values)
            insert(connection, "message_jobs", public_id="m1", event_id=event, batch="b1",
                   actor="owner@example.org", subject="sealed", body="sealed", audience="sealed",
                   status="sent", total=3, queued=3, after_id=9, created_at=NOW)

        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text(
                "SELECT kind, translations, extra FROM message_jobs")).one() == ("message", None, None)
            assert {"attended", "attended_minutes"} <= columns(connection, "registrations")

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert {"kind", "translations", "extra"}.isdisjoint(columns(connection, "message_jobs"))
            assert {"attended", "attended_minutes"}.isdisjoint(columns(connection, "registrations"))
            assert connection.execute(sa.text("SELECT count(*) FROM message_jobs")).scalar_one() == 1
