"""Every status change, allowed and refused, through the one service function that owns it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import decisions, selfservice, services
from rsvp.registrations.models import RegistrationChange, RegistrationStatus
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration, written

S = RegistrationStatus


def emails_to(registration) -> list[str]:
    return list(db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.recipient_hash == digest(registration.email))
        .order_by(OutboxMessage.id)))


def history(registration) -> list[tuple]:
    return [(c.from_status, c.to_status, c.actor) for c in db.session.scalars(
        sa.select(RegistrationChange).where(RegistrationChange.registration_id == registration.id)
        .order_by(RegistrationChange.id))]


# --- confirm_email (double opt-in) ---------------------------------------------------------

@pytest.mark.parametrize(("settings", "expected", "email"), [
    ({}, S.CONFIRMED, "registration-confirmed"),
    ({"approval_required": True}, S.PENDING_APPROVAL, "registration-pending"),
    ({"capacity_online": 0}, S.WAITLISTED, "registration-waitlisted"),
    ({"capacity_online": 0, "waitlist_enabled": False}, S.CANCELLED, "registration-cancelled"),
])
def test_confirming_the_email_makes_the_registration_count(db_session, settings, expected, email):
    event = make_event(double_opt_in=True, **settings)
    registration = make_registration(event, status=S.PENDING_EMAIL)
    selfservice.confirm_email(registration)
    assert registration.status is expected
    assert event.taken_online == (1 if expected is S.CONFIRMED else 0)
    assert emails_to(registration) == [email]
    assert history(registration) == [(S.PENDING_EMAIL, expected, "registrant")]


@pytest.mark.parametrize("status", [s for s in S if s is not S.PENDING_EMAIL])
def test_confirming_the_email_twice_or_too_late_is_refused(db_session, status):
    registration = make_registration(make_event(double_opt_in=True), status=status)
    with pytest.raises(services.TransitionRefused):
        selfservice.confirm_email(registration)
    assert registration.status is status and emails_to(registration) == []


def test_confirming_after_the_event_is_refused(db_session):
    event = make_event(double_opt_in=True, starts_at=now_utc() - timedelta(hours=3))
    registration = make_registration(event, status=S.PENDING_EMAIL)
    with pytest.raises(services.RegistrationClosed):
        selfservice.confirm_email(registration)


# --- approve / reject ----------------------------------------------------------------------

def test_approval_takes_a_seat_then_waitlists(db_session):
    event = make_event(approval_required=True, capacity_online=1)
    first, second = (make_registration(event, status=S.PENDING_APPROVAL) for _ in range(2))
    decisions.approve(first, "owner@example.org")
    decisions.approve(second, "owner@example.org")
    assert (first.status, second.status) == (S.CONFIRMED, S.WAITLISTED)
    assert event.taken_online == 1
    assert emails_to(first) == ["registration-approved"]
    assert emails_to(second) == ["registration-waitlisted"]
    assert history(first) == [(S.PENDING_APPROVAL, S.CONFIRMED, "owner@example.org")]


def test_approval_without_seat_or_waiting_list_changes_nothing(db_session):
    event = make_event(approval_required=True, capacity_online=0, waitlist_enabled=False)
    registration = make_registration(event, status=S.PENDING_APPROVAL)
    with pytest.raises(services.EventFull):
        decisions.approve(registration, "owner@example.org")
    assert registration.status is S.PENDING_APPROVAL


@pytest.mark.parametrize("status", [s for s in S if s is not S.PENDING_APPROVAL])
def test_only_registrations_awaiting_approval_can_be_approved(db_session, status):
    event = make_event(approval_required=True)
    registration = make_registration(event, status=status)
    with pytest.raises(services.TransitionRefused):
        decisions.approve(registration, "owner@example.org")
    assert registration.status is status and event.taken_online == 0


@pytest.mark.parametrize("status", [S.PENDING_APPROVAL, S.WAITLISTED])
def test_rejection_emails_the_reason(db_session, status):
    registration = make_registration(make_event(), status=status)
    decisions.reject(registration, "owner@example.org", "The room holds State delegations only.")
    assert registration.status is S.REJECTED
    message = written(db.session.scalars(sa.select(OutboxMessage)).one())
    assert message.kind == "registration-rejected"
    assert "The room holds State delegations only." in message.text_body
    assert history(registration)[-1][1:] == (S.REJECTED, "owner@example.org")


@pytest.mark.parametrize("status", [S.PENDING_EMAIL, S.CONFIRMED, S.CANCELLED, S.REJECTED])
def test_rejection_is_refused_for_other_statuses(db_session, status):
    registration = make_registration(make_event(), status=status)
    with pytest.raises(services.TransitionRefused):
        decisions.reject(registration, "owner@example.org")
    assert registration.status is status and emails_to(registration) == []


def test_deciding_many_at_once_reports_each_outcome(db_session):
    event = make_event(approval_required=True, capacity_online=1, waitlist_enabled=False)
    first, second = (make_registration(event, status=S.PENDING_APPROVAL) for _ in range(2))
    done = make_registration(event, status=S.CANCELLED)
    outcome = decisions.decide_many([first, second, done], "approve", "owner@example.org")
    assert outcome[first.public_id] is None
    assert isinstance(outcome[second.public_id], services.EventFull)
    assert isinstance(outcome[done.public_id], services.TransitionRefused)
    assert (first.status, second.status, done.status) == (S.CONFIRMED, S.PENDING_APPROVAL,
                                                          S.CANCELLED)
    assert event.taken_online == 1


# --- cancel and the waiting list -----------------------------------------------------------

@pytest.mark.parametrize("status", [S.PENDING_EMAIL, S.PENDING_APPROVAL, S.CONFIRMED, S.WAITLISTED])
def test_every_active_registration_can_be_cancelled(db_session, status):
    event = make_event(capacity_online=5, taken_online=1 if status is S.CONFIRMED else 0)
    registration = make_registration(event, status=status)
    services.cancel(registration)
    assert registration.status is S.CANCELLED and event.taken_online == 0
    assert history(registration) == [(status, S.CANCELLED, "registrant")]


@pytest.mark.parametrize("status", [S.CANCELLED, S.REJECTED])
def test_cancelling_twice_is_refused(db_session, status):
    registration = make_registration(make_event(), status=status)
    with pytest.raises(services.TransitionRefused):
        services.cancel(registration)


def test_raising_capacity_moves_the_waiting_list_up_in_order(db_session):
    event = make_event(capacity_online=1, taken_online=1)
    make_registration(event)
    waiting = [make_registration(event, status=S.WAITLISTED) for _ in range(3)]
    promoted = decisions.set_capacity(event, event.attendance_modes[0], 3)
    assert promoted == waiting[:2]
    assert [w.status for w in waiting] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    assert event.taken_online == 3 and event.capacity_online == 3
    assert emails_to(waiting[0]) == ["registration-promoted"]


def test_capacity_below_the_seats_given_is_refused(db_session):
    event = make_event(capacity_online=5, taken_online=4)
    with pytest.raises(decisions.CapacityBelowTaken):
        decisions.set_capacity(event, event.attendance_modes[0], 3)
    db.session.expire_all()
    assert event.capacity_online == 5


def test_unlimited_capacity_seats_the_whole_waiting_list(db_session):
    event = make_event(capacity_online=0)
    waiting = [make_registration(event, status=S.WAITLISTED) for _ in range(4)]
    decisions.set_capacity(event, event.attendance_modes[0], None)
    assert {w.status for w in waiting} == {S.CONFIRMED} and event.taken_online == 4


# --- expiry of unconfirmed registrations ---------------------------------------------------

def test_unconfirmed_registrations_expire_and_are_erased(db_session):
    event = make_event(double_opt_in=True, capacity_online=1)
    now = now_utc()
    stale = make_registration(event, status=S.PENDING_EMAIL, created_at=now - timedelta(hours=49))
    fresh = make_registration(event, status=S.PENDING_EMAIL, created_at=now - timedelta(hours=47))
    confirmed = make_registration(event, created_at=now - timedelta(hours=72))
    assert selfservice.expire_unconfirmed(now, hours=48) == 1
    assert stale.status is S.CANCELLED and stale.erased_at is not None
    assert stale.name == "" and stale.email.endswith("@invalid")
    assert (fresh.status, confirmed.status) == (S.PENDING_EMAIL, S.CONFIRMED)
    assert event.taken_online == 0  # it never held a seat, so it frees none
    assert history(stale) == [(S.PENDING_EMAIL, S.CANCELLED, "system")]
