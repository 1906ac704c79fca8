"""PostgreSQL: a registration through the public form is one statement that commits alone
(rsvp.registrations.written), and writes what the form's other path writes.

Committed for real (live_db): in the tests' own outer transaction the statement is never
outside a transaction, and the form's other path runs. Each test says which path it expects,
and every row is read back from the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import written
from rsvp.registrations.models import Registration, RegistrationChange, RegistrationStatus
from rsvp.registrations.tallies import RegistrationTally
from rsvp.webhooks import services as webhooks
from rsvp.webhooks.models import WebhookDelivery, WebhookType
from tests.factories import make_event
from tests.registrations.test_views import VALID
from tests.registrations.test_write_path import _parsed, _rows, _taken_online
from tests.speakers.test_migration import empty_app  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(not os.environ.get("RSVP_TEST_DATABASE_URL"),
                                reason="PostgreSQL's one statement")


class Sent:
    """What the app sends PostgreSQL while a test's requests run: its statements through
    SQLAlchemy, and the BEGINs rsvp.postgresql sends on the driver's connection."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.begins = 0
        self.writes: list[str] = []  # what written.write did: "wrote", "nothing", "seat gone"

    def writing(self) -> list[str]:
        return [s for s in self.statements if not s.startswith("SELECT")]


@pytest.fixture
def sent(app: Flask, live_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    seen = Sent()
    execute = psycopg.Connection.execute

    def counted_execute(connection, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        if query == "BEGIN":
            seen.begins += 1
        return execute(connection, query, *args, **kwargs)

    write = written.write

    def counted_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            found = write(*args, **kwargs)
        except written.SeatGone:
            seen.writes.append("seat gone")
            raise
        seen.writes.append("wrote" if found is not None else "nothing")
        return found

    def statement(_conn, _cursor, text, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.statements.append(text)

    monkeypatch.setattr(psycopg.Connection, "execute", counted_execute)
    monkeypatch.setattr(written, "write", counted_write)
    sa.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)


class Client(FlaskClient):
    """A test client whose requests start with no session: here they run in the test's own
    app context (live_db's), whose session the test's reads leave in a transaction, where in
    a server each request has a session of its own."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        db.session.remove()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask, sent: Sent) -> FlaskClient:
    app.test_client_class = Client
    try:
        return app.test_client()
    finally:
        app.test_client_class = FlaskClient


def _saved(**fields: object) -> Event:
    event = make_event(**fields)
    db.session.commit()
    return event


def _one(model: type, **where: object) -> dict:
    db.session.expire_all()
    [row] = _rows(model, **where)
    return row


def test_a_registration_is_one_statement_with_no_begin_nor_commit(client, sent):
    event = _saved()
    sent.statements.clear()  # the test's own

    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303

    assert sent.writes == ["wrote"] and sent.begins == 0
    [statement] = sent.writing()
    assert statement.startswith("WITH reg AS")
    registration = _one(Registration, event_id=event.id)
    assert registration["email"] == "glacier@example.org" and registration["name"] == "Glacier Kwong"
    assert registration["status"] is RegistrationStatus.CONFIRMED
    assert registration["country"] == "DE" and registration["interpretation_language"] == "fr"
    assert registration["has_grounds_pass"] is None and registration["checked_in_at"] is None
    assert _taken_online(event) == 1
    change = _one(RegistrationChange, registration_id=registration["id"])
    assert (change["from_status"], change["to_status"], change["actor"]) == (
        None, RegistrationStatus.CONFIRMED, "registrant")
    message = _one(OutboxMessage, event_id=event.id)
    assert message["kind"] == "registration-confirmed" and message["dedupe_key"] is None
    assert message["render"]["args"]["registration_id"] == registration["id"]
    email = _parsed(message["id"])
    assert email["To"] == "glacier@example.org"
    text = email.get_body(("plain",)).get_content()
    assert "Glacier Kwong" in text and "https://meet.example.org/secret-join-link" in text
    assert [part.get_filename() for part in email.iter_attachments()] == ["invite.ics"]
    assert [(t["status"], t["n"]) for t in _rows(RegistrationTally, event_id=event.id)] == [
        ("confirmed", 1)]


def test_the_same_address_again_writes_nothing_takes_no_seat_and_sends_the_links(client, sent):
    event = _saved()
    client.post(f"/events/{event.slug}/register", data=VALID)

    again = client.post(f"/events/{event.slug}/register", data={**VALID, "email": "Glacier@Example.org"})

    assert again.status_code == 303
    assert sent.writes == ["wrote", "nothing"]
    registration = _one(Registration, event_id=event.id)
    assert len(_rows(RegistrationChange, registration_id=registration["id"])) == 1
    assert _taken_online(event) == 1
    assert [m["kind"] for m in _rows(OutboxMessage, event_id=event.id)] == [
        "registration-confirmed", "registration-links"]


def test_a_double_opt_in_is_one_statement_without_a_seat(client, sent):
    event = _saved(double_opt_in=True, capacity_online=1)

    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303

    assert sent.writes == ["wrote"] and sent.begins == 0
    registration = _one(Registration, event_id=event.id)
    assert registration["status"] is RegistrationStatus.PENDING_EMAIL
    assert _taken_online(event) == 0
    message = _one(OutboxMessage, event_id=event.id)
    assert message["kind"] == "registration-confirm-email"
    text = _parsed(message["id"]).get_body(("plain",)).get_content()
    [link] = [word for word in text.split() if "/confirm/" in word]
    assert client.get(urlsplit(link).path).status_code == 200


def _seat_taken_meanwhile(monkeypatch: pytest.MonkeyPatch, event_id: int) -> None:
    """Another registration takes the event's last seat after the request read the event,
    just before its statement."""
    write = written.write

    def taken_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        with db.engine.begin() as other:
            other.execute(sa.update(Event).where(Event.id == event_id)
                          .values(taken_online=Event.capacity_online))
        return write(*args, **kwargs)

    monkeypatch.setattr(written, "write", taken_first)


def test_the_last_seat_taken_meanwhile_leaves_nothing_and_waitlists(client, sent, monkeypatch):
    event = _saved(capacity_online=1, waitlist_enabled=True)
    _seat_taken_meanwhile(monkeypatch, event.id)

    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303

    assert sent.writes == ["seat gone"]
    registration = _one(Registration, event_id=event.id)  # the refused statement left none
    assert registration["status"] is RegistrationStatus.WAITLISTED
    change = _one(RegistrationChange, registration_id=registration["id"])
    assert change["to_status"] is RegistrationStatus.WAITLISTED
    message = _one(OutboxMessage, event_id=event.id)
    assert message["kind"] == "registration-waitlisted"
    assert message["render"]["args"]["registration_id"] == registration["id"]
    assert _taken_online(event) == 1  # the other registration's seat, and no more
    assert [(t["status"], t["n"]) for t in _rows(RegistrationTally, event_id=event.id)] == [
        ("waitlisted", 1)]


def test_the_last_seat_taken_meanwhile_without_a_waiting_list_keeps_nothing(client, sent, monkeypatch):
    event = _saved(capacity_online=1, waitlist_enabled=False)
    _seat_taken_meanwhile(monkeypatch, event.id)

    response = client.post(f"/events/{event.slug}/register", data=VALID)

    assert response.status_code == 409
    assert "There are no seats left" in response.get_data(as_text=True)
    assert sent.writes == ["seat gone"]
    db.session.expire_all()
    assert _rows(Registration, event_id=event.id) == [] and _rows(OutboxMessage) == []
    assert _rows(RegistrationChange) == [] and _taken_online(event) == 1


def test_an_event_someone_listens_to_is_written_row_by_row_and_told(client, sent):
    event = _saved()
    webhooks.add_endpoint(event, "http://127.0.0.1:9/hook", [WebhookType.REGISTRATION_CREATED],
                          False, "x")
    db.session.commit()

    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303

    assert sent.writes == [] and sent.begins == 1  # the statements of the form's other path
    change = _one(RegistrationChange)
    delivery = _one(WebhookDelivery)
    assert delivery["registration_change_id"] == change["id"]
    assert delivery["type"] is WebhookType.REGISTRATION_CREATED


def _in_this_schema(query: str) -> object:
    with db.engine.connect() as connection:
        return connection.execute(sa.text(query)).one_or_none()


def _counts_trigger() -> object:
    """Whether the counts' trigger is deferrable and deferred at first, in this schema."""
    return _in_this_schema(
        "SELECT t.tgdeferrable, t.tginitdeferred FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE t.tgname = 'registration_counts_follow'"
        " AND c.relnamespace = current_schema()::regnamespace")


def _refusal() -> object:
    return _in_this_schema("SELECT 1 FROM pg_proc WHERE proname = 'rsvp_refuse'"
                           " AND pronamespace = current_schema()::regnamespace")


def test_the_migrations_make_and_take_back_the_refusal_and_the_counts_at_commit(empty_app):  # noqa: F811
    with empty_app.app_context():
        upgrade()
        assert tuple(_counts_trigger()) == (True, True) and _refusal() is not None
        with pytest.raises(sa.exc.DBAPIError) as refused, db.engine.connect() as connection:
            connection.execute(sa.select(sa.func.rsvp_refuse("no seat left")))
        assert refused.value.orig.sqlstate == written.REFUSED
        assert "no seat left" in str(refused.value.orig)

        downgrade(revision="b8d2e6f1a3c5")  # before the counts at commit
        assert tuple(_counts_trigger()) == (False, False) and _refusal() is None

        upgrade()
        assert tuple(_counts_trigger()) == (True, True) and _refusal() is not None
