"""An organiser's journeys on the real servers: exports, the check-in desk, the speakers console, emails."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import openpyxl
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat, QuestionKind
from rsvp.extensions import db
from rsvp.registrations import codes
from rsvp.registrations.models import Registration
from rsvp.speakers.models import Speaker
from tests.factories import (
    add_question,
    grant_role,
    make_event,
    make_organiser,
    make_registration,
    make_speakers_list,
)
from tests.served.client import Visitor
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in

PEOPLE = 25


def event_with_answers():
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True)
    segment = add_question(event, "Which segment?", QuestionKind.SINGLE_CHOICE,
                           options=["Segment I", "Segment II"])
    topics = add_question(event, "Topics", QuestionKind.MULTIPLE_CHOICE,
                          options=["Reprisals", "Civic space", "Remedies"])
    arrival = add_question(event, "Arrival date", QuestionKind.DATE)
    note = add_question(event, "Your question", QuestionKind.LONG_TEXT, personal_data=True)
    for n in range(PEOPLE):
        make_registration(
            event, name=f"Attendee {n:02d}", email=f"attendee{n}@example.org",
            attendance_mode=AttendanceMode.IN_PERSON if n % 2 else AttendanceMode.ONLINE,
            interpretation_language="fr" if n % 3 == 0 else None,
            accessibility_needs="Step-free access" if n == 4 else "",
            has_grounds_pass=False if n % 2 else None,
            passport_name=f"ATTENDEE {n:02d}" if n % 2 else None,
            answers={segment.key: "Segment II" if n % 2 else "Segment I",
                     topics.key: ["Reprisals", "Remedies"], arrival.key: "2026-12-01",
                     note.key: f"=HYPERLINK(\"x\") question {n}"})
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    db.session.commit()
    return event, organiser


def test_every_export_downloads_whole_in_both_formats(served):
    with setting_up():
        event, organiser = event_with_answers()
        event_id, email = event.public_id, organiser.email
    browser = served.visitor()
    log_in(browser, email)
    base = f"/manage/events/{event_id}/exports"
    assert browser.get(base).status_code == 200

    response = browser.get(f"{base}/attendees.csv", params={"questions": "1"})
    assert response.status_code == 200, response.text[:2000]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[-4:] == ["Which segment?", "Topics", "Arrival date", "Your question"]
    assert len(body) == PEOPLE
    first = dict(zip(header, body[0], strict=True))
    assert first["Name"] == "Attendee 00" and first["Which segment?"] == "Segment I"
    assert first["Topics"] == "Reprisals and Remedies"  # the list as English writes it (CLDR)
    assert first["Your question"].startswith("'=")  # never a formula

    response = browser.get(f"{base}/attendees.xlsx", params={"questions": "1"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == PEOPLE + 1
    named = dict(zip(cells[0], cells[-1], strict=True))
    assert named["Name"] == f"Attendee {PEOPLE - 1:02d}" and named["Which segment?"] == "Segment I"
    assert named["Arrival date"].date() == date(2026, 12, 1)

    for fmt in ("csv", "xlsx"):
        passes = browser.get(f"{base}/grounds-passes.{fmt}")
        assert passes.status_code == 200
        brief = browser.get(f"{base}/interpretation.{fmt}", params={"names": "1"})
        assert brief.status_code == 200
        if fmt == "csv":
            pass_rows = list(csv.reader(io.StringIO(passes.content.decode("utf-8-sig"))))
            brief_text = brief.content.decode("utf-8-sig")
        else:
            pass_rows = list(openpyxl.load_workbook(io.BytesIO(passes.content), read_only=True)
                             .active.iter_rows(values_only=True))
            brief_text = " ".join(str(c) for row in openpyxl.load_workbook(
                io.BytesIO(brief.content), read_only=True).active.iter_rows(values_only=True)
                for c in row)
        assert len(pass_rows) == 1 + PEOPLE // 2  # the in-person half, without a pass
        assert "Attendee 04: Step-free access" in brief_text


def test_the_check_in_desk_finds_and_checks_in_at_two_desks(served):
    with setting_up():
        event = make_event(format=EventFormat.IN_PERSON, capacity_in_person=50)
        people = [make_registration(event, name=f"Guest {n}",
                                    attendance_mode=AttendanceMode.IN_PERSON) for n in range(6)]
        scanned_url = codes.checkin_url(people[0])
        desk_staff = [make_organiser(), make_organiser()]
        for organiser in desk_staff:
            grant_role(event, organiser, Role.CHECK_IN)
        event_id = event.public_id
        ids = [p.public_id for p in people]
        door_codes = [codes.code_for(p) for p in people]
        emails = [o.email for o in desk_staff]

    desks = [served.visitor(), served.visitor()]
    for desk, email in zip(desks, emails, strict=True):
        log_in(desk, email)

    page = desks[0].get(f"/manage/events/{event_id}/check-in", params={"q": "Guest 3"})
    assert page.status_code == 200 and "Guest 3" in page.text
    path = scanned_url[scanned_url.index("/manage/"):]
    assert "Guest 0" in desks[1].get(path).text  # the QR code leads to the person

    part = desks[1].get(f"/manage/events/{event_id}/check-in/found", params={"q": door_codes[2]})
    assert part.status_code == 200 and "Guest 2" in part.text and "<html" not in part.text

    def check_in(work: tuple[Visitor, int]) -> int:
        desk, n = work
        # One desk finds in place (the part its script shows), the other loads the whole page.
        where = "check-in/found" if desk is desks[1] else "check-in"
        page = desk.get(f"/manage/events/{event_id}/{where}", params={"q": f"Guest {n}"})
        return desk.submit(page, f"/manage/events/{event_id}/check-in/{ids[n]}").status_code

    # Both desks check in the same six people at once: each is checked in once.
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(check_in, [(desks[k % 2], k % 6) for k in range(12)]))
    assert statuses == [303] * 12
    counts = json.loads(desks[1].get(f"/manage/events/{event_id}/check-in/counts").text)
    assert counts["checked_in"] == 6, counts
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.checked_in_at.is_not(None))) == 6


def test_the_speakers_list_from_inscription_to_the_live_countdown(served):
    with setting_up():
        event = make_event()
        make_speakers_list(event)
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        slug, event_id, email = event.slug, event.public_id, organiser.email

    def inscribe(n: int) -> int:
        visitor = served.visitor()
        page = visitor.get(f"/events/{slug}/speakers")
        return visitor.submit(page, f"/events/{slug}/speakers", {
            "name": f"Speaker {n}", "delegation": f"NGO number {n}", "category": "ngo",
            "email": f"speaker{n}@example.org", "consent": "y"}).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(inscribe, range(4))) == [303] * 4
    served.wait_for_email("speaker0@example.org")

    chair = served.visitor()
    log_in(chair, email)
    console = chair.get(f"/manage/events/{event_id}/speakers")
    assert console.status_code == 200
    state = json.loads(chair.get(f"/manage/events/{event_id}/speakers/console.json").text)
    first = state["queue"][0]
    db.session.rollback()
    speaker_id = db.session.scalar(sa.select(Speaker.public_id).where(
        Speaker.delegation == first["delegation"]))
    token = chair.form(console, f"/manage/events/{event_id}/speakers/order").values["csrf_token"][0]
    started = chair.post(f"/manage/events/{event_id}/speakers/{speaker_id}/act",
                         data={"action": "start", "csrf_token": token},
                         headers={"Referer": str(console.url)})  # as the console's script sends it
    assert started.status_code in (200, 303), started.text[:2000]

    # Every screen, on whichever worker, shows the same speaker and a countdown from the server.
    audience = [served.visitor() for _ in range(4)]
    answers = [v.get(f"/events/{slug}/speakers/live.json") for v in audience]
    live = [json.loads(answer.text) for answer in answers]
    assert {view["current"]["delegation"] for view in live} == {first["delegation"]}
    for answer, view in zip(answers, live, strict=True):  # the countdown, as the browser computes it
        elapsed = (datetime.fromisoformat(answer.headers["Server-Now"])
                   - datetime.fromisoformat(view["current"]["started_at"])).total_seconds()
        assert 0 <= elapsed < view["current"]["seconds_allowed"] == 60
    assert len({view["current"]["started_at"] for view in live}) == 1  # one clock, the server's
    assert all(len(view["queue"]) == 3 for view in live)
    page = audience[0].get(f"/events/{slug}/speakers/live")
    assert page.status_code == 200 and first["delegation"] in page.text
    assert "speaker0@example.org" not in page.text  # the public list shows no contact


def test_the_emails_page_shows_what_was_sent(served):
    with setting_up():
        event = make_event()
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        slug, event_id, title, email = event.slug, event.public_id, event.title, organiser.email

    person = served.visitor()
    page = person.get(f"/events/{slug}/register")
    assert person.submit(page, f"/events/{slug}/register", {
        "name": "Li Wei", "email": "li.wei@example.org", "organisation_type": "ngo",
        "consent": "y"}).status_code == 303
    message = served.wait_for_email("li.wei@example.org")[0]

    browser = served.visitor()
    log_in(browser, email)
    emails = browser.get(f"/manage/events/{event_id}/emails")
    assert emails.status_code == 200
    assert str(message["Subject"]) in emails.text and "li.wei@example.org" in emails.text
    assert title in str(message["Subject"])


def test_a_message_to_everyone_is_written_by_the_worker_and_reaches_each_once(served):
    """The organiser's request only stores the message; the worker process writes and sends it."""
    with setting_up():
        event = make_event(capacity_online=100)
        for n in range(12):
            make_registration(event, name=f"Reader {n:02d}", email=f"reader{n}@example.org")
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        event_id, email = event.public_id, organiser.email

    browser = served.visitor()
    log_in(browser, email)
    path = f"/manage/events/{event_id}/messages"
    page = browser.get(path)
    fields = {"subject": "Room change", "body": "We move to Room XX.\n\nSee you there."}
    preview = browser.submit(page, path, {**fields, "step": "preview"})
    assert "This message goes to 12 people" in preview.text
    sent = browser.submit(preview, path, {**fields, "step": "send"})
    assert sent.status_code == 303
    again = browser.submit(preview, path, {**fields, "step": "send"})  # the same form, sent twice
    assert again.status_code == 303
    for n in range(12):
        (message,) = served.wait_for_email(f"reader{n}@example.org", "Room change")
        assert f"Dear Reader {n:02d}," in message.get_body(("plain",)).get_content()
    assert "Written to 12 people" in browser.get(path).text
