"""Personal data sealed at rest (rsvp.sealing): what a person types is nowhere in the database as
stored — not in SQLite's file or WAL, not in a pg_dump — while the organiser's list, search,
sort, check-in and exports and the person's emails show it; and ``rsvp keys rotate`` re-seals
every row under a new key while the app serves, losing nothing."""

from __future__ import annotations

import csv
import io
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from rsvp import sealing
from rsvp.auth.models import Role
from rsvp.db import checkpoint, writing
from rsvp.events.models import AttendanceMode, Event, EventFormat
from rsvp.extensions import db
from rsvp.keys import rotate
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage
from rsvp.personal import Erase, declaration, personal
from rsvp.registrations import checkin, tracking
from rsvp.registrations.erasure import erase
from rsvp.registrations.models import Registration, door_code
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.sealing import Keyring, Sealed, digest, is_sealed, new_key
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.conftest import POSTGRES_URL
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.privacy.test_declared import MARKER, checked_columns, registrant_with_a_marker_everywhere
from tests.speakers.test_migration import NOW, event_row, insert


def plain_personal_columns(metadata: sa.MetaData) -> list[str]:
    """Personal columns stored as typed, without saying why (a kept country code says why)."""
    found = []
    for column in checked_columns(metadata):
        declared = declaration(column)
        if declared is not None and not (is_sealed(column) or declared.plain
                                         or declared.erase is Erase.KEEP):
            found.append(f"{column.table.name}.{column.name}")
    return found


def test_every_personal_column_is_sealed_or_says_why_not():
    assert plain_personal_columns(db.metadata) == []
    for column in checked_columns(db.metadata):
        if is_sealed(column):
            assert declaration(column) is not None, f"{column} is sealed but declared not personal"


def test_a_personal_column_added_in_plain_text_fails():
    metadata = sa.MetaData()
    sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("sealed", Sealed(100), info=personal(Erase.BLANK)),
             sa.Column("said", sa.Text, info=personal(Erase.BLANK)))
    assert plain_personal_columns(metadata) == ["notes.said"]


def every_stored_text() -> str:
    """Every value of every table as the database stores it, unopened."""
    chunks = []
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        for row in connection.exec_driver_sql(f"SELECT * FROM {table.name}"):  # noqa: S608 - ours
            chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_what_a_person_types_is_stored_sealed_and_shown_opened(app, client, db_session, smtp):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True, capacity_in_person=10)
    person = registrant_with_a_marker_everywhere(client, event)
    stored = every_stored_text()
    assert MARKER not in stored and "1984-05-06" not in stored
    assert f"{sealing.PREFIX}{sealing.keyring().active}:" in stored
    raw = db.session.connection().execute(sa.text(
        "SELECT email, email_hash, country FROM registrations WHERE id = :id"), {"id": person.id}).one()
    assert raw[1] == digest(f"{MARKER}@example.org") and raw[2] == "CO"  # counted by country

    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    base = f"/manage/events/{event.public_id}"
    found = client.get(f"{base}/registrations?q={MARKER.upper()}").get_data(as_text=True)
    assert f"{MARKER} name" in found and "1 registration" in found
    assert f"{MARKER} name" not in client.get(f"{base}/registrations?q=nobody").get_data(as_text=True)
    door = client.get(f"{base}/check-in?q={MARKER}").get_data(as_text=True)
    assert f"{MARKER} name" in door
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{base}/exports/attendees.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["Name"] for row in rows] == [f"{MARKER} name"]
    assert rows[0]["Email address"] == f"{MARKER}@example.org"
    assert rows[0]["Your story"].startswith(MARKER)

    worker.send_pending()
    (email, *_) = smtp.inbox.to(f"{MARKER}@example.org")
    assert f"{MARKER} name" in email.get_body(("plain",)).get_content()


