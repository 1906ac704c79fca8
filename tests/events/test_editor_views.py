"""The editor over HTTP: who may open it, CSRF, bad input kept and explained, lists, files, status."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.events.models import Event, EventFormat, EventStatus, ProgrammeRole, Question, QuestionKind
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.registrations.messaging import write_messages
from rsvp.timeutil import now_utc, to_local
from tests.auth.conftest import log_in, post_form, smtp  # noqa: F401 - smtp is a fixture
from tests.factories import (
    PDF_BYTES,
    add_document,
    add_person,
    grant_role,
    make_event,
    make_organiser,
    make_registration,
)


def form_of(event: Event, **changes: str) -> dict[str, str | list[str]]:
    """The details form as a browser posts it for ``event``, with ``changes``."""
    start, end = to_local(event.starts_at, event.timezone), to_local(event.ends_at, event.timezone)
    data: dict[str, str | list[str]] = {
        "title": event.title, "slug": event.slug, "event_type": event.event_type.value,
        "summary": event.summary, "description": event.description, "format": event.format.value,
        "timezone": event.timezone, "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"), "end_time": end.strftime("%H:%M"),
        # as a browser posts the field it shows: empty when the event ends on its first day (an
        # event the factory starts late in the evening ends the next day), and for a new date
        "end_date": (end.date().isoformat() if end.date() != start.date()
                     and "start_date" not in changes else ""),
        "venue": event.venue or "", "join_url": event.join_url or "", "floor_language": "en",
        "interpretation": event.interpretation_languages, "captions": event.caption_languages,
        "capacity_online": "" if event.capacity_online is None else str(event.capacity_online),
        "waitlist_enabled": "y", "reminders": ["1440"], "retention_days": "30",
        "display_zones": event.display_timezones,
    }
    data.update(changes)
    return data


def page_of(response) -> str:
    return response.get_data(as_text=True)


def test_viewers_and_strangers_cannot_edit_and_only_admins_create(client, db_session):
    event = make_event()
    viewer, stranger = make_organiser(), make_organiser()
    grant_role(event, viewer, Role.VIEWER)
    for organiser, status in ((viewer, 404), (stranger, 404)):
        log_in(client, organiser.email)
        assert client.get(f"/manage/events/{event.public_id}/edit").status_code == status
        assert client.post(f"/manage/events/{event.public_id}/publish").status_code == status
        assert client.get("/manage/events/new").status_code == 403
    assert "Edit</a>" not in page_of(client.get("/manage"))


def test_a_post_without_the_csrf_token_changes_nothing(csrf_client, db_session):
    event = make_event(title="Unchanged")
    organiser = make_organiser()
    grant_role(event, organiser, Role.OWNER)
    log_in(csrf_client, organiser.email)
    response = csrf_client.post(f"/manage/events/{event.public_id}/edit", data=form_of(event, title="Hacked"))
    assert response.status_code == 400
    db.session.expire_all()
    assert event.title == "Unchanged"
    saved = post_form(csrf_client, f"/manage/events/{event.public_id}/edit",
                      form_of(event, title="Changed with the token"))  # type: ignore[arg-type]
    assert saved.status_code == 303


def test_the_manager_edits_and_the_times_are_taken_in_the_events_zone(client, manager):
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, timezone="America/New_York", start_date="2031-07-08", start_time="09:00",
        end_time="11:30", other_zones="Asia/Hong_Kong", display_zones=["Europe/Zurich"]))
    assert response.status_code == 303
    db.session.expire_all()
    assert manager.starts_at.isoformat() == "2031-07-08T13:00:00+00:00"  # 09:00 EDT
    assert manager.ends_at - manager.starts_at == timedelta(hours=2, minutes=30)
    assert manager.display_timezones == ["Europe/Zurich", "Asia/Hong_Kong"]
    page = page_of(client.get(f"/manage/events/{manager.public_id}/edit"))
    assert 'value="09:00"' in page and "Your changes are saved." in page


@pytest.mark.parametrize(("changes", "message", "field"), [
    ({"end_time": "08:00", "start_time": "09:00"}, "The event must end after it starts.", "end_time"),
    ({"timezone": "Mars/Olympus"}, "Choose the event's time zone from the list.", "timezone"),
    ({"other_zones": "Europe/Geneva"}, "Europe/Geneva: not a time zone we know.", "other_zones"),
    ({"slug": "Voices Of Survivors"}, "Use lower-case letters, digits and hyphens only", "slug"),
    ({"join_url": "javascript:alert(1)"}, "Enter a full web address", "join_url"),
    ({"capacity_online": "-3"}, "Enter a number of places from 0 to 1,000,000.", "capacity_online"),
    ({"other_interpretation": "klingon"}, "not a two-letter language code we know", "other_interpretation"),
    ({"opens_date": "2031-01-01"}, "Give both the date and the time, or neither.", "opens_time"),
])
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, manager, changes, message, field):
    response = client.post(f"/manage/events/{manager.public_id}/edit",
                           data=form_of(manager, title="A title typed but not saved", **changes))
    assert response.status_code == 422
    page = page_of(response)
    assert 'id="error-summary"' in page and message in page
    assert f'href="#{field}"' in page
    assert 'value="A title typed but not saved"' in page
    db.session.expire_all()
    assert manager.title == "Voices of Uyghur camp survivors"


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("capacity_online", str(2**63), "Enter a number of places from 0 to 1,000,000."),
    ("capacity_online", "3000000000", "Enter a number of places from 0 to 1,000,000."),
    ("capacity_online", "lots", "Enter a number of places from 0 to 1,000,000."),
    ("capacity_in_person", "1000001", "Enter a number of seats from 0 to 1,000,000."),
    ("capacity_in_person", "99999999999999999999999", "Enter a number of seats from 0 to 1,000,000."),
    ("retention_days", str(2**63), "Enter between 1 and 3650 days."),
    ("retention_days", "a month", "Enter between 1 and 3650 days."),
    ("other_reminders", "30, \N{SUPERSCRIPT TWO}", "Enter whole numbers of minutes, e.g. 30, 180."),
    ("other_reminders", str(2**63), "Enter whole numbers of minutes, e.g. 30, 180."),
])
def test_a_number_out_of_bounds_gets_one_message_and_keeps_the_edit(client, manager, field, typed, message):
    """A number the database cannot hold (or no event needs) is refused on the form, not by an error page."""
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, title="A title typed but not saved", venue="Room XX", **{field: typed}))
    assert response.status_code == 422
    page = page_of(response)
    assert message in page and f'href="#{field}"' in page
    assert "Not a valid integer" not in page  # one message that says what fits, not two
    assert f'value="{typed}"' in page and 'value="A title typed but not saved"' in page
    assert 'value="Room XX"' in page
    db.session.expire_all()
    assert manager.title == "Voices of Uyghur camp survivors" and manager.venue is None


def test_only_the_offered_reminders_are_taken_from_the_checkboxes(client, manager):
    """A forged checkbox value cannot plant a reminder the worker cannot schedule."""
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, reminders=["1440", "99999999999999", "\N{SUPERSCRIPT TWO}"]))
    assert response.status_code == 303
    db.session.expire_all()
    assert manager.reminder_offsets == [1440]


def test_capacity_below_seats_taken_is_refused_and_nothing_is_saved(client, manager):
    manager.capacity_online, manager.taken_online = 20, 12
    db.session.commit()
    response = client.post(f"/manage/events/{manager.public_id}/edit",
                           data=form_of(manager, capacity_online="5", venue="Room XX"))
    assert response.status_code == 422
    assert "12 people already hold a seat" in page_of(response)
    db.session.expire_all()
    assert (manager.capacity_online, manager.venue) == (20, None)


def test_a_public_events_address_changes_only_when_the_organiser_insists(client, manager):
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(manager, slug="voices-2"))
    assert response.status_code == 409 and "tick this box to change it anyway" in page_of(response)
    assert client.post(f"/manage/events/{manager.public_id}/edit",
                       data=form_of(manager, slug="voices-2", move_slug="y")).status_code == 303
    db.session.expire_all()
    assert manager.slug == "voices-2"


def test_script_in_the_description_is_saved_as_typed_shown_sanitised_and_flagged(client, manager):
    text = "Join **us**.<script>alert(1)</script>"
    preview = client.post("/manage/markdown-preview", data={"text": text}).get_json()
    assert preview == {"html": "<p>Join <strong>us</strong>.</p>", "hidden_html": True}
    no_js = page_of(client.post(f"/manage/events/{manager.public_id}/edit",
                                data=form_of(manager, description=text, preview="1")))
    assert "nothing is saved until you press" in no_js and "<strong>us</strong>" in no_js
    assert "<script>alert(1)" not in no_js
    response = client.post(f"/manage/events/{manager.public_id}/edit",
                           data=form_of(manager, description=text), follow_redirects=True)
    assert "Part of the description is HTML that is never shown" in page_of(response)
    db.session.expire_all()
    assert manager.description == text
    assert "<script>" not in page_of(client.get(f"/events/{manager.slug}"))


def test_a_published_event_says_registrants_are_emailed_and_moving_it_emails_them(client, manager, smtp):  # noqa: F811
    make_registration(manager, email="defender@example.org")
    page = page_of(client.get(f"/manage/events/{manager.public_id}/edit"))
    assert "its 1 registrant is emailed the change" in page
    response = client.post(f"/manage/events/{manager.public_id}/edit",
                           data=form_of(manager, start_time="10:00", end_time="11:00"), follow_redirects=True)
    assert "Registrants are being emailed the new details" in page_of(response)
    write_messages()  # the worker writes the notices
    worker.send_pending()
    (message,) = smtp.inbox.to("defender@example.org")
    assert "New time" in message.get_body(("plain",)).get_content()


def test_programme_rows_move_without_javascript_and_are_saved(client, manager):
    first = add_person(manager, "Gülbahar Jalilova", ProgrammeRole.SPEAKER)
    second = add_person(manager, "Raphael Viana David", ProgrammeRole.MODERATOR)
    rows = {"people-0-ref": str(first.id), "people-0-position": "0", "people-0-name": first.name,
            "people-0-role": "speaker", "people-1-ref": str(second.id), "people-1-position": "1",
            "people-1-name": second.name, "people-1-role": "moderator", "people-2-position": "2",
            "people-2-role": "speaker", "people-2-name": "Zumretay Arkin", "people-2-affiliation": "WUC"}
    response = client.post(f"/manage/events/{manager.public_id}/edit/programme",
                           data={**rows, "action": "up:people-1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#people")
    db.session.expire_all()
    assert [p.name for p in manager.people] == ["Raphael Viana David", "Gülbahar Jalilova", "Zumretay Arkin"]
    refused = client.post(f"/manage/events/{manager.public_id}/edit/programme",
                          data={**rows, "people-0-name": "", "people-0-affiliation": "ISHR"})
    assert refused.status_code == 422 and "Person 1, Name: Enter the person&#39;s name." in page_of(refused)


def test_a_forged_row_reference_or_position_is_a_new_row_at_the_end(client, manager):
    first = add_person(manager, "Gülbahar Jalilova", ProgrammeRole.SPEAKER)
    response = client.post(f"/manage/events/{manager.public_id}/edit/programme", data={
        "people-0-ref": "\N{SUPERSCRIPT TWO}", "people-0-position": "\N{SUPERSCRIPT TWO}",
        "people-0-name": "Zumretay Arkin", "people-0-role": "speaker",
        "people-1-ref": str(first.id), "people-1-position": "1", "people-1-name": first.name,
        "people-1-role": "speaker"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [p.name for p in manager.people] == ["Gülbahar Jalilova", "Zumretay Arkin"]


def test_a_question_people_answered_keeps_its_kind(client, manager):
    question = Question(event_id=manager.id, kind=QuestionKind.SHORT_TEXT, label="Delegation?", position=0)
    db.session.add(question)
    db.session.commit()
    make_registration(manager, answers={question.key: "Sweden"})
    response = client.post(f"/manage/events/{manager.public_id}/edit/questions", data={
        "questions-0-ref": str(question.id), "questions-0-position": "0", "questions-0-label": "Delegation?",
        "questions-0-kind": "single_choice", "questions-0-choices": "Sweden\nNorway"})
    assert response.status_code == 409
    assert "People have answered this question already" in page_of(response)
    db.session.expire_all()
    assert question.kind is QuestionKind.SHORT_TEXT


def test_documents_upload_checked_served_publicly_once_published(client, manager):
    manager.status = EventStatus.DRAFT
    db.session.commit()
    base = f"/manage/events/{manager.public_id}/edit/documents"
    refused = client.post(f"{base}/add", data={"title": "Flyer", "language": "en",
                                                "file": (io.BytesIO(b"plain text"), "flyer.pdf")})
    assert refused.status_code == 422 and "is not a PDF, Word (DOCX)" in page_of(refused)
    assert client.post(f"{base}/add", data={"title": "Flyer", "language": "fr", "file": (
        io.BytesIO(PDF_BYTES), "flyer-fr.pdf")}).status_code == 303
    db.session.expire_all()
    (document,) = manager.documents
    public = f"/events/{manager.slug}/documents/{document.public_id}"
    assert client.get(public).status_code == 404  # a draft's files are not public
    own = client.get(f"/manage/events/{manager.public_id}/documents/{document.public_id}")
    assert own.status_code == 200 and own.data == PDF_BYTES
    manager.status = EventStatus.PUBLISHED
    db.session.commit()
    served = client.get(public)
    assert served.status_code == 200 and served.mimetype == "application/pdf" and served.data == PDF_BYTES
    assert 'filename=voices-fr.pdf' in served.headers["Content-Disposition"]
    assert f'href="{public}"' in page_of(client.get(f"/events/{manager.slug}"))


def test_publish_refuses_with_what_is_missing_then_publishes(client, manager):
    manager.status, manager.summary, manager.join_url = EventStatus.DRAFT, "", None
    manager.format = EventFormat.ONLINE
    db.session.commit()
    refused = client.post(f"/manage/events/{manager.public_id}/publish")
    assert refused.status_code == 422
    assert "Write a summary" in page_of(refused) and "Add the private link to join" in page_of(refused)
    manager.summary, manager.join_url = "A conversation.", "https://meet.example.org/v"
    db.session.commit()
    assert client.post(f"/manage/events/{manager.public_id}/publish").status_code == 303
    db.session.expire_all()
    assert manager.status is EventStatus.PUBLISHED


def test_cancelling_asks_for_confirmation_then_emails_registrants(client, manager, smtp):  # noqa: F811
    make_registration(manager, email="registrant@example.org")
    url = f"/manage/events/{manager.public_id}/cancel"
    assert "1 registrant will be emailed" in page_of(client.get(url))
    refused = client.post(url, data={})
    assert refused.status_code == 422 and "Tick the box to confirm the cancellation." in page_of(refused)
    db.session.expire_all()
    assert manager.status is EventStatus.PUBLISHED
    assert client.post(url, data={"confirm": "y"}).status_code == 422  # no reason given
    assert client.post(url, data={"confirm": "y", "body": "The room is closed."}).status_code == 303
    db.session.expire_all()
    assert manager.status is EventStatus.CANCELLED
    write_messages()  # the worker writes the notice
    worker.send_pending()
    (message,) = smtp.inbox.to("registrant@example.org")
    assert "cancel" in message["Subject"].lower()


def test_an_admin_creates_and_clones_events(client, db_session):
    admin = make_organiser(is_admin=True)
    log_in(client, admin.email)
    start = to_local(now_utc() + timedelta(days=10), "Europe/Zurich")
    blank = make_event(status=EventStatus.DRAFT)
    data = form_of(blank, title="Launching A Seat At The Table", slug="", start_date=start.date().isoformat())
    response = client.post("/manage/events/new", data=data)
    assert response.status_code == 303
    event = db.session.scalar(sa.select(Event).where(Event.slug == "launching-a-seat-at-the-table"))
    assert event is not None and event.status is EventStatus.DRAFT
    add_document(event, "Guide", "en")
    copied = client.post(f"/manage/events/{event.public_id}/clone")
    assert copied.status_code == 303
    copy = db.session.scalar(sa.select(Event).where(Event.slug == "launching-a-seat-at-the-table-copy"))
    assert copy is not None and copied.headers["Location"].endswith(f"/manage/events/{copy.public_id}/edit")
    assert [d.title for d in copy.documents] == ["Guide"]


def test_the_event_tabs_show_what_the_role_allows(client, db_session):
    event = make_event()
    owner, manager = make_organiser(), make_organiser()
    grant_role(event, owner, Role.OWNER)
    grant_role(event, manager, Role.MANAGER)
    log_in(client, manager.email)
    page = page_of(client.get(f"/manage/events/{event.public_id}/edit"))
    assert 'aria-current="page">Edit</a>' in page and ">Team</a>" not in page
    assert "Edit<span" in page_of(client.get("/manage"))
    log_in(client, owner.email)
    page = page_of(client.get(f"/manage/events/{event.public_id}/team"))
    assert 'aria-current="page">Team</a>' in page and ">Edit</a>" in page
