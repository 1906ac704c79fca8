"""Webhooks: a delivery written with each change (and rolled back with it), signed the Standard
Webhooks way, delivered by the worker's step with retries after the receiver was down, each
attempt shown to the organisers."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.registrations import checkin, decisions
from rsvp.registrations.models import Registration
from rsvp.timeutil import now_utc
from rsvp.webhooks import services, signing
from rsvp.webhooks.delivery import deliver_webhooks
from rsvp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookType
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker
from tests.mail.conftest import free_port
from tests.registrations.test_views import VALID
from tests.webhooks.receiver import Receiver


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _independent_signature(secret: str, headers: dict[str, str], body: bytes) -> str:
    """The spec's recipe written out again, apart from rsvp.webhooks.signing."""
    key = base64.b64decode(secret[len("whsec_"):])
    signed = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@pytest.fixture
def receiver():
    listening = Receiver(free_port())
    yield listening
    listening.stop()


def test_each_change_is_told_once_after_the_receiver_was_down(client, receiver):
    event = make_event(format=EventFormat.HYBRID)
    endpoint = services.add_endpoint(event, receiver.url, list(WebhookType), details=False,
                                     actor="owner@example.org")
    elsewhere = services.add_endpoint(make_event(), receiver.url, list(WebhookType), False, "x")
    db.session.commit()
    in_the_room = {**VALID, "attendance_mode": "in_person"}  # the door checks in people in the room
    assert client.post(f"/events/{event.slug}/register", data=in_the_room).status_code in (200, 303)
    registration = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert checkin.check_in(registration, "desk@example.org")
    decisions.cancel_by_organiser(registration, "owner@example.org", "duplicate")
    make_speaker(event, name="Speaker One")
    db.session.commit()
    told = [(d.type, d.endpoint_id) for d in _deliveries()]
    assert told == [(WebhookType.REGISTRATION_CREATED, endpoint.id),
                    (WebhookType.REGISTRATION_CHECKED_IN, endpoint.id),
                    (WebhookType.REGISTRATION_STATUS_CHANGED, endpoint.id),
                    (WebhookType.REGISTRATION_CANCELLED, endpoint.id),
                    (WebhookType.SPEAKER_INSCRIBED, endpoint.id)]
    assert elsewhere.id not in {d.endpoint_id for d in _deliveries()}

    now = now_utc()
    down = deliver_webhooks(now)  # nothing listens yet
    assert (down.delivered, down.retried) == (0, 5)
    for delivery in _deliveries():
        db.session.refresh(delivery)
        assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
        assert delivery.next_attempt_at == now + timedelta(seconds=30)
        assert delivery.log[0].status_code is None and delivery.log[0].error
    assert deliver_webhooks(now + timedelta(seconds=10)).retried == 0  # not due yet

    receiver.start()
    up = deliver_webhooks(now + timedelta(seconds=31))
    assert up.delivered == 5
    assert deliver_webhooks(now + timedelta(hours=2)).delivered == 0  # each once
    assert len(receiver.received) == 5
    for headers, body in receiver.received:
        assert headers["webhook-signature"] == _independent_signature(endpoint.secret, headers, body)
        assert signing.verify(endpoint.secret, headers, body)
        assert headers["webhook-id"].startswith("msg_")
    assert len({h["webhook-id"] for h, _b in receiver.received}) == 5
    types = [e["type"] for e in receiver.events()]
    assert types == ["registration.created", "registration.checked_in", "registration.status_changed",
                     "registration.cancelled", "speaker.inscribed"]
    created = receiver.events()[0]["data"]["registration"]
    assert created["id"] == registration.public_id and created["status"] == "confirmed"
    assert "person" not in created  # ids only
    assert all(VALID["name"] not in body.decode() for _h, body in receiver.received)


def test_a_retried_delivery_keeps_its_id_and_bytes(db_session, receiver):
    event = make_event()
    endpoint = services.add_endpoint(event, receiver.url, [WebhookType.SPEAKER_INSCRIBED], True, "x")
    db.session.commit()
    make_speaker(event, name="Named Speaker")
    receiver.answer = 503
    receiver.start()
    now = now_utc()
    assert deliver_webhooks(now).retried == 1
    receiver.answer = 200
    assert deliver_webhooks(now + timedelta(seconds=31)).delivered == 1
    (first_headers, first), (second_headers, second) = receiver.received
    assert first == second and first_headers["webhook-id"] == second_headers["webhook-id"]
    assert receiver.events()[0]["data"]["speaker"]["person"]["name"] == "Named Speaker"  # full details
    [delivery] = _deliveries()
    assert [a.status_code for a in delivery.log] == [503, 200] and delivery.endpoint_id == endpoint.id
    db.session.refresh(delivery)
    assert delivery.body is None  # delivered: the name it carried is not kept


