"""The tokens' and webhooks' migrations: up from the revision before them, and back down, on
SQLite and PostgreSQL (the empty_app fixture's database)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from rsvp.extensions import db
from tests.auth.conftest import empty_app  # noqa: F401 - fixture used here

BEFORE = "b1c2d3e4f5a6"
TABLES = {"api_tokens", "api_token_events", "webhook_endpoints", "webhook_deliveries", "webhook_attempts"}


def _indexes(connection: sa.Connection) -> set[str]:
    return {index["name"] for index in sa.inspect(connection).get_indexes("registrations")}


def test_up_and_down(empty_app):  # noqa: F811 - the fixture
    with empty_app.app_context():
        upgrade(revision=BEFORE)
        upgrade(revision="f9b2c3d4e5f6")
        with db.engine.connect() as connection:
            assert TABLES <= set(sa.inspect(connection).get_table_names())
            assert "ix_registrations_event_id_id" in _indexes(connection)
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert TABLES.isdisjoint(sa.inspect(connection).get_table_names())
            assert "ix_registrations_event_id_id" not in _indexes(connection)
