"""What attendees do through their links: change details and mode, erase, ask for their links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import decisions, selfservice, services
from rsvp.registrations.erasure import drop_grounds_pass_details
from rsvp.registrations.models import RegistrationChange, RegistrationStatus
from rsvp.registrations.services import GroundsPass
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration, written

S = RegistrationStatus
ONLINE, IN_PERSON = AttendanceMode.ONLINE, AttendanceMode.IN_PERSON
NEEDS_PASS = GroundsPass(holds_pass=False, passport_name="Ana Maria Lopez", nationality="CO",
                         date_of_birth=date(1985, 4, 2), organisation="ISHR", function="Advocate")


def kinds(address: str) -> list[str]:
    return list(db.session.scalars(sa.select(OutboxMessage.kind).where(
        OutboxMessage.recipient_hash == digest(address)).order_by(OutboxMessage.id)))


def hybrid(**fields):
    return make_event(format=EventFormat.HYBRID, venue="Room XXIV", **fields)


def test_changing_language_and_captions_is_saved_and_recorded(db_session):
    registration = make_registration(make_event(), interpretation_language="fr")
    changed = selfservice.update_details(registration, selfservice.Details(
        attendance_mode=ONLINE, interpretation_language="es", captions=True))
    assert changed == ["interpretation", "captions"]
    assert (registration.interpretation_language, registration.captions) == ("es", True)
    assert registration.changes[-1].note == "changed: interpretation, captions"


def test_a_language_the_event_does_not_offer_is_refused(db_session):
    registration = make_registration(make_event(interpretation_languages=["fr"]))
    with pytest.raises(services.InvalidChoice):
        selfservice.update_details(registration, selfservice.Details(
            attendance_mode=ONLINE, interpretation_language="pt"))
    assert registration.interpretation_language is None


def test_switching_mode_moves_the_seat_and_frees_the_old_one_for_the_waiting_list(db_session):
    event = hybrid(capacity_in_person=1, taken_in_person=1, capacity_online=5, taken_online=0)
    holder = make_registration(event, attendance_mode=IN_PERSON)
    waiting = make_registration(event, attendance_mode=IN_PERSON, status=S.WAITLISTED)
    selfservice.update_details(holder, selfservice.Details(attendance_mode=ONLINE))
    assert (holder.attendance_mode, holder.status) == (ONLINE, S.CONFIRMED)
    assert waiting.status is S.CONFIRMED
    assert (event.taken_in_person, event.taken_online) == (1, 1)
    assert kinds(holder.email) == ["registration-confirmed"]  # now with the join link
    assert kinds(waiting.email) == ["registration-promoted"]


def test_switching_to_a_full_mode_keeps_the_seat_one_has(db_session):
    event = hybrid(capacity_in_person=1, taken_in_person=1, capacity_online=0)
    holder = make_registration(event, attendance_mode=IN_PERSON)
    with pytest.raises(services.EventFull):
        selfservice.update_details(holder, selfservice.Details(attendance_mode=ONLINE))
    db.session.rollback()
    db.session.expire_all()
    assert (holder.attendance_mode, holder.status) == (IN_PERSON, S.CONFIRMED)


def test_a_waitlisted_person_switching_to_a_mode_with_seats_gets_one(db_session):
    event = hybrid(capacity_in_person=0, capacity_online=10)
    waiting = make_registration(event, attendance_mode=IN_PERSON, status=S.WAITLISTED)
    selfservice.update_details(waiting, selfservice.Details(attendance_mode=ONLINE))
    assert (waiting.status, event.taken_online) == (S.CONFIRMED, 1)


def test_no_changes_after_the_event_or_once_cancelled(db_session):
    past = make_event(starts_at=now_utc() - timedelta(days=1))
    with pytest.raises(services.RegistrationClosed):
        selfservice.update_details(make_registration(past), selfservice.Details(ONLINE))
    with pytest.raises(services.TransitionRefused):
        selfservice.update_details(make_registration(make_event(), status=S.CANCELLED),
                                   selfservice.Details(ONLINE))


def test_grounds_pass_details_kept_only_when_needed(db_session):
    event = hybrid(grounds_pass_required=True)
    registration = make_registration(event, attendance_mode=IN_PERSON)
    selfservice.update_details(registration, selfservice.Details(IN_PERSON, grounds_pass=NEEDS_PASS))
    assert registration.has_grounds_pass is False
    assert (registration.passport_name, registration.nationality) == ("Ana Maria Lopez", "CO")
    selfservice.update_details(registration, selfservice.Details(ONLINE))
    assert registration.has_grounds_pass is None and registration.passport_name is None


def test_in_person_without_pass_must_give_the_pass_details(db_session):
    registration = make_registration(hybrid(grounds_pass_required=True), attendance_mode=ONLINE)
    with pytest.raises(services.InvalidChoice):
        selfservice.update_details(registration, selfservice.Details(
            IN_PERSON, grounds_pass=GroundsPass(holds_pass=False, passport_name="Ana")))


def test_grounds_pass_details_are_dropped_once_the_event_is_over(db_session):
    over = hybrid(grounds_pass_required=True, starts_at=now_utc() - timedelta(days=1))
    coming = hybrid(grounds_pass_required=True)
    done, upcoming = (make_registration(e, attendance_mode=IN_PERSON, has_grounds_pass=False,
                                        passport_name="Ana Maria Lopez", nationality="CO",
                                        date_of_birth=date(1985, 4, 2)) for e in (over, coming))
    assert drop_grounds_pass_details(now_utc()) == 1
    db.session.expire_all()
    assert (done.passport_name, done.nationality, done.date_of_birth) == (None, None, None)
    assert done.has_grounds_pass is False  # whether a pass was needed stays, for the counts
    assert upcoming.passport_name == "Ana Maria Lopez"


def test_erasing_cancels_frees_the_seat_and_forgets_the_person(db_session):
    event = make_event(capacity_online=1, taken_online=1)
    person = make_registration(event, email="defender@example.org", name="Ana",
                               accessibility_needs="Sign language", answers={"1": "yes"})
    waiting = make_registration(event, status=S.WAITLISTED)
    services.notify.status_email(person)  # an email about this event, already in the outbox
    version = person.token_version
    selfservice.erase(person)
    assert person.status is S.CANCELLED and waiting.status is S.CONFIRMED
    # As the retention purge leaves it (one declaration, rsvp.personal): that there was a need
    # stays countable, what it was does not.
    assert (person.name, person.accessibility_needs, person.answers) == ("", "(erased)", {})
    assert "defender" not in person.email and person.erased_at is not None
    assert person.token_version == version + 1  # every link sent so far stops working
    # Nothing queued to or kept about them but the erasure's receipt, itself erased once sent.
    assert kinds("defender@example.org") == ["registration-erased"]


def test_erasing_also_removes_a_links_email_covering_several_events(db_session):
    first, second = make_event(), make_event()
    person = make_registration(first, email="defender@example.org")
    make_registration(second, email="defender@example.org")
    assert selfservice.request_links("defender@example.org") == 2  # one email, of no one event
    selfservice.erase(person)
    assert kinds("defender@example.org") == ["registration-erased"]  # the receipt alone


def test_erasing_blanks_the_history_notes_as_the_purge_does(db_session):
    event = make_event(approval_required=True)
    person = make_registration(event, status=S.PENDING_APPROVAL, name="Ana Defensora")
    decisions.reject(person, "owner@example.org", "Ana Defensora is known to the delegation")
    selfservice.erase(person)
    db.session.expire_all()
    notes = db.session.scalars(sa.select(RegistrationChange.note).where(
        RegistrationChange.registration_id == person.id))
    assert "Defensora" not in " ".join(notes)


def test_asking_for_links_sends_one_message_for_upcoming_registrations_only(db_session):
    coming, other = make_event(), make_event()
    past = make_event(starts_at=now_utc() - timedelta(days=2))
    for event in (coming, other, past):
        make_registration(event, email="delegate@example.org")
    make_registration(make_event(), email="delegate@example.org", status=S.CANCELLED)
    assert selfservice.request_links(" Delegate@Example.org ") == 2
    assert selfservice.request_links("delegate@example.org") == 2  # asked again at once
    (message,) = db.session.scalars(sa.select(OutboxMessage))  # one message, not two
    assert (message.subject, message.text_body) == ("", "")  # written by the worker, not the request
    written(message)
    assert coming.title in message.text_body and other.title in message.text_body
    assert past.title not in message.text_body
    assert message.text_body.count("/r/") == 2


def test_asking_for_links_of_an_unknown_address_sends_nothing(db_session):
    assert selfservice.request_links("nobody@example.org") == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