def test_a_change_rolled_back_tells_nothing(client, receiver):
    event = make_event()
    services.add_endpoint(event, receiver.url, list(WebhookType), False, "x")
    db.session.commit()
    client.post(f"/events/{event.slug}/register", data=VALID)
    client.post(f"/events/{event.slug}/register", data=VALID)  # the same address again: refused
    assert [d.type for d in _deliveries()] == [WebhookType.REGISTRATION_CREATED]


def test_an_address_added_after_refused_registrations_hears_of_the_next_one(client, receiver):
    """A registration reads the event's endpoints before its seat: what it read is not kept
    past its transaction, refused (no seat left: rolled back) or not (the same address again:
    committed), so an address the organiser adds meanwhile hears of the next registration."""
    event = make_event(capacity_online=0, waitlist_enabled=False)
    db.session.commit()
    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 409
    first = services.add_endpoint(event, receiver.url, list(WebhookType), False, "x")
    event.capacity_online = 5
    db.session.commit()
    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303
    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303  # again
    second = services.add_endpoint(event, receiver.url, list(WebhookType), False, "x")
    db.session.commit()
    other = {**VALID, "email": "someone.else@example.org"}
    assert client.post(f"/events/{event.slug}/register", data=other).status_code == 303
    assert [(d.type, d.endpoint_id) for d in _deliveries()] == [
        (WebhookType.REGISTRATION_CREATED, first.id),
        (WebhookType.REGISTRATION_CREATED, first.id), (WebhookType.REGISTRATION_CREATED, second.id)]


def test_site_wide_endpoints_are_told_of_every_event(db_session, receiver):
    site = services.add_endpoint(None, receiver.url, [WebhookType.SPEAKER_INSCRIBED], False, "admin")
    db.session.commit()
    make_speaker(make_event())
    make_speaker(make_event())
    assert [d.endpoint_id for d in _deliveries()] == [site.id, site.id]


def test_a_delivery_gives_up_after_the_last_attempt(app, db_session, receiver):
    event = make_event()
    services.add_endpoint(event, receiver.url, [WebhookType.SPEAKER_INSCRIBED], False, "x")
    db.session.commit()
    make_speaker(event)
    now = now_utc()
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    try:
        deliver_webhooks(now)
        deliver_webhooks(now + timedelta(days=1))
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 12
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.FAILED and delivery.attempts == 2


def test_the_organiser_adds_an_address_and_sees_the_failed_attempts_and_the_retry(client, receiver):
    event = make_event(title="Webhooked")
    manager, viewer = make_organiser(), make_organiser()
    grant_role(event, manager, Role.MANAGER)
    grant_role(event, viewer, Role.VIEWER)
    log_in(client, viewer.email)
    assert client.get(f"/manage/events/{event.public_id}/webhooks").status_code == 404
    client.post("/manage/logout")
    log_in(client, manager.email)
    page = f"/manage/events/{event.public_id}/webhooks"
    refused = client.post(page, data={"url": "ftp://example.org/x", "types": ["speaker.inscribed"],
                                      "details": "ids"})
    assert refused.status_code == 422 and "https://" in refused.get_data(as_text=True)
    assert "ftp://example.org/x" in refused.get_data(as_text=True)  # what was typed stays
    added = client.post(page, data={"url": receiver.url, "types": ["speaker.inscribed"],
                                    "details": "ids"})
    assert added.status_code == 303
    make_speaker(event)
    now = now_utc()
    deliver_webhooks(now)
    shown = client.get(page).get_data(as_text=True)
    assert "no answer" in shown and "Waiting" in shown and receiver.url in shown
    receiver.start()
    deliver_webhooks(now + timedelta(seconds=31))
    shown = client.get(page).get_data(as_text=True)
    assert "Delivered" in shown and "answered 204" in shown and "no answer" in shown
    assert "whsec_" in shown  # the secret the receiver checks signatures with


def test_only_http_addresses(db_session):
    for url in ("ftp://example.org", "javascript:alert(1)", "https://", "file:///etc/passwd",
                "https://user:pw@example.org/"):
        with pytest.raises(services.BadAddress):
            services.check_url(url)
