"""The login-failures migration on a database holding organisers: their roles survive the
rebuild of the organisers table (SQLite), and the downgrade puts the old columns back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from rsvp.extensions import db
from tests.speakers.test_migration import NOW, event_row, insert

BEFORE = "d7e8f9a0b1c2"


def organiser_columns(connection: sa.Connection) -> set[str]:
    return {c["name"] for c in sa.inspect(connection).get_columns("organisers")}


def test_organisers_keep_their_roles_and_lose_only_the_old_counter(empty_app):
    with empty_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            event_values = event_row("hong-kong", None)
            del event_values["speakers_list"]  # a column of its time, gone since
            event = insert(connection, "events", **event_values)
            organiser = insert(connection, "organisers", public_id="o1", email="ana@example.org",
                               name="Ana", is_admin=False, is_active=True, failed_logins=3,
                               session_token="t", created_at=NOW)
            insert(connection, "event_roles", event_id=event, organiser_id=organiser,
                   role="owner", created_at=NOW)

        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM event_roles")).scalar_one() == 1
            assert {"failed_logins", "locked_until"}.isdisjoint(organiser_columns(connection))
            assert sa.inspect(connection).has_table("login_failures")
        with db.engine.begin() as connection, pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.text("UPDATE organisers SET email = 'Ana@Example.org'"))

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert {"failed_logins", "locked_until"} <= organiser_columns(connection)
            assert connection.execute(sa.text("SELECT count(*) FROM event_roles")).scalar_one() == 1
            assert not sa.inspect(connection).has_table("login_failures")
