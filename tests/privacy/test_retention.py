"""Retention: after the purge, no table holds an expired event's attendees' personal data,
and the counts organisers report on are unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from rsvp.events.models import AttendanceMode, EventFormat, Question, QuestionKind
from rsvp.extensions import db
from rsvp.jobs import purge
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import decisions, notify, tracking
from rsvp.registrations.models import RegistrationStatus
from rsvp.sealing import digest
from rsvp.speakers import statements
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration, make_speaker, make_speakers_list

SECRETS = ["Ana Defensora", "ana.defensora@example.org", "Colectivo Valiente",
           "DEFENSORA Ana Maria", "1984-05-06", "Needs a sign language interpreter",
           "My brother was detained"]


def every_text_in_the_database() -> str:
    """Every value of every column of every table, as one string."""
    chunks = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def seed(event):
    question = Question(event_id=event.id, kind=QuestionKind.LONG_TEXT, label="Your story")
    db.session.add(question)
    db.session.commit()
    ana = make_registration(
        event, name=SECRETS[0], email=SECRETS[1], organisation=SECRETS[2],
        attendance_mode=AttendanceMode.IN_PERSON, has_grounds_pass=False,
        passport_name=SECRETS[3], nationality="CO", date_of_birth=date(1984, 5, 6),
        accessibility_needs=SECRETS[5], answers={str(question.id): SECRETS[6]},
        interpretation_language="es", country="CO")
    notify.status_email(ana)  # an email with her name in the outbox
    other = make_registration(event, status=RegistrationStatus.PENDING_APPROVAL,
                              name="Bo Witness", email="bo@example.org")
    decisions.reject(other, "owner@example.org", "Bo Witness: not on the list")
    db.session.commit()
    return ana


def test_purge_erases_expired_events_and_keeps_the_counts(db_session):
    now = now_utc()
    expired = make_event(format=EventFormat.HYBRID, venue="Room XXIV", retention_days=30,
                         starts_at=now - timedelta(days=32))
    kept = make_event(slug="still-within-retention", retention_days=30,
                      starts_at=now - timedelta(days=10))
    seed(expired)
    make_registration(kept, name="Recent Person", email="recent@example.org")
    make_speakers_list(expired)
    stored_as = statements.save(db.session(), b"%PDF-1.7 statement", "pdf")
    make_speaker(expired, name="Speaker Secret", email="speaker.secret@example.org",
                 statement_stored_as=stored_as, statement_filename="my-statement.pdf")
    db.session.commit()
    before = tracking.dashboard(expired)

    result = purge(now)
    db.session.commit()

    assert (result.events, result.registrations, result.messages) == (1, 2, 2)  # Ana's, Bo's
    text = every_text_in_the_database()
    assert not statements.path_of(stored_as).exists()  # the statement file is gone too
    for secret in SECRETS + ["Bo Witness", "bo@example.org", "Speaker Secret",
                             "speaker.secret@example.org", "my-statement.pdf"]:
        assert secret not in text, secret
    assert "recent@example.org" in text  # another event's retention has not run out
    after = tracking.dashboard(expired)
    assert after == before  # every count, chart and total on the dashboard
    assert purge(now).events == 0  # nothing left to do


def test_retention_days_are_per_event(db_session):
    now = now_utc()
    short = make_event(retention_days=1, starts_at=now - timedelta(days=2))
    long = make_event(retention_days=90, starts_at=now - timedelta(days=2))
    make_registration(short, email="short@example.org")
    make_registration(long, email="long@example.org")
    assert purge(now).events == 1
    text = every_text_in_the_database()
    assert "short@example.org" not in text and "long@example.org" in text


def test_purge_removes_a_links_email_that_also_covered_the_expired_event(db_session):
    now = now_utc()
    expired = make_event(retention_days=1, starts_at=now - timedelta(days=2))
    later = make_event(starts_at=now + timedelta(days=30))
    both = [make_registration(event, email="ana.defensora@example.org") for event in (expired, later)]
    # Asked for while both events were still to come: one email, of no one event.
    notify.links_email("ana.defensora@example.org", both, dedupe_key="links")
    db.session.commit()

    purge(now)
    left = db.session.scalars(sa.select(OutboxMessage.kind).where(
        OutboxMessage.recipient_hash == digest("ana.defensora@example.org")))
    assert "registration-links" not in list(left)