def test_names_sort_and_match_as_people_read_them(app, client, db_session):
    event = make_event()
    for name in ("Zoë Kim", "émile Roux", "adam Bell", "Émilie Sow", "Bo Tan"):
        make_registration(event, name=name)
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    page = client.get(f"/manage/events/{event.public_id}/registrations?sort=name").get_data(as_text=True)
    shown = sorted(("Zoë Kim", "émile Roux", "adam Bell", "Émilie Sow", "Bo Tan"), key=page.index)
    assert shown == ["adam Bell", "Bo Tan", "émile Roux", "Émilie Sow", "Zoë Kim"]
    found = client.get(f"/manage/events/{event.public_id}/registrations?q=EMILI").get_data(as_text=True)
    assert "Émilie Sow" in found and "émile Roux" not in found


def test_a_value_sealed_under_a_key_no_longer_held_is_a_clear_error(app, db_session):
    old, new = Keyring.parse(new_key()), Keyring.parse(new_key())
    with pytest.raises(sealing.UnopenableValue, match="RSVP_DATA_KEYS lacks"):
        new.open(old.seal("Ana"))
    altered = old.seal("Ana")[:-4] + "AAA="
    with pytest.raises(sealing.UnopenableValue, match="altered"):
        old.open(altered)


# The files as an attacker who took them sees them: SQLite's file and WAL, PostgreSQL's dump.

@pytest.mark.skipif(bool(POSTGRES_URL), reason="about SQLite's own files")
def test_the_sqlite_file_and_its_wal_hold_no_marker(file_app):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True, capacity_in_person=10)
    db.session.commit()
    registrant_with_a_marker_everywhere(file_app.test_client(), event)
    path = Path(db.engine.url.database or "")
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the new rows are in the WAL so far
    for name in ("WAL", "file after a checkpoint"):
        seen = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert MARKER.encode() not in seen and b"1984-05-06" not in seen, name
        assert b"enc1:" in seen
        checkpoint(db.engine)
    assert db.session.scalar(sa.select(Registration.name)).startswith(MARKER)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (RSVP_TEST_DATABASE_URL)")
def test_a_pg_dump_holds_no_marker(app, live_db):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True, capacity_in_person=10)
    db.session.commit()
    registrant_with_a_marker_everywhere(app.test_client(), event)
    url = sa.make_url(POSTGRES_URL)
    dump = subprocess.run(
        ["pg_dump", "--data-only", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "", url.database or ""],
        env={"PGPASSWORD": url.password or "", "PATH": "/usr/bin:/bin"},
        capture_output=True, check=True, timeout=120).stdout
    assert b"COPY public.registrations" in dump and b"enc1:" in dump
    assert MARKER.encode() not in dump and b"1984-05-06" not in dump


# Rotation.

def test_keys_rotate_reseals_every_row_while_the_app_writes(app, live_db):
    """The old key first seals everything; the new key is put first (the restart), then rotation
    runs while another thread renames people and registers new ones: afterwards the new key
    alone opens every row, and every row holds what was written last."""
    old_ring = app.extensions[sealing.EXTENSION]
    event = make_event(capacity_online=1000)
    people = [make_registration(event, name=f"Person {n}", email=f"p{n}@example.org",
                                accessibility_needs=f"needs {n}") for n in range(60)]
    ids, event_id = [p.id for p in people], event.id
    db.session.commit()
    new = new_key()
    app.extensions[sealing.EXTENSION] = Keyring.parse(f"{new},{app.config['DATA_KEYS']}")
    expected = {i: f"Person {n}" for n, i in enumerate(ids)}
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with app.app_context(), writing():  # as the app writes: SQLite transactions IMMEDIATE
                for round_ in range(3):
                    for n, registration_id in enumerate(ids[::7]):
                        db.session.execute(sa.update(Registration)
                                           .where(Registration.id == registration_id)
                                           .values(name=f"Renamed {round_} {n}"))
                        db.session.commit()
                        expected[registration_id] = f"Renamed {round_} {n}"
                    late = make_registration(db.session.get(Event, event_id), name=f"Late {round_}",
                                             email=f"late{round_}@example.org")
                    db.session.commit()
                    expected[late.id] = f"Late {round_}"
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    try:
        thread = threading.Thread(target=writer)
        thread.start()
        rotation = rotate()
        thread.join(timeout=120)
        assert not failures, failures
        assert rotation.rows >= 60 and rotation.left == 0

        app.extensions[sealing.EXTENSION] = Keyring.parse(new)  # the old key is gone
        db.session.expire_all()
        rows = dict(db.session.execute(sa.select(Registration.id, Registration.name)).all())
        assert rows == expected
        assert db.session.scalar(sa.select(sa.func.count()).where(
            Registration.email_hash == digest("p3@example.org"))) == 1  # found by address still
        needs = db.session.scalars(sa.select(Registration.accessibility_needs)).all()
        assert sorted(n for n in needs if n) == sorted(f"needs {n}" for n in range(60))
    finally:
        app.extensions[sealing.EXTENSION] = old_ring


