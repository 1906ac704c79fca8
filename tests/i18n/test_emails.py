"""Every email in its recipient's language: the one they registered in, reminders included."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from rsvp import ROOT
from rsvp.auth import services as auth
from rsvp.editor import services as editor
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import messaging, notify, reminders
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.speakers import notify as speakers_notify
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration, make_speaker, make_speakers_list, written
from tests.i18n.conftest import english_leftovers

REGISTER = {"name": "Glacier Kwong", "email": "glacier@example.org", "organisation": "Keep Hong Kong Free",
            "organisation_type": "ngo", "country": "DE", "attendance_mode": "online", "consent": "y"}


def a_monday_ahead(days: int) -> datetime:
    soon = now_utc().replace(hour=13, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return soon + timedelta(days=(7 - soon.weekday()) % 7)


def test_a_registration_in_french_gets_its_emails_in_french(app, client, db_session, smtp):
    starts = a_monday_ahead(7)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=1), reminder_offsets=[1440])
    client.set_cookie("lang", "fr")
    assert client.post(f"/events/{event.slug}/register", data=REGISTER).status_code == 303
    registration = db_session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert registration.language == "fr"
    reminders.enqueue_due_reminders(starts - timedelta(hours=23))
    db.session.commit()
    worker.send_pending(starts - timedelta(hours=23))

    confirmed, reminder = smtp.inbox.to("glacier@example.org")
    assert confirmed["Subject"] == f"Inscription confirmée : {event.title}"
    text = confirmed.get_body(("plain",)).get_content()
    assert "Bonjour Glacier Kwong," in text and "lundi" in text
    assert reminder["Subject"].startswith(f"Rappel : {event.title} commence dans ")
    body = reminder.get_body(("html",)).get_content()
    assert "Ceci est un rappel" in body and "lundi" in body
    assert english_leftovers(text + body, "fr") == []


def test_each_registrant_reads_an_event_change_in_their_own_language(app, db_session, smtp):
    starts = a_monday_ahead(7)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=1))
    make_registration(event, email="en@example.org", language="en")
    make_registration(event, email="fr@example.org", language="fr")
    later = starts + timedelta(days=1)  # a Tuesday
    editor.update_logistics(event, starts_at=later, ends_at=later + timedelta(hours=1),
                            venue="Room XXIV", join_url=None)
    db.session.commit()
    assert messaging.write_messages() == 2  # the worker writes each notice in its reader's language
    worker.send_pending()
    (english,) = smtp.inbox.to("en@example.org")
    (french,) = smtp.inbox.to("fr@example.org")
    assert "New time: Tuesday" in english.get_body(("plain",)).get_content()
    assert "Nouvel horaire : mardi" in french.get_body(("plain",)).get_content()
    assert "Nouveau lieu : Room XXIV" in french.get_body(("plain",)).get_content()


def every_email(lang: str) -> list[OutboxMessage]:
    """Queue each kind of email there is for someone who uses ``lang``; returns them all."""
    starts = a_monday_ahead(7)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=1), reminder_offsets=[60],
                       venue="Room XXIV", interpretation_languages=["fr"], caption_languages=["en"])
    person = make_registration(event, language=lang, created_at=starts - timedelta(days=3))
    confirmed = RegistrationStatus.CONFIRMED
    for status, name in [(confirmed, None), (confirmed, "registration-approved"),
                         (confirmed, "registration-promoted"), (RegistrationStatus.WAITLISTED, None),
                         (RegistrationStatus.PENDING_APPROVAL, None), (RegistrationStatus.CANCELLED, None),
                         (RegistrationStatus.REJECTED, None)]:
        person.status = status
        notify.status_email(person, name, reason="Full room")
    person.status = RegistrationStatus.CONFIRMED
    notify.confirm_email_request(person)
    notify.links_email(person.email, [person], dedupe_key=f"links-{lang}")
    notify.erasure_receipt(make_registration(event, language=lang), starts)
    reminders.enqueue_due_reminders(starts - timedelta(minutes=30))
    editor.update_logistics(event, starts_at=starts, ends_at=starts + timedelta(hours=2),
                            venue="Room XX", join_url="https://meet.example.org/room")
    messaging.write_messages()  # the worker writes the change notices
    notify.cancellation(person, "—", f"cancelled-{lang}")
    notify.postponement(person, "—", f"postponed-{lang}")
    notify.follow_up(person, "—", "—", "https://video.example.org/1", "https://docs.example.org/1",
                     f"follow-up-{lang}")
    messaging.render(event, person, messaging.Draft(subject="Room", body="See you.", batch=lang))
    other = make_event(floor_language="en")
    make_speakers_list(other)
    speaker = make_speaker(other, email_language=lang)
    speakers_notify.inscribed(speaker)
    speakers_notify.withdrawn(speaker)
    auth.create_organiser(f"organiser-{lang}@example.org", "Ana", invited_by=auth.create_organiser(
        "admin@example.org", "Admin", is_admin=True), lang=lang)
    auth.request_password_reset(f"organiser-{lang}@example.org", lang=lang)
    db.session.flush()
    return [written(m) for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def test_every_email_in_each_language(db_session, lang):
    messages = every_email(lang)
    kinds = {m.kind for m in messages}
    assert kinds == {path.name for path in (ROOT / "templates" / "mail").iterdir() if path.is_dir()}
    for message in messages:
        whole = f"{message.subject}\n{message.text_body}\n{message.html_body}"
        assert english_leftovers(whole, lang) == [], message.kind
        direction = "rtl" if lang in current_app.config["RTL_LANGUAGES"] else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in message.html_body, message.kind
