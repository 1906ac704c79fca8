"""What organisers watch and do around an event: counts and language demand, the filtered list,
check-in, messages to a segment, and the audit log those actions write."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp import tokens
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.privacy.models import AuditEntry
from rsvp.registrations import checkin, codes, messaging, selfservice, services, tracking
from rsvp.registrations.models import OrganisationType, RegistrationStatus
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration

S = RegistrationStatus
ONLINE, IN_PERSON = AttendanceMode.ONLINE, AttendanceMode.IN_PERSON


@pytest.fixture
def hybrid_event(db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV",
                       interpretation_languages=["fr", "es", "pt"])
    rows = [
        ("Ana", IN_PERSON, "fr", S.CONFIRMED, OrganisationType.NGO, "CO"),
        ("Ben", ONLINE, "fr", S.CONFIRMED, OrganisationType.STATE, "FR"),
        ("Chloé", ONLINE, "es", S.WAITLISTED, OrganisationType.NGO, "CO"),
        ("Dev", ONLINE, None, S.PENDING_APPROVAL, OrganisationType.UN, None),
        ("Eve", ONLINE, "fr", S.CANCELLED, OrganisationType.NGO, "KE"),
        ("Fay", IN_PERSON, None, S.PENDING_EMAIL, OrganisationType.MEDIA, "KE"),
    ]
    for n, (name, mode, language, status, kind, country) in enumerate(rows):
        make_registration(event, name=name, email=f"{name.lower()}@example.org",
                          attendance_mode=mode, interpretation_language=language, status=status,
                          organisation_type=kind, country=country, captions=name == "Ben",
                          created_at=now_utc() - timedelta(days=3 - n // 2))
    return event


def test_dashboard_counts_who_is_coming_and_what_they_need(hybrid_event):
    board = tracking.dashboard(hybrid_event)
    assert board.by_status == {"confirmed": 2, "waitlisted": 1, "pending_approval": 1,
                               "cancelled": 1, "pending_email": 1}
    assert board.counted == 4  # confirmed, waitlisted and awaiting approval
    assert board.by_mode == {"in_person": 1, "online": 3}
    assert board.languages == {"fr": {"in_person": 1, "online": 1}, "es": {"online": 1},
                               "floor": {"online": 1}}
    assert board.by_country[0] == ("CO", 2)
    assert board.captions == 1
    assert [(total) for _day, _n, total in board.over_time] == [2, 4, 6]


def test_dashboard_counts_survive_erasure(hybrid_event):
    before = tracking.dashboard(hybrid_event)
    for registration in tracking.matching(hybrid_event, tracking.AttendeeFilter(search="ana")):
        selfservice.erase(registration)
    after = tracking.dashboard(hybrid_event)
    assert after.by_status["cancelled"] == before.by_status["cancelled"] + 1
    assert sum(after.by_status.values()) == sum(before.by_status.values())


def test_attendee_list_filters_sorts_and_searches(hybrid_event):
    def names(**filters) -> list[str]:
        page = tracking.attendees(hybrid_event, tracking.AttendeeFilter(**filters), sort="name")
        return [r.name for r in page.items]

    assert names(language="fr") == ["Ana", "Ben", "Eve"]
    assert names(language="floor") == ["Dev", "Fay"]
    assert names(mode=IN_PERSON) == ["Ana", "Fay"]
    assert names(statuses=(S.CONFIRMED, S.WAITLISTED)) == ["Ana", "Ben", "Chloé"]
    assert names(search="CHLO") == ["Chloé"]
    assert names(organisation_type=OrganisationType.STATE) == ["Ben"]
    assert tracking.attendees(hybrid_event, tracking.AttendeeFilter(), per_page=4).pages == 2


def test_check_in_once_undo_and_only_when_confirmed(hybrid_event):
    ana, _ben, chloe, *_ = tracking.matching(hybrid_event, tracking.AttendeeFilter())
    assert checkin.check_in(ana, "door@example.org") is True
    assert checkin.check_in(ana, "door@example.org") is False  # a second phone at the door
    assert tracking.dashboard(hybrid_event).checked_in == 1
    assert checkin.undo_check_in(ana, "door@example.org") and ana.checked_in_at is None
    with pytest.raises(services.TransitionRefused):
        checkin.check_in(chloe, "door@example.org")
    assert [c.note for c in ana.changes][-2:] == ["checked in", "check-in undone"]


def test_check_in_finds_people_by_qr_token_typed_code_or_name(hybrid_event):
    ana = tracking.matching(hybrid_event, tracking.AttendeeFilter(search="ana"))[0]
    code = codes.code_for(ana)
    assert len(code) == 9 and code[4] == "-"
    assert checkin.find_by_code(hybrid_event, code.lower().replace("-", " ")) == ana
    assert checkin.find_by_code(hybrid_event, "ZZZZ-ZZZZ") is None
    assert checkin.find_by_token(hybrid_event, codes.checkin_token(ana)) == ana
    with pytest.raises(tokens.TokenInvalid):
        checkin.find_by_token(make_event(), codes.checkin_token(ana))  # another event's door
    assert [r.name for r in checkin.search(hybrid_event, "an")] == ["Ana"]
    assert codes.qr_svg("https://example.org/x").startswith("<svg")
    assert codes.qr_png("https://example.org/x").startswith(b"\x89PNG")


def test_message_to_a_segment_reaches_it_once_and_is_logged(hybrid_event):
    french = tracking.AttendeeFilter(language="fr")
    assert messaging.recipients_count(hybrid_event, french) == 2  # not the cancelled one
    draft = messaging.Draft(subject="Room change", body="We move to Room XX.\n\nSee you there.",
                            batch="b1")
    job = messaging.send(hybrid_event, french, draft, "owner@example.org")
    assert job is not None and job.total == 2 and job.status.value == "queued"
    assert messaging.send(hybrid_event, french, draft, "owner@example.org") is None  # sent twice
    assert db.session.scalars(sa.select(OutboxMessage)).all() == []  # the request writes none
    assert messaging.write_messages() == 2
    assert (job.status.value, job.queued) == ("sent", 2)
    messages = sorted(db.session.scalars(sa.select(OutboxMessage)), key=lambda m: m.recipient)
    assert [m.recipient for m in messages] == ["ana@example.org", "ben@example.org"]
    assert messages[0].subject == "Room change" and "Dear Ana," in messages[0].text_body
    assert "<p>We move to Room XX.</p>" in messages[0].html_body
    (entry,) = db.session.scalars(sa.select(AuditEntry))
    assert (entry.actor, entry.action.value) == ("owner@example.org", "sent_message")
    assert "2 registrant(s)" in entry.detail and "ana@" not in entry.detail


def test_unconfirmed_addresses_never_receive_organiser_messages(hybrid_event):
    everyone = tracking.AttendeeFilter(statuses=tuple(S))
    assert messaging.recipients_count(hybrid_event, everyone) == 5  # all but Fay (pending email)
