"""The speakers-list migration on a database holding data: settings move, nothing else is lost,
and the downgrade puts the old column back. Runs on its own database (SQLite file, or its own
PostgreSQL schema when the suite runs on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from rsvp import create_app
from rsvp.db import UTCDateTime
from rsvp.extensions import db
from tests.conftest import POSTGRES_URL

BEFORE = "5b1f0c2d9e4a"
SCHEMA = "speakers_migration_test"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _postgres_schema(action: str) -> None:
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        if action == "create":
            connection.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    engine.dispose()


@pytest.fixture
def empty_app(tmp_path) -> Iterator[Flask]:
    overrides: dict[str, Any] = {"ENV": "testing", "SERVER_NAME": None,
                                 "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migration.db'}"}
    if POSTGRES_URL:
        _postgres_schema("create")
        overrides |= {"SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}}
    app = create_app(overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if POSTGRES_URL:
            _postgres_schema("drop")


def insert(connection: sa.Connection, table_name: str, **values: Any) -> int:
    def kind(value: Any) -> sa.types.TypeEngine | None:
        if isinstance(value, datetime):
            return UTCDateTime()
        return sa.JSON() if isinstance(value, dict | list) else None

    columns = [sa.column(key, kind(value)) for key, value in values.items()]
    table = sa.table(table_name, sa.column("id", sa.Integer()), *columns)
    return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def event_row(slug: str, speakers_list: dict | None) -> dict[str, Any]:
    return {"public_id": slug, "slug": slug, "title": slug, "event_type": "side_event", "summary": "",
            "description": "", "format": "online", "status": "published", "starts_at": NOW,
            "ends_at": NOW + timedelta(hours=1), "timezone": "Europe/Zurich", "display_timezones": [],
            "floor_language": "en", "interpretation_languages": [], "caption_languages": [],
            "taken_in_person": 0, "taken_online": 1, "waitlist_enabled": True, "approval_required": False,
            "double_opt_in": False, "grounds_pass_required": False, "reminder_offsets": [60],
            "speakers_list": speakers_list, "retention_days": 30, "sequence": 0,
            "created_at": NOW, "updated_at": NOW}


def test_settings_move_to_the_new_table_registrations_survive_and_downgrade_restores(empty_app):
    with empty_app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            with_list = insert(connection, "events", **event_row(
                "hong-kong", {"individual_seconds": 45, "group_seconds": 90}))
            without = insert(connection, "events", **event_row("launch", None))
            insert(connection, "registrations", public_id="r1", event_id=with_list, email="a@example.org",
                   name="A", organisation="", organisation_type="ngo", attendance_mode="online",
                   language="en", captions=False, accessibility_needs="", consent_at=NOW,
                   status="confirmed", token_version=1, created_at=NOW, updated_at=NOW)

        upgrade()
        with db.engine.connect() as connection:
            lists = connection.execute(sa.text(
                "SELECT event_id, enabled, individual_seconds, group_seconds FROM speakers_lists")).all()
            assert [tuple(row) for row in lists] == [(with_list, True, 45, 90)]
            assert "speakers_list" not in {c["name"] for c in sa.inspect(connection).get_columns("events")}
            assert connection.execute(sa.text("SELECT count(*) FROM registrations")).scalar_one() == 1

        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            events = sa.table("events", sa.column("id"), sa.column("speakers_list", sa.JSON()))
            rows = dict(connection.execute(sa.select(events.c.id, events.c.speakers_list)).all())
            assert rows[with_list] == {"individual_seconds": 45, "group_seconds": 90}
            assert rows[without] is None
            assert not sa.inspect(connection).has_table("speakers_lists")
            assert connection.execute(sa.text("SELECT count(*) FROM registrations")).scalar_one() == 1


SEVERAL_LISTS = "c3a7e1f2b9d0"


def test_each_existing_list_becomes_its_events_first_with_its_speakers_and_its_floor(empty_app):
    with empty_app.app_context():
        upgrade(revision="b1c2d3e4f5a6")
        with db.engine.begin() as connection:
            row = event_row("segments", None)
            del row["speakers_list"]  # a column of its time, gone since
            event = insert(connection, "events", **row)
            list_id = insert(connection, "speakers_lists", event_id=event, enabled=True, floor_minutes=30,
                             individual_seconds=60, group_seconds=120, category_seconds={},
                             one_per_delegation=True, public_shows_names=False, version=1,
                             created_at=NOW, updated_at=NOW)
            speaker = {"event_id": event, "name": "sealed", "delegation": "CIVICUS", "category": "ngo",
                       "nhri_a_status": False, "on_behalf_of_group": False, "language": "en",
                       "email": "sealed", "email_language": "en", "one_per_delegation": True,
                       "seconds_allowed": 60, "inscribed_at": NOW, "updated_at": NOW, "token_version": 1}
            speaking = insert(connection, "speakers", public_id="s1", delegation_key="ngo:civicus",
                              state="speaking", started_at=NOW, **speaker)
            insert(connection, "speakers", public_id="s2", delegation_key="ngo:ishr", state="inscribed",
                   **speaker | {"delegation": "ISHR"})
            connection.execute(sa.text("UPDATE speakers_lists SET current_speaker_id = :s"), {"s": speaking})

        upgrade(revision=SEVERAL_LISTS)
        with db.engine.connect() as connection:
            assert connection.execute(sa.text(
                "SELECT number, title, current_speaker_id FROM speakers_lists")).one() == (1, "", speaking)
            assert connection.execute(sa.text("SELECT DISTINCT list_id FROM speakers")).scalars().all() == [
                list_id]
            assert connection.execute(sa.text("SELECT count(*) FROM registrations")).scalar_one() == 0
        with db.engine.begin() as connection:  # a second list for the same event, the same delegation
            second = insert(connection, "speakers_lists", event_id=event, number=2, title="Segment II",
                            enabled=True, floor_minutes=30, individual_seconds=60, group_seconds=120,
                            category_seconds={}, one_per_delegation=True, public_shows_names=False,
                            version=1, created_at=NOW, updated_at=NOW)
            insert(connection, "speakers", public_id="s3", delegation_key="ngo:ishr", state="inscribed",
                   list_id=second, **speaker | {"delegation": "ISHR"})

        downgrade(revision="b1c2d3e4f5a6")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT id, current_speaker_id FROM speakers_lists")).all() == [
                (list_id, speaking)]
            kept = connection.execute(sa.text("SELECT public_id FROM speakers ORDER BY id")).scalars().all()
            assert kept == ["s1", "s2"]
