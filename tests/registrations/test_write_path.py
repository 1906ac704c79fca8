"""What a registration through the public form writes, read back from the database: the
registration's row, its history row, its email in the outbox (written by the worker's renderer
and parsed back with the email package), the event's counts, and a webhook delivery.

The form's path writes each row from a dict by one Core INSERT (services.register_row): these
tests hold it to what the ORM's objects wrote before.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from urllib.parse import urlsplit

import sqlalchemy as sa

from rsvp import sealing
from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.mail.worker import build_message
from rsvp.registrations import services
from rsvp.registrations.models import (
    OrganisationType,
    Registration,
    RegistrationChange,
    RegistrationStatus,
    door_code,
)
from rsvp.registrations.tallies import RegistrationTally
from rsvp.webhooks import services as webhooks
from rsvp.webhooks.models import WebhookDelivery, WebhookType
from tests.factories import make_event, written
from tests.registrations.test_views import VALID


def _rows(model: type, **where: object) -> list[dict]:
    """``model``'s rows as the database holds them (Core: nothing from the session's objects)."""
    table = model.__table__  # type: ignore[attr-defined]
    query = sa.select(table).where(*(table.c[key] == value for key, value in where.items()))
    return [dict(row) for row in db.session.execute(query.order_by(*table.primary_key)).mappings()]


def _parsed(message_id: int):
    """The outbox message as the worker writes and sends it, parsed back."""
    db.session.expire_all()
    message = written(db.session.get(OutboxMessage, message_id))
    return message_from_bytes(build_message(message).as_bytes(), policy=policy.default)


def _taken_online(event: Event) -> int:
    return db.session.scalar(sa.select(Event.taken_online).where(Event.id == event.id))


def test_a_registration_writes_its_row_history_email_counts_and_delivery(client):
    event = make_event()
    endpoint = webhooks.add_endpoint(event, "http://127.0.0.1:9/hook", [WebhookType.REGISTRATION_CREATED],
                                     False, "x")
    db.session.commit()

    response = client.post(f"/events/{event.slug}/register", data=VALID)

    assert response.status_code == 303
    [registration] = _rows(Registration, event_id=event.id)
    assert registration["email"] == "glacier@example.org"
    assert registration["email_hash"] == sealing.digest("glacier@example.org")
    assert registration["name"] == "Glacier Kwong"
    assert registration["organisation"] == "Keep Hong Kong Free"
    assert registration["organisation_type"] is OrganisationType.NGO
    assert registration["country"] == "DE"
    assert registration["attendance_mode"] is AttendanceMode.ONLINE
    assert registration["interpretation_language"] == "fr"
    assert registration["captions"] is True
    assert registration["status"] is RegistrationStatus.CONFIRMED
    assert registration["door_code"] == door_code(registration["public_id"])
    assert registration["token_version"] == 1
    assert registration["answers"] == {}
    assert registration["consent_at"] == registration["created_at"] == registration["updated_at"]
    assert registration["has_grounds_pass"] is None and registration["passport_name"] is None
    assert _taken_online(event) == 1

    [change] = _rows(RegistrationChange, registration_id=registration["id"])
    assert (change["from_status"], change["to_status"], change["actor"], change["note"]) == (
        None, RegistrationStatus.CONFIRMED, "registrant", "")
    assert change["at"] == registration["created_at"]

    [message] = _rows(OutboxMessage, event_id=event.id)
    assert (message["kind"], message["recipient"], message["dedupe_key"]) == (
        "registration-confirmed", "glacier@example.org", None)
    assert message["recipient_hash"] == sealing.digest("glacier@example.org")
    assert message["status"] is OutboxStatus.QUEUED and message["attempts"] == 0
    assert message["render"] == {"renderer": "registration", "args": {
        "name": "registration-confirmed", "registration_id": registration["id"],
        "status": "confirmed", "attach_ics": True, "cancel_ics": False, "extra": {}}}
    email = _parsed(message["id"])
    assert email["To"] == "glacier@example.org"
    assert email["Message-ID"] == message["message_id"]
    assert event.title in email["Subject"]
    text = email.get_body(("plain",)).get_content()
    assert "Glacier Kwong" in text
    assert "https://meet.example.org/secret-join-link" in text  # confirmed, online
    assert [part.get_filename() for part in email.iter_attachments()] == ["invite.ics"]

    tallies = _rows(RegistrationTally, event_id=event.id)
    assert [(t["status"], t["attendance_mode"], t["organisation_type"], t["n"]) for t in tallies] == [
        ("confirmed", "online", "ngo", 1)]

    [delivery] = _rows(WebhookDelivery, endpoint_id=endpoint.id)
    assert delivery["type"] is WebhookType.REGISTRATION_CREATED
    assert delivery["registration_change_id"] == change["id"]


def test_a_double_opt_in_holds_no_seat_and_sends_the_link_that_confirms(client):
    event = make_event(double_opt_in=True)

    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303

    [registration] = _rows(Registration, event_id=event.id)
    assert registration["status"] is RegistrationStatus.PENDING_EMAIL
    assert _taken_online(event) == 0
    [change] = _rows(RegistrationChange, registration_id=registration["id"])
    assert change["to_status"] is RegistrationStatus.PENDING_EMAIL
    [message] = _rows(OutboxMessage, event_id=event.id)
    assert message["kind"] == "registration-confirm-email"
    assert message["render"]["args"]["attach_ics"] is False
    text = _parsed(message["id"]).get_body(("plain",)).get_content()
    [link] = [word for word in text.split() if "/confirm/" in word]
    assert client.get(urlsplit(link).path).status_code == 200  # the page with its button


def test_a_waitlisted_registration_takes_no_seat_and_is_told_so(client):
    event = make_event(capacity_online=0, waitlist_enabled=True)

    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303

    [registration] = _rows(Registration, event_id=event.id)
    assert registration["status"] is RegistrationStatus.WAITLISTED
    assert _taken_online(event) == 0
    [message] = _rows(OutboxMessage, event_id=event.id)
    assert message["kind"] == "registration-waitlisted"
    email = _parsed(message["id"])
    assert "https://meet.example.org/secret-join-link" not in email.get_body(("plain",)).get_content()
    assert list(email.iter_attachments()) == []
    assert _rows(WebhookDelivery) == []  # no endpoint: nobody is told


def test_the_same_address_again_writes_nothing_more_and_gives_back_the_seat(client):
    event = make_event()

    client.post(f"/events/{event.slug}/register", data=VALID)
    assert client.post(f"/events/{event.slug}/register",
                       data={**VALID, "email": "Glacier@Example.org"}).status_code == 303

    [registration] = _rows(Registration, event_id=event.id)
    assert len(_rows(RegistrationChange, registration_id=registration["id"])) == 1
    assert _taken_online(event) == 1
    assert [m["kind"] for m in _rows(OutboxMessage, event_id=event.id)][0] == "registration-confirmed"
    assert [(t["status"], t["n"]) for t in _rows(RegistrationTally, event_id=event.id)] == [
        ("confirmed", 1)]


def test_the_service_gives_the_registration_it_wrote_as_if_loaded(db_session):
    event = make_event()
    data = services.RegistrationData(name=" Ana ", email="Ana@Example.org ",
                                     organisation_type=OrganisationType.NGO,
                                     attendance_mode=AttendanceMode.ONLINE, answers={"a": "b"})

    registration = services.register(event, data)

    assert registration in db_session and registration.id is not None
    assert not db_session.new and not db_session.dirty  # nothing left for the flush
    assert registration.event is event
    assert (registration.email, registration.name, registration.status) == (
        "ana@example.org", "Ana", RegistrationStatus.CONFIRMED)
    assert [c.to_status for c in registration.changes] == [RegistrationStatus.CONFIRMED]
    db_session.commit()
    db_session.expire_all()
    again = db_session.get(Registration, registration.id)
    assert (again.email, again.answers, again.public_id) == (
        "ana@example.org", {"a": "b"}, registration.public_id)


def test_the_endpoints_are_read_only_for_an_event_someone_listens_to(client):
    """Most events have no webhook endpoint: their registrations read none (the event's read
    says so, rsvp.webhooks.events._read_ahead); one added, site-wide, is told of the next."""
    event = make_event()
    db.session.commit()
    read: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("SELECT webhook_endpoints"):  # not the event's EXISTS
            read.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303
        assert read == [] and _rows(WebhookDelivery) == []
        webhooks.add_endpoint(None, "http://127.0.0.1:9/hook", [WebhookType.REGISTRATION_CREATED],
                              False, "x")
        db.session.commit()
        assert client.post(f"/events/{event.slug}/register",
                           data={**VALID, "email": "second@example.org"}).status_code == 303
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(read) == 1
    [delivery] = _rows(WebhookDelivery)
    assert delivery["type"] is WebhookType.REGISTRATION_CREATED
