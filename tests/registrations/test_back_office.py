"""The organisers' pages over HTTP: overview, list, decisions, editing, messages, check-in,
exports, and the audit log they write."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.mail.worker import build_message
from rsvp.privacy.models import AuditEntry
from rsvp.registrations import codes, messaging, notify
from rsvp.registrations.models import Registration, RegistrationStatus
from tests.auth.conftest import log_in
from tests.factories import (
    grant_role,
    make_event,
    make_organiser,
    make_registration,
    make_speakers_list,
    written,
)

S = RegistrationStatus


@pytest.fixture
def setup(app, db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV", approval_required=True,
                       capacity_in_person=2, interpretation_languages=["fr", "es"])
    people = {
        "ana": make_registration(event, name="Ana", email="ana@example.org",
                                 attendance_mode=AttendanceMode.IN_PERSON,
                                 interpretation_language="fr", status=S.PENDING_APPROVAL),
        "ben": make_registration(event, name="Ben", email="ben@example.org",
                                 interpretation_language="es", status=S.PENDING_APPROVAL),
        "cleo": make_registration(event, name="Cleo", email="cleo@example.org",
                                  interpretation_language="fr"),
    }
    staff = {}
    for role in ("manager", "viewer", "check_in"):
        staff[role] = make_organiser(email=f"{role}@example.org")
        grant_role(event, staff[role], Role(role))
    return event, people, staff


def client_for(app, organiser):
    client = app.test_client()
    assert log_in(client, organiser.email).status_code == 303
    return client


def audit_actions(event) -> list[tuple[str, str]]:
    return [(e.action.value, e.detail) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id))]


def outbox(kind: str) -> list[OutboxMessage]:
    return [written(m) for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == kind))]


def test_overview_shows_counts_and_language_demand(app, setup):
    event, _people, staff = setup
    page = client_for(app, staff["viewer"]).get(f"/manage/events/{event.public_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Interpretation demand" in text and "<svg" in text
    assert "Review 2 registrations awaiting approval" in text
    assert '<th scope="row"><a href="/manage/events/' in text and "French" in text


def test_list_filters_by_language_and_is_audited(app, setup):
    event, _people, staff = setup
    page = client_for(app, staff["viewer"]).get(
        f"/manage/events/{event.public_id}/registrations?language=fr&sort=name")
    text = page.get_data(as_text=True)
    assert "Ana" in text and "Cleo" in text and "Ben" not in text
    assert 'name="registration"' not in text  # a viewer gets no bulk actions
    (action, detail), = audit_actions(event)
    assert action == "viewed_list" and "language=fr" in detail and "ana@" not in detail


def test_bulk_approval_gives_seats_then_emails(app, setup):
    event, people, staff = setup
    client = client_for(app, staff["manager"])
    response = client.post(f"/manage/events/{event.public_id}/registrations/bulk", data={
        "action": "approve", "registration": [people["ana"].public_id, people["ben"].public_id,
                                              people["cleo"].public_id]}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "2 registrations done." in text
    assert "1 registration could not be changed" in text  # Cleo was already confirmed
    db.session.expire_all()
    assert (people["ana"].status, people["ben"].status) == (S.CONFIRMED, S.CONFIRMED)
    assert sorted(m.recipient for m in outbox("registration-approved")) == [
        "ana@example.org", "ben@example.org"]
    assert ("changed_registration", "approve: 2 registration(s)") in audit_actions(event)


def test_rejection_with_a_reason_and_the_history_shows_who(app, setup):
    event, people, staff = setup
    client = client_for(app, staff["manager"])
    client.post(f"/manage/events/{event.public_id}/registrations/{people['ben'].public_id}/decide",
                data={"action": "reject", "reason": "Room reserved for delegations."})
    (message,) = outbox("registration-rejected")
    assert "Room reserved for delegations." in message.text_body
    page = client.get(f"/manage/events/{event.public_id}/registrations/{people['ben'].public_id}")
    assert "manager@example.org" in page.get_data(as_text=True)


def test_editing_on_someones_behalf_is_recorded(app, setup):
    event, people, staff = setup
    client = client_for(app, staff["manager"])
    path = f"/manage/events/{event.public_id}/registrations/{people['cleo'].public_id}/edit"
    assert client.post(path, data={"name": "", "attendance_mode": "online"}).status_code == 422
    client.post(path, data={"name": "Cleo M.", "attendance_mode": "online",
                            "interpretation_language": "es"})
    db.session.expire_all()
    cleo = people["cleo"]
    assert (cleo.name, cleo.interpretation_language) == ("Cleo M.", "es")
    assert cleo.changes[-1].actor == "manager@example.org"


def test_message_preview_then_send_once(app, setup):
    event, _people, staff = setup
    client = client_for(app, staff["manager"])
    path = f"/manage/events/{event.public_id}/messages?language=fr"
    form = {"subject": "Room change", "body": "We meet in Room XX.", "batch": "batch-1"}
    preview = client.post(path, data={**form, "step": "preview"}).get_data(as_text=True)
    assert "This message goes to 2 people" in preview and "Send to 2 people" in preview
    assert outbox("organiser-message") == []
    sent = client.post(path, data={**form, "step": "send"})
    client.post(path, data={**form, "step": "send"})  # a double click
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "on its way to 2 people" in page and "Waiting for the email worker (2 people)" in page
    assert outbox("organiser-message") == []  # the worker writes them
    assert messaging.write_messages() == 2
    assert sorted(m.recipient for m in outbox("organiser-message")) == [
        "ana@example.org", "cleo@example.org"]
    assert "Written to 2 people" in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_check_in_from_the_qr_link_then_undo(app, setup):
    event, people, staff = setup
    ana = people["ana"]
    ana.status = S.CONFIRMED
    db.session.commit()
    client = client_for(app, staff["check_in"])
    link = codes.checkin_url(ana).removeprefix("http://localhost")
    page = client.get(link).get_data(as_text=True)
    assert "Ana" in page and "Check in" in page
    client.post(f"/manage/events/{event.public_id}/check-in/{ana.public_id}",
                data={"action": "check_in"})
    db.session.expire_all()
    assert ana.checked_in_at is not None
    desk = client.get(f"/manage/events/{event.public_id}/check-in?q={codes.code_for(ana)}")
    assert "Undo" in desk.get_data(as_text=True)
    assert desk.headers["Permissions-Policy"].startswith("camera=(self)")
    assert desk.mimetype == "text/html"
    client.post(f"/manage/events/{event.public_id}/check-in/{ana.public_id}",
                data={"action": "undo"})
    db.session.expire_all()
    assert ana.checked_in_at is None
    assert client.get(f"/manage/events/{event.public_id}/check-in/t/forged").status_code == 404


def test_confirmation_email_carries_the_qr_pass_for_in_person_attendees(app, setup):
    _event, people, _staff = setup
    ana = people["ana"]
    ana.status = S.CONFIRMED
    db.session.commit()
    message = build_message(written(notify.status_email(ana)))
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    assert parts["check-in.png"].get_content().startswith(b"\x89PNG")
    assert codes.code_for(ana) in message.get_body(("plain",)).get_content()
    online = build_message(written(notify.status_email(people["cleo"])))
    assert "check-in.png" not in {p.get_filename() for p in online.iter_attachments()}


def test_exports_read_back_and_are_audited(app, setup):
    event, _people, staff = setup
    client = client_for(app, staff["manager"])
    response = client.get(f"/manage/events/{event.public_id}/exports/attendees.csv?language=fr")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{event.slug}-attendees.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Ana", "Cleo"]
    xlsx = client.get(f"/manage/events/{event.public_id}/exports/attendees.xlsx?column=name")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [row[0].value for row in sheet.iter_rows()] == ["Name", "Ana", "Ben", "Cleo"]
    exported = [detail for action, detail in audit_actions(event) if action == "exported_list"]
    assert exported[0].startswith("attendees.csv: 2 row(s); filter language=fr")
    assert exported[1].startswith("attendees.xlsx: 3 row(s)")


def test_viewers_get_the_brief_but_not_names_or_lists(app, setup):
    event, _people, staff = setup
    client = client_for(app, staff["viewer"])
    base = f"/manage/events/{event.public_id}/exports"
    assert client.get(f"{base}/interpretation.csv").status_code == 200
    assert client.get(f"{base}/interpretation.csv?names=1").status_code == 404
    assert client.get(f"{base}/attendees.csv").status_code == 404


def test_organiser_erasure_on_request_is_audited(app, setup):
    event, people, staff = setup
    client = client_for(app, staff["manager"])
    path = f"/manage/events/{event.public_id}/registrations/{people['cleo'].public_id}/erase"
    client.post(path, data={})
    assert db.session.get(Registration, people["cleo"].id).erased_at is None  # not ticked
    client.post(path, data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Registration, people["cleo"].id).name == ""
    assert [a for a, _d in audit_actions(event)][-1] == "erased_registration"


def test_exports_page_offers_the_speakers_time_with_the_other_lists(app, setup):
    event, _people, staff = setup
    client = client_for(app, staff["viewer"])
    page = client.get(f"/manage/events/{event.public_id}/exports").get_data(as_text=True)
    assert "speakers/report/speakers.csv" not in page  # no speakers list yet
    make_speakers_list(event)
    page = client.get(f"/manage/events/{event.public_id}/exports").get_data(as_text=True)
    assert f"/manage/events/{event.public_id}/speakers/report/speakers.csv" in page
    assert f"/manage/events/{event.public_id}/speakers/report/categories.csv" in page
