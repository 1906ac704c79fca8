"""An attendee's journey on the real servers: register with questions, the emails, the manage link."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import icalendar
import sqlalchemy as sa

from rsvp.events.models import AttendanceMode, Event, EventFormat, QuestionKind
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import tracking
from rsvp.registrations.models import Registration, RegistrationChange, RegistrationStatus
from rsvp.sealing import digest
from tests.factories import add_question, make_event
from tests.served.conftest import setting_up


def manage_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"https?://\S+(/r/[\w.-]+)", text)
    assert found, text
    return found.group(1)


def fresh() -> None:
    """End the test's read transaction: the next query sees what the servers committed since."""
    db.session.rollback()


def stored(email: str) -> Registration:
    fresh()
    registration = db.session.scalar(sa.select(Registration).where(Registration.email_hash == digest(email)))
    assert registration is not None
    return registration


def test_register_with_questions_then_change_cancel_and_erase(served):
    with setting_up():
        event = make_event(format=EventFormat.HYBRID, capacity_in_person=10, capacity_online=100)
        add_question(event, "Which panel segment interests you most?", QuestionKind.SINGLE_CHOICE,
                     options=["Segment I", "Segment II"], required=True)
        add_question(event, "Your question for the panel", QuestionKind.LONG_TEXT,
                     personal_data=True)
        slug, title = event.slug, event.title

    person = served.visitor(language="en")
    form_page = person.get(f"/events/{slug}/register")
    assert form_page.status_code == 200
    fields = person.form(form_page, f"/events/{slug}/register").values
    choice, free_text = [name for name in fields if name.startswith("question_")]

    # A mistake first: everything typed comes back with the message.
    response = person.submit(form_page, f"/events/{slug}/register", {
        "name": "Gulnar Aziz", "email": "not-an-address", "organisation_type": "ngo",
        "attendance_mode": "in_person", choice: "Segment II", free_text: "On remedies.",
        "consent": "y"})
    assert response.status_code == 422
    assert "Gulnar Aziz" in response.text and "On remedies." in response.text

    response = person.submit(response, f"/events/{slug}/register", {
        "email": "gulnar@example.org"})
    assert response.status_code == 303, response.text[:3000]
    assert "registered" in person.follow(response).text.lower()

    registration = stored("gulnar@example.org")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.attendance_mode == AttendanceMode.IN_PERSON
    assert list(registration.answers.values()) == ["Segment II", "On remedies."]

    confirmation = served.wait_for_email("gulnar@example.org")[0]
    calendars = [part for part in confirmation.iter_attachments()
                 if part.get_content_type() == "text/calendar"]
    assert calendars, "a calendar file is attached"
    calendar = icalendar.Calendar.from_ical(calendars[0].get_content())
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [title]
    link = manage_link(confirmation)

    # The manage link: change the answers and the attendance mode.
    page = person.get(link)
    assert page.status_code == 200 and "Gulnar Aziz" in page.text
    response = person.submit(page, link, {"attendance_mode": "online", choice: "Segment I"})
    assert response.status_code == 303, response.text[:3000]
    assert "Your changes are saved." in person.follow(response).text
    changed = stored("gulnar@example.org")
    assert changed.attendance_mode == AttendanceMode.ONLINE
    assert list(changed.answers.values()) == ["Segment I", "On remedies."]

    # Cancel, then erase: nothing of the person is left.
    page = person.get(link)
    response = person.submit(page, f"{link}/cancel")
    assert response.status_code == 303
    assert stored("gulnar@example.org").status == RegistrationStatus.CANCELLED
    page = person.get(link)
    response = person.submit(page, f"{link}/erase", {"confirm": "y"})
    assert response.status_code == 200 and "erased" in response.text.lower()
    fresh()
    assert db.session.scalar(sa.select(Registration).where(
        Registration.email_hash == digest("gulnar@example.org"))) is None
    assert person.get(link).status_code in (404, 410)


def test_last_seats_go_to_exactly_as_many_people_at_once(served):
    with setting_up():
        event = make_event(capacity_online=3, waitlist_enabled=True)
        slug, event_id = event.slug, event.id

    def register(n: int) -> int:
        visitor = served.visitor()
        try:
            page = visitor.get(f"/events/{slug}/register")
            return visitor.submit(page, f"/events/{slug}/register", {
                "name": f"Delegate {n}", "email": f"delegate{n}@example.org",
                "organisation_type": "ngo", "consent": "y"}).status_code
        finally:
            visitor.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(register, range(8)))
    assert statuses == [303] * 8
    fresh()
    counts = dict(db.session.execute(
        sa.select(Registration.status, sa.func.count()).where(Registration.event_id == event_id)
        .group_by(Registration.status)).all())
    assert counts == {RegistrationStatus.CONFIRMED: 3, RegistrationStatus.WAITLISTED: 5}
    # Those who lost the last seats to others after reading the event (their rows written, the
    # seat taken last: services._seat_gone) are told they wait, never that they are confirmed.
    emails = {(hash_, kind) for hash_, kind in db.session.execute(
        sa.select(OutboxMessage.recipient_hash, OutboxMessage.kind)
        .where(OutboxMessage.event_id == event_id))}
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id)).all()
    assert emails == {(r.email_hash, f"registration-{r.status.value}") for r in registrations}
    assert sorted((c.registration_id, c.to_status) for c in db.session.scalars(
        sa.select(RegistrationChange).join(Registration)
        .where(Registration.event_id == event_id))) == sorted(
        (r.id, r.status) for r in registrations)
    assert tracking.dashboard(db.session.get(Event, event_id)).by_status == {
        "confirmed": 3, "waitlisted": 5}
    assert db.session.get(Event, event_id).taken_online == 3
