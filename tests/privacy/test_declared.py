"""Personal data declared once (rsvp.personal): every column says whether it holds some, and every
erasure — on request through the manage link, by an organiser, by the retention purge — leaves no
trace of what the declared columns held anywhere in the database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp import tokens
from rsvp.auth.models import Role
from rsvp.events.models import EventFormat, QuestionKind
from rsvp.extensions import db
from rsvp.jobs import purge
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage
from rsvp.personal import Erase, Personal, declaration, not_personal, personal, personal_columns
from rsvp.registrations import codes, notify, tracking
from rsvp.registrations.models import Registration, RegistrationChange, RegistrationStatus
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import add_question, grant_role, make_event, make_organiser, make_registration
from tests.privacy.test_retention import every_text_in_the_database
from tests.served.client import forms_in

MARKER = "zq7marker"


def checked_columns(metadata: sa.MetaData) -> list[sa.Column]:
    """Every column that could hold someone's words, dates or files (statuses are enums)."""
    return [column for table in metadata.sorted_tables for column in table.columns
            if isinstance(column.type, sa.String | sa.Text | sa.JSON | sa.Date | sa.LargeBinary)
            and not isinstance(column.type, sa.Enum)]


def test_every_column_says_whether_it_holds_personal_data():
    undeclared = []
    for column in checked_columns(db.metadata):
        try:
            declared = declaration(column)
        except KeyError as error:
            undeclared.append(str(error))
            continue
        assert declared is None or isinstance(declared, Personal)
    assert undeclared == []


def test_a_column_added_without_a_declaration_fails():
    metadata = sa.MetaData()
    sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("said", sa.Text, info=not_personal("test")),
             sa.Column("about_whom", sa.String(100)))
    with pytest.raises(KeyError, match="notes.about_whom"):
        for column in checked_columns(metadata):
            declaration(column)
    with pytest.raises(ValueError):
        personal(Erase.KEEP)  # a column kept at erasure says why


def registrant_with_a_marker_everywhere(client, event) -> Registration:
    """Someone who registers through the form typing the marker into every field that takes text.

    The fields come from the page, not from the declarations: a column wrongly declared not
    personal keeps the marker and the scan finds it.
    """
    add_question(event, "Your story", QuestionKind.LONG_TEXT)
    add_question(event, "Where do you work?", QuestionKind.SHORT_TEXT, personal_data=False)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    (form,) = [f for f in forms_in(page) if f.action.endswith("/register")]
    data = {}
    for name in form.values:
        kind = re.search(rf'<(input|textarea|select)[^>]*name="{name}"[^>]*', page)
        tag = kind.group(0) if kind else ""
        if name in ("website", "csrf_token", "timezone"):
            continue  # the honeypot stays empty; the others are the page's own
        if tag.startswith("<textarea") or 'type="text"' in tag:
            data[name] = f"{MARKER} {name}"
        elif 'type="email"' in tag:
            data[name] = f"{MARKER}@example.org"
        elif 'type="date"' in tag:
            data[name] = "1984-05-06"
    options = {"organisation_type": "ngo", "country": "CO", "nationality": "CO",
               "attendance_mode": "in_person", "interpretation_language": "es",
               "has_grounds_pass": "no", "consent": "y", "timezone": "Europe/Zurich"}
    response = client.post(f"/events/{event.slug}/register", data={**data, **options})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert len(data) >= 9, data  # name, email, organisation, needs, two answers, three pass fields
    person = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    # An organiser's note naming them in the history, and an email naming them in the outbox.
    db.session.add(RegistrationChange(registration=person, to_status=RegistrationStatus.CONFIRMED,
                                      actor="owner@example.org", note=f"{MARKER} vouched for"))
    notify.status_email(person)
    db.session.commit()
    assert MARKER in every_text_in_the_database()
    return person


def assert_no_trace(before: str) -> None:
    text = every_text_in_the_database()
    assert MARKER not in text and "1984-05-06" not in text, before


def deletion_record(event) -> tuple[str, str]:
    """The erasure's record in the event's audit log (the scan above found no one's data in it)."""
    from rsvp.privacy.models import AuditAction, AuditEntry

    (entry,) = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.event_id == event.id, AuditEntry.action == AuditAction.ERASED_REGISTRATION))
    return entry.actor, entry.detail


@pytest.fixture
def event(db_session):
    return make_event(format=EventFormat.HYBRID, grounds_pass_required=True,
                      capacity_in_person=10)


