"""Emails and their calendar files in the registrant's language: the translation, or the main text noted."""

from __future__ import annotations

from icalendar import Calendar

from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.registrations import notify
from rsvp.speakers import notify as speakers_notify
from tests.events.test_translated_pages import spanish_event
from tests.factories import make_registration, make_speaker, make_speakers_list
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server
from tests.mail.test_delivery import parts
from tests.registrations.test_views import VALID


def calendar_entry(message):
    """The attached calendar's event, decoded as its part says (accented titles need the charset)."""
    (attachment,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert attachment.get_content_charset() == "utf-8"
    (entry,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    return entry


def test_a_spanish_registrant_gets_the_spanish_title_and_calendar(client, db_session, smtp):  # noqa: F811
    event = spanish_event()
    client.set_cookie("lang", "es")
    assert client.post(f"/events/{event.slug}/register", data=VALID).status_code == 303
    worker.send_pending()

    (message,) = smtp.inbox.to("glacier@example.org")
    assert message["Subject"] == "Inscripción confirmada: Derechos en riesgo: hora de actuar"
    text, html = parts(message)
    assert "Derechos en riesgo: hora de actuar" in text
    assert "<span>Derechos en riesgo: hora de actuar</span>" in html
    assert "Rights at Risk" not in text + html and "no han traducido" not in text
    entry = calendar_entry(message)
    assert str(entry["SUMMARY"]) == "Derechos en riesgo: hora de actuar"
    assert entry["SUMMARY"].params["LANGUAGE"] == "es"
    assert str(entry["DESCRIPTION"]).startswith("Un diálogo sobre la reacción contra los derechos.")


def test_a_french_registrant_reads_the_english_title_with_a_note(db_session, smtp):  # noqa: F811
    event = spanish_event()
    notify.status_email(make_registration(event, email="fr@example.org", language="fr"))
    db.session.commit()
    worker.send_pending()

    (message,) = smtp.inbox.to("fr@example.org")
    assert message["Subject"] == "Inscription confirmée : Rights at Risk: Time for Action"
    text, html = parts(message)
    text = text.replace("\r\n", "\n")
    note = ("Les organisateurs n'ont pas traduit cet événement en français : son texte est affiché en "
            "anglais.")
    assert f"Rights at Risk: Time for Action\n{note}\n" in text
    assert '<span lang="en">Rights at Risk: Time for Action</span>' in html
    assert note.replace("'", "&#39;") in html
    entry = calendar_entry(message)
    assert str(entry["SUMMARY"]) == "Rights at Risk: Time for Action"


def test_a_speaker_is_told_in_their_language(db_session, smtp):  # noqa: F811
    event = spanish_event()
    make_speakers_list(event)  # a speaker is inscribed on one of the event's lists
    speaker = make_speaker(event, email="delegate@example.org", email_language="es")
    speakers_notify.inscribed(speaker)
    db.session.commit()
    worker.send_pending()

    (message,) = smtp.inbox.to("delegate@example.org")
    assert "Derechos en riesgo: hora de actuar" in message["Subject"]
    text, _html = parts(message)
    assert "Derechos en riesgo: hora de actuar" in text and "Rights at Risk" not in text
