"""Registering: the window, seats and waiting list, one active registration per email."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from rsvp.events.models import AttendanceMode, Event, EventFormat, EventStatus
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import services, tracking
from rsvp.registrations.models import (
    OrganisationType,
    Registration,
    RegistrationChange,
    RegistrationStatus,
)
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration


def data(**fields) -> services.RegistrationData:
    values = {"name": "Ana Gonzalez", "email": "Ana@Example.org",
              "organisation_type": OrganisationType.NGO,
              "attendance_mode": AttendanceMode.ONLINE}
    values.update(fields)
    return services.RegistrationData(**values)


def test_register_confirms_and_stores_lower_case_email_and_consent(db_session):
    event = make_event()
    registration = services.register(event, data(interpretation_language="fr", captions=True))
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.email == "ana@example.org"
    assert registration.interpretation_language == "fr" and registration.captions
    assert registration.consent_at is not None
    assert registration.public_id and registration.token_version == 1


def test_second_active_registration_with_same_email_is_refused(db_session):
    event = make_event()
    services.register(event, data())
    with pytest.raises(services.AlreadyRegistered):
        services.register(event, data(email="ANA@example.org "))
    # the first one is untouched and still the only one
    count = db_session.scalar(sa.select(sa.func.count()).select_from(Registration))
    assert count == 1


def test_same_email_may_register_for_another_event_or_again_after_cancelling(db_session):
    first, second = make_event(), make_event()
    services.register(first, data())
    services.register(second, data())
    make_registration(first, email="back@example.org", status=RegistrationStatus.CANCELLED)
    assert services.register(first, data(email="back@example.org")).status is (
        RegistrationStatus.CONFIRMED)


def test_database_refuses_duplicate_active_registration_even_bypassing_the_service(db_session):
    event = make_event()
    make_registration(event, email="dup@example.org")
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            make_registration(event, email="dup@example.org")


def test_last_seat_confirms_then_waitlist(db_session):
    event = make_event(capacity_online=1)
    assert services.register(event, data(email="a@example.org")).status is (
        RegistrationStatus.CONFIRMED)
    assert services.register(event, data(email="b@example.org")).status is (
        RegistrationStatus.WAITLISTED)
    db_session.refresh(event)
    assert event.taken_online == 1 and event.seats_left(AttendanceMode.ONLINE) == 0


def test_full_event_without_waitlist_refuses(db_session):
    event = make_event(capacity_online=0, waitlist_enabled=False)
    with pytest.raises(services.EventFull):
        services.register(event, data())


def _seat_taken_meanwhile(event, monkeypatch) -> list[int]:
    """Another registration takes the last seat after ``event`` was read (its object keeps
    the seat it saw free): the race the seat's UPDATE, taken last, settles. The ids of the
    registrations _seat_gone then moved."""
    db.session.connection().execute(sa.text("UPDATE events SET taken_online = capacity_online "
                                            "WHERE id = :id"), {"id": event.id})
    db.session.commit()  # the other registration's
    set_committed_value(event, "taken_online", 0)
    moved: list[int] = []
    gone = services._seat_gone
    monkeypatch.setattr(services, "_seat_gone",
                        lambda event, row, *rest: moved.append(row["id"]) or gone(event, row, *rest))
    return moved


def test_the_last_seat_taken_meanwhile_puts_the_registration_on_the_waiting_list(db_session,
                                                                                  monkeypatch):
    event = make_event(capacity_online=1)
    moved = _seat_taken_meanwhile(event, monkeypatch)
    registration = services.register(event, data())
    assert registration.status is RegistrationStatus.WAITLISTED and moved == [registration.id]
    db_session.expire_all()
    assert db_session.get(Registration, registration.id).status is RegistrationStatus.WAITLISTED
    changes = db_session.scalars(sa.select(RegistrationChange).where(
        RegistrationChange.registration_id == registration.id)).all()
    assert [(c.from_status, c.to_status) for c in changes] == [(None, RegistrationStatus.WAITLISTED)]
    emails = db_session.scalars(sa.select(OutboxMessage.kind)).all()
    assert emails == ["registration-waitlisted"]  # not the confirmation it first queued
    assert db_session.get(Event, event.id).taken_online == 1
    assert tracking.dashboard(db_session.get(Event, event.id)).by_status == {"waitlisted": 1}


def test_the_last_seat_taken_meanwhile_without_a_waiting_list_refuses_and_keeps_nothing(
        db_session, monkeypatch):
    event = make_event(capacity_online=1, waitlist_enabled=False)
    moved = _seat_taken_meanwhile(event, monkeypatch)
    with pytest.raises(services.EventFull):
        services.register(event, data())
    assert len(moved) == 1
    db_session.rollback()  # as the form does
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RegistrationChange)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db_session.get(Event, event.id).taken_online == 1


def test_capacity_is_per_attendance_mode(db_session):
    event = make_event(format=EventFormat.HYBRID, capacity_in_person=1, capacity_online=None)
    services.register(event, data(email="a@example.org", attendance_mode=AttendanceMode.IN_PERSON))
    waiting = services.register(event, data(email="b@example.org",
                                            attendance_mode=AttendanceMode.IN_PERSON))
    online = services.register(event, data(email="c@example.org"))
    assert waiting.status is RegistrationStatus.WAITLISTED
    assert online.status is RegistrationStatus.CONFIRMED


def test_approval_and_double_opt_in_hold_no_seat(db_session):
    approval = make_event(approval_required=True, capacity_online=1)
    opt_in = make_event(double_opt_in=True, capacity_online=1)
    assert services.register(approval, data()).status is RegistrationStatus.PENDING_APPROVAL
    assert services.register(opt_in, data()).status is RegistrationStatus.PENDING_EMAIL
    db_session.refresh(approval)
    db_session.refresh(opt_in)
    assert approval.taken_online == 0 and opt_in.taken_online == 0


@pytest.mark.parametrize("fields, window", [
    ({"registration_opens_at": now_utc() + timedelta(days=1)}, services.Window.NOT_YET_OPEN),
    ({"registration_closes_at": now_utc() - timedelta(minutes=1)}, services.Window.CLOSED),
    ({"starts_at": now_utc() - timedelta(days=2)}, services.Window.EVENT_OVER),
    ({"status": EventStatus.CANCELLED}, services.Window.EVENT_CANCELLED),
])
def test_registration_outside_the_window_is_refused(db_session, fields, window):
    if "registration_opens_at" in fields:
        fields["registration_closes_at"] = now_utc() + timedelta(days=3)
    event = make_event(**fields)
    with pytest.raises(services.RegistrationClosed) as caught:
        services.register(event, data())
    assert caught.value.window is window


def test_deadline_defaults_to_the_start_and_is_exclusive(db_session):
    event = make_event(starts_at=now_utc() + timedelta(hours=1))
    assert services.closes_at(event) == event.starts_at
    assert services.window(event, now=event.starts_at) is services.Window.CLOSED
    assert services.window(event, now=event.starts_at - timedelta(seconds=1)) is (
        services.Window.OPEN)


@pytest.mark.parametrize("fields", [
    {"interpretation_language": "ug"},
    {"attendance_mode": AttendanceMode.IN_PERSON},
])
def test_choices_the_event_does_not_offer_are_refused(db_session, fields):
    event = make_event()
    with pytest.raises(services.InvalidChoice):
        services.register(event, data(**fields))


def test_captions_refused_when_event_has_none(db_session):
    event = make_event(caption_languages=[])
    with pytest.raises(services.InvalidChoice):
        services.register(event, data(captions=True))