def test_erasing_through_the_manage_link_leaves_no_trace_once_the_receipt_is_sent(app, client, event,
                                                                                  smtp):
    person = registrant_with_a_marker_everywhere(client, event)
    code = codes.code_for(person)
    token = tokens.sign("manage-registration", [person.public_id, person.token_version])
    assert client.post(f"/r/{token}/erase", data={"confirm": "y"}).status_code == 200
    # The receipt is the one thing still addressed to them, until it leaves.
    waiting = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient_hash == digest(f"{MARKER}@example.org"))).all()
    assert [m.kind for m in waiting] == ["registration-erased"]
    worker.send_pending()
    (receipt,) = smtp.inbox.to(f"{MARKER}@example.org")
    assert receipt["Subject"] == "Your registration data is erased"
    text = receipt.get_body(("plain",)).get_content()
    assert code in text and event.title in text and MARKER not in text.replace(
        f"{MARKER}@example.org", "")
    assert_no_trace("through the manage link, the receipt sent")
    actor, detail = deletion_record(event)
    assert actor == "attendee" and "at the attendee's request" in detail
    db.session.expire_all()
    assert person.status is RegistrationStatus.CANCELLED and person.erased_at  # the row stays


def test_erasing_by_an_organiser_leaves_no_trace(app, client, event):
    person = registrant_with_a_marker_everywhere(client, event)
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    response = client.post(f"/manage/events/{event.public_id}/registrations/{person.public_id}/erase",
                           data={"confirm": "yes"})
    assert response.status_code == 303
    assert_no_trace("by an organiser")
    assert deletion_record(event)[0] == organiser.email


def test_the_purge_leaves_no_trace(client, event):
    registrant_with_a_marker_everywhere(client, event)
    event.starts_at = now_utc() - timedelta(days=60)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    before = tracking.dashboard(event).languages
    purge(now_utc())
    db.session.commit()
    assert_no_trace("by the purge")
    actor, detail = deletion_record(event)
    assert actor == "system" and "days after the event (retention)" in detail
    assert tracking.dashboard(event).languages == before  # the demand still counts them
    kept = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert (kept.country, kept.accessibility_needs) == ("CO", "(erased)")  # as declared


def test_the_data_download_holds_every_declared_column(client, event):
    """What an attendee downloads from their manage page is read from the declarations too."""
    person = registrant_with_a_marker_everywhere(client, event)
    token = tokens.sign("manage-registration", [person.public_id, person.token_version])
    data = client.get(f"/r/{token}/data.json").get_json()["registration"]
    for column in personal_columns(Registration.__table__):
        assert column.key in data, column.key
    assert data["passport_name"] == f"{MARKER} passport_name"
    assert data["date_of_birth"] == "1984-05-06"
    assert data["answers"] == {"Your story": f"{MARKER} question_{question_keys(event)[0]}",
                               "Where do you work?": f"{MARKER} question_{question_keys(event)[1]}"}


def question_keys(event) -> list[str]:
    from rsvp.events.questions import questions_for

    return [q.key for q in questions_for(event)]


def test_an_unconfirmed_registration_erased_by_rule_leaves_its_record(event):
    from rsvp.registrations.selfservice import expire_unconfirmed

    make_registration(event, status=RegistrationStatus.PENDING_EMAIL, name=f"{MARKER} never came",
                      created_at=now_utc() - timedelta(hours=50))
    assert expire_unconfirmed(now_utc(), 48) == 1
    db.session.commit()
    assert_no_trace("by the confirmation rule")
    actor, detail = deletion_record(event)
    assert actor == "system" and "not confirmed within 48 hours" in detail


def test_a_receipt_the_server_refuses_is_forgotten_all_the_same(client, event, smtp):
    person = registrant_with_a_marker_everywhere(client, event)
    token = tokens.sign("manage-registration", [person.public_id, person.token_version])
    assert client.post(f"/r/{token}/erase", data={"confirm": "y"}).status_code == 200
    smtp.inbox.reply = "550 No such mailbox"
    assert worker.send_pending().failed == 1
    receipt = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "registration-erased"))
    assert (receipt.status.value, receipt.recipient, receipt.text_body) == ("failed", "", "")
    assert_no_trace("the receipt refused")


def test_the_audit_log_says_who_erased_in_the_organisers_language(app, client, event):
    person = make_registration(event)
    token = tokens.sign("manage-registration", [person.public_id, person.token_version])
    assert client.post(f"/r/{token}/erase", data={"confirm": "y"}).status_code == 200
    owner = make_organiser()
    grant_role(event, owner, Role.OWNER)
    log_in(client, owner.email)
    page = client.get(f"/manage/events/{event.public_id}/audit").get_data(as_text=True)
    assert "<td>The attendee, through their link</td>" in page
    assert "<td>Erased a person's data</td>" in page
