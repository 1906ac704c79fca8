"""Organisers' messages written in each language: each person reads their own, or the main one;
read back from a real SMTP server."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.registrations import messaging
from rsvp.registrations.models import MessageJob
from rsvp.registrations.tracking import AttendeeFilter
from tests.auth.conftest import log_in
from tests.factories import add_translation, grant_role, make_event, make_organiser, make_registration
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server

FRENCH = messaging.Draft(
    subject="Change of room", body="We move to Room XX.\n\nSee you there.", batch="lang-1",
    translations={"fr": ("Changement de salle", "Nous allons en salle XX.\n\nÀ bientôt."),
                  "es": ("", "")})


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def manager_client(app, event, **registration):
    """A test client logged in as a manager of ``event``, which has one registrant."""
    make_registration(event, **registration)
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    db.session.commit()
    client = app.test_client()
    log_in(client, manager.email)
    return client


def test_a_reader_gets_their_language_or_the_main_one():
    assert FRENCH.text_for("fr") == ("Changement de salle", "Nous allons en salle XX.\n\nÀ bientôt.")
    assert FRENCH.text_for("es") == FRENCH.text_for("en") == ("Change of room", FRENCH.body)
    only_body = messaging.Draft("Subject", "Body", "b", {"ru": ("", "Текст")})
    assert only_body.text_for("ru") == ("Subject", "Текст")  # no subject written: the main one
    assert only_body.stored_translations() == {"ru": {"subject": "", "body": "Текст"}}


def test_each_registrant_receives_the_message_in_their_own_language(db_session, smtp):  # noqa: F811
    event = make_event(title="Événement sur les droits des Ouïghours", capacity_online=10)
    add_translation(event, "fr", "Événement sur les droits des Ouïghours")
    make_registration(event, email="fr@example.org", language="fr")
    make_registration(event, email="en@example.org", language="en")
    make_registration(event, email="es@example.org", language="es")
    job = messaging.send(event, AttendeeFilter(), FRENCH, "owner@example.org")
    assert job.translations == {"fr": {"subject": "Changement de salle",
                                       "body": "Nous allons en salle XX.\n\nÀ bientôt."}}
    db.session.commit()
    messaging.write_messages()
    worker.send_pending()
    (french,) = smtp.inbox.to("fr@example.org")
    (english,) = smtp.inbox.to("en@example.org")
    (spanish,) = smtp.inbox.to("es@example.org")
    assert french["Subject"] == "Changement de salle"
    assert "Nous allons en salle XX." in plain(french) and "Room XX" not in plain(french)
    # The sign-off reads as French: no "Les organisateurs de Événement".
    assert "Les organisateurs de l’événement « Événement sur les droits des Ouïghours »" in plain(french)
    assert "organisateurs de Événement" not in plain(french)
    assert english["Subject"] == spanish["Subject"] == "Change of room"
    assert "We move to Room XX." in plain(spanish)  # no Spanish text: the main language's
    assert "Estimado" in plain(spanish) or "Estimada" in plain(spanish)  # greeting in Spanish


def test_the_messages_page_takes_each_language_and_keeps_what_was_typed(app, db_session):
    event = make_event(capacity_online=10)
    client = manager_client(app, event, language="fr")
    url = f"/manage/events/{event.public_id}/messages"
    page = client.get(url).get_data(as_text=True)
    assert "Subject in French" in page and "1 person reads it" in page
    missing = client.post(url, data={"subject": "", "body": "", "subject_fr": "Salle",
                                     "body_fr": "Nous changeons de salle.", "batch": "v1",
                                     "step": "preview"})
    assert missing.status_code == 422
    assert "Nous changeons de salle." in missing.get_data(as_text=True)  # nothing typed is lost
    data = {"subject": "Room", "body": "We move.", "subject_fr": "Salle",
            "body_fr": "Nous changeons de salle.", "batch": "v1"}
    preview = client.post(url, data={**data, "step": "preview"}).get_data(as_text=True)
    assert "Nous changeons de salle." in preview and "We move." in preview
    assert client.post(url, data={**data, "step": "send"}).status_code == 303
    job = db.session.scalar(sa.select(MessageJob))
    assert job.subject == "Room" and job.translations["fr"] == {
        "subject": "Salle", "body": "Nous changeons de salle."}
