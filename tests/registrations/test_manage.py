"""The manage link: what it shows, cancelling, the waiting list moving up, bad links."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rsvp import tokens
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import services
from rsvp.registrations.models import RegistrationStatus
from rsvp.registrations.notify import manage_url
from tests.factories import make_event, make_registration


def path_of(registration) -> str:
    return manage_url(registration).removeprefix("http://localhost")


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_manage_page_shows_the_join_link_only_when_confirmed_and_online(client, db_session):
    event = make_event(join_url="https://meet.example.org/private-room")
    confirmed = make_registration(event)
    waiting = make_registration(event, status=RegistrationStatus.WAITLISTED)
    assert "private-room" in client.get(path_of(confirmed)).get_data(as_text=True)
    page = client.get(path_of(waiting)).get_data(as_text=True)
    assert "On the waiting list" in page and "private-room" not in page


def test_cancelling_frees_the_seat_for_the_oldest_waitlisted_person(csrf_client, db_session):
    event = make_event(capacity_online=1, taken_online=1)
    holder = make_registration(event, email="holder@example.org")
    first = make_registration(event, email="first@example.org", status=RegistrationStatus.WAITLISTED)
    make_registration(event, email="second@example.org", status=RegistrationStatus.WAITLISTED)

    page = csrf_client.get(path_of(holder)).get_data(as_text=True)
    response = csrf_client.post(path_of(holder) + "/cancel", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303
    page = csrf_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your registration is cancelled" in page and "Cancel my registration" not in page

    db.session.expire_all()
    assert holder.status is RegistrationStatus.CANCELLED
    assert first.status is RegistrationStatus.CONFIRMED
    assert event.taken_online == 1
    sent = dict(db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.kind)).all())
    assert sent == {"holder@example.org": "registration-cancelled",
                    "first@example.org": "registration-promoted"}


def test_cancel_without_csrf_token_is_refused(csrf_client, db_session):
    registration = make_registration(make_event())
    response = csrf_client.post(path_of(registration) + "/cancel")
    assert response.status_code == 400
    db.session.expire_all()
    assert registration.status is RegistrationStatus.CONFIRMED


def test_cancelling_twice_is_refused_by_the_transition(db_session):
    registration = make_registration(make_event())
    services.cancel(registration)
    with pytest.raises(services.TransitionRefused):
        services.cancel(registration)


def test_tampered_wrong_purpose_revoked_and_expired_links_get_a_clear_page(client, db_session,
                                                                          monkeypatch):
    registration = make_registration(make_event())
    good = path_of(registration)
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    other_purpose = "/r/" + tokens.sign("speaker", [registration.public_id, 1])
    for path in (tampered, other_purpose, "/r/not-a-token"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)

    registration.token_version += 1  # revoke every link issued so far
    db.session.commit()
    assert client.get(good).status_code == 404
    assert client.get(path_of(registration)).status_code == 200

    monkeypatch.setitem(tokens.PURPOSES, "manage-registration", -1)
    response = client.get(path_of(registration))
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
