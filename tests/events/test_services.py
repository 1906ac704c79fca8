"""Public event queries, the programme, Markdown sanitising, times and the .ics file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from rsvp.demo import load_demo
from rsvp.events import services
from rsvp.events.calendar import event_ics
from rsvp.events.content import event_text
from rsvp.events.demo import seed_records
from rsvp.events.models import Event, EventFormat, EventStatus, ProgrammeRole
from rsvp.speakers.lists import speakers_list_of
from rsvp.timeutil import format_span, local_to_utc, now_utc, time_lines
from tests.factories import add_person, make_event


def test_upcoming_lists_published_and_cancelled_soonest_first_never_drafts(db_session):
    later = make_event(starts_at=now_utc() + timedelta(days=9))
    sooner = make_event(starts_at=now_utc() + timedelta(days=2))
    cancelled = make_event(status=EventStatus.CANCELLED)
    make_event(status=EventStatus.DRAFT)
    make_event(starts_at=now_utc() - timedelta(days=3))
    listed = services.upcoming_events()
    assert [e.id for e in listed if e in (sooner, cancelled, later)] == [
        sooner.id, cancelled.id, later.id]
    assert all(e.status is not EventStatus.DRAFT for e in listed)
    assert all(e.ends_at >= now_utc() for e in listed)


def test_past_events_newest_first(db_session):
    old = make_event(starts_at=now_utc() - timedelta(days=40))
    recent = make_event(starts_at=now_utc() - timedelta(days=5))
    page = services.past_events(page=1, per_page=20)
    ids = [e.id for e in page.items]
    assert ids.index(recent.id) < ids.index(old.id)


def test_draft_and_unknown_events_are_not_public(db_session):
    draft = make_event(status=EventStatus.DRAFT)
    with pytest.raises(services.EventNotFound):
        services.public_event(draft.slug)
    with pytest.raises(services.EventNotFound):
        services.public_event("no-such-event")


def test_markdown_is_sanitised():
    html = str(services.render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=https://t.example/p.gif>"
        " [site](https://ishr.ch)"))
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "<img" not in html
    assert 'href="https://ishr.ch"' in html and 'rel="noopener noreferrer"' in html


def test_programme_groups_people_by_segment_in_listed_order(db_session):
    event = make_event()
    add_person(event, "Victor Mallet", ProgrammeRole.MODERATOR, "Moderator")
    add_person(event, "Simon Manley", ProgrammeRole.OPENING_REMARKS, "Opening remarks")
    add_person(event, "Andrius Krivas", ProgrammeRole.OPENING_REMARKS, "Opening remarks")
    add_person(event, "Clément Voule", ProgrammeRole.PANELIST, "Panel segment I")
    add_person(event, "Nathan Law", ProgrammeRole.PANELIST, "Panel segment II")
    add_person(event, "Tess McEvoy", ProgrammeRole.MODERATOR)
    sections = services.programme(event)
    assert [(s.heading, [p.name for p in s.people]) for s in sections] == [
        ("Moderator", ["Victor Mallet"]),
        ("Opening remarks", ["Simon Manley", "Andrius Krivas"]),
        ("Panel segment I", ["Clément Voule"]),
        ("Panel segment II", ["Nathan Law"]),
        (None, ["Tess McEvoy"]),
    ]


def test_times_printed_in_every_zone_like_the_seeds(app):
    # "7:30 am EDT / 1:30 pm CEST / 7:30pm HKST" (1 July 2021, 90 minutes)
    start = local_to_utc(datetime(2021, 7, 1, 7, 30), "America/New_York")  # noqa: DTZ001
    assert start == datetime(2021, 7, 1, 11, 30, tzinfo=UTC)
    with app.test_request_context():
        lines = time_lines(start, start + timedelta(minutes=90), "America/New_York",
                           ["Europe/Zurich", "Asia/Hong_Kong"])
        # CLDR's English interval: one "AM" for both ends, thin spaces around the dash
        assert lines == ["7:30\u2009–\u20099:00\u202fAM EDT", "1:30\u2009–\u20093:00\u202fPM CEST",
                         "7:30\u2009–\u20099:00\u202fPM HKT"]


def test_span_in_another_zone_names_the_date_when_it_differs(app):
    start = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 23:00 in Geneva, next day in Hong Kong
    with app.test_request_context():
        text = format_span(start, start + timedelta(hours=1), "Asia/Hong_Kong", "Europe/Zurich")
    assert text == "Dec 2, 2026, 6:00\u2009–\u20097:00\u202fAM HKT"


def test_public_ics_has_utc_times_and_never_the_join_link(db_session):
    event = make_event(join_url="https://meet.example.org/very-private")
    body = event_ics(event, "http://localhost/events/x", "localhost")
    calendar = Calendar.from_ical(body)
    (entry,) = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == event.starts_at
    assert entry.decoded("dtend") == event.ends_at
    assert str(entry["summary"]) == event.title
    assert b"very-private" not in body
    assert str(entry["uid"]) == f"event-{event.public_id}@localhost"


def test_demo_loads_every_seed_event_with_its_content_once(db_session):
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    added = load_demo(now)
    records = seed_records()
    assert len(added) == len(records) == 11
    assert load_demo(now) == []  # idempotent

    hong_kong = next(e for e in added if "Hong Kong" in e.title)
    assert hong_kong.timezone == "America/New_York"
    assert hong_kong.display_timezones == ["Europe/Zurich", "Asia/Hong_Kong"]
    local = hong_kong.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (7, 30)
    assert hong_kong.ends_at - hong_kong.starts_at == timedelta(minutes=90)
    speakers_list = speakers_list_of(hong_kong)
    assert (speakers_list.individual_seconds, speakers_list.group_seconds) == (60, 120)
    assert speakers_list.opens_at == now and speakers_list.closes_at == hong_kong.starts_at

    # One event shows the translations: `make run` has Spanish and French visitors read it in theirs.
    rights = next(e for e in added if e.slug == "rights-at-risk-time-for-action")
    assert rights.content_language == "en"
    assert event_text(rights, "es").title.text.endswith("Derechos en riesgo: hora de actuar")
    assert event_text(rights, "fr").description.text.startswith("Nous avons le plaisir de vous inviter")
    assert event_text(rights, "pt").title.fallback
    assert [speakers_list_of(e) is not None for e in added].count(True) == 1
    assert {p.segment for p in hong_kong.people} >= {"Opening remarks", "Panel segment I",
                                                     "Panel segment II"}
    assert sum(p.kind.value == "state" for p in hong_kong.partners) == 20

    rights = next(e for e in added if "Rights at Risk" in e.title)
    assert rights.interpretation_languages == ["es", "fr"]
    assert rights.caption_languages == ["en"]
    assert rights.format is EventFormat.HYBRID

    flyers = next(e for e in added if "No Justice" in e.title).documents
    assert sorted(d.language for d in flyers) == ["en", "es", "fr", "pt"]

    upcoming = [e for e in added if e.starts_at > now]
    assert len(upcoming) == 10 and len(added) - len(upcoming) == 1
    assert all(isinstance(e, Event) and e.status is EventStatus.PUBLISHED for e in added)