def test_rsvp_keys_rotate_says_what_it_did(app, live_db):
    event = make_event()
    make_registration(event, name="Ana")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-sealed 0 row(s) and 0 prepared export(s)" in result.output
    assert "0 value(s) left under older keys" in result.output
    made = app.test_cli_runner().invoke(args=["keys", "new"])
    assert len(Keyring.parse(made.output.strip()).ids) == 1


def test_the_upgrade_seals_what_was_there_and_the_downgrade_opens_it(empty_app):
    """A site upgrading keeps every registration and email: sealed, found by address, readable."""
    before = "a4c6e8f0b2d1"
    with empty_app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as connection:
            event_values = event_row("geneva", None)
            del event_values["speakers_list"]  # a column of its time, gone since
            event = insert(connection, "events", **event_values)
            insert(connection, "registrations", public_id="r1", event_id=event, email="ana@example.org",
                   name="Ana Defensora", organisation="Colectivo", organisation_type="ngo",
                   attendance_mode="online", language="en", captions=False,
                   accessibility_needs="", consent_at=NOW, status="confirmed", token_version=1,
                   created_at=NOW, updated_at=NOW, answers={"1": "Quito"})
            insert(connection, "outbox_messages", kind="registration-confirmed",
                   recipient="ana@example.org", subject="Ana, you are registered", text_body="Dear Ana",
                   html_body="<p>Dear Ana</p>", attachments=[], event_id=event, status="sent",
                   attempts=1, next_attempt_at=NOW, message_id="<m1@localhost>",
                   forget_after_sending=False, created_at=NOW)

        upgrade()
        stored = every_stored_text()
        assert "Ana" not in stored and "Quito" not in stored and "ana@example.org" not in stored
        person = db.session.scalar(sa.select(Registration).where(
            Registration.email_hash == digest("ana@example.org")))
        assert (person.name, person.organisation, person.answers) == (
            "Ana Defensora", "Colectivo", {"1": "Quito"})
        assert person.door_code == door_code("r1")  # stored by the next migration, for the desk
        assert db.session.scalar(sa.select(sa.func.count()).where(
            OutboxMessage.recipient_hash == digest("ana@example.org"))) == 1
        db.session.commit()

        downgrade(revision=before)
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT name, email, answers FROM registrations")).one()
        assert row[:2] == ("Ana Defensora", "ana@example.org") and "Quito" in str(row[2])


def test_the_list_searched_sees_each_change_at_once(app, client, db_session):
    """Names are kept opened per process (rsvp.registrations.opened): a rename, a new person and
    an erasure show in the very next search, as they would from another server."""
    event = make_event()
    ana = make_registration(event, name="Ana Quispe")
    db.session.commit()

    def found(text: str) -> list[str]:
        return [r.name for r in tracking.attendees(event, AttendeeFilter(search=text)).items]

    assert found("quispe") == ["Ana Quispe"]
    db.session.execute(sa.update(Registration).where(Registration.id == ana.id)
                       .values(name="Ana Mamani"))  # as another process would, without the ORM
    db.session.commit()
    assert found("quispe") == [] and found("mamani") == ["Ana Mamani"]
    make_registration(event, name="Bea Mamani", attendance_mode=AttendanceMode.IN_PERSON)  # the door's
    db.session.commit()
    assert found("mamani") == ["Ana Mamani", "Bea Mamani"]
    erase(Registration.id == ana.id, now_utc())
    db.session.commit()
    assert found("mamani") == ["Bea Mamani"]
    assert checkin.search(event, "bea")[0].name == "Bea Mamani"
