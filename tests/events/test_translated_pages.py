"""Public pages in the visitor's language: the organisers' translation, or their main text, marked."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from icalendar import Calendar

from rsvp.events.models import QuestionKind
from rsvp.registrations.models import Registration
from rsvp.registrations.notify import manage_url
from tests.factories import (
    add_document,
    add_question,
    add_translation,
    make_event,
    make_registration,
    make_speakers_list,
)
from tests.registrations.test_views import VALID

FRENCH_NOTE = "Les organisateurs n&#39;ont pas traduit cet événement en français"


def page(client, path: str, lang: str) -> str:
    client.set_cookie("lang", lang)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def spanish_event():
    event = make_event(title="Rights at Risk: Time for Action", summary="A dialogue on backlash.",
                       description="Join us for an **exciting** dialogue.")
    add_translation(event, "es", title="Derechos en riesgo: hora de actuar",
                    summary="Un diálogo sobre la reacción contra los derechos.",
                    description="Únase a nosotros para un diálogo **apasionante**.")
    return event


def test_a_spanish_visitor_reads_the_spanish_event_page(client, db_session):
    event = spanish_event()
    add_document(event, "Flyer", "en", url="https://example.org/flyer-en.pdf")
    add_document(event, "Folleto", "es", url="https://example.org/flyer-es.pdf")
    html = page(client, f"/events/{event.slug}", "es")
    assert '<h1 dir="auto">Derechos en riesgo: hora de actuar</h1>' in html
    assert "<title>Derechos en riesgo: hora de actuar" in html
    assert "Únase a nosotros para un diálogo <strong>apasionante</strong>." in html
    assert "Rights at Risk" not in html and "exciting" not in html
    assert "no han traducido" not in html  # nothing to say: it is all in Spanish
    assert html.index("Folleto") < html.index("Flyer")  # the visitor's language first


def test_a_french_visitor_reads_the_english_text_marked_and_noted(client, db_session):
    event = spanish_event()
    html = page(client, f"/events/{event.slug}", "fr")
    assert '<h1 dir="auto" lang="en">Rights at Risk: Time for Action</h1>' in html
    assert '<div class="prose" dir="auto" lang="en"><p>Join us for an <strong>exciting</strong>' in html
    assert FRENCH_NOTE in html and "son texte est affiché en anglais." in html
    assert '<html lang="fr"' in html


def test_an_english_visitor_of_an_english_event_sees_no_note(client, db_session):
    event = spanish_event()
    html = page(client, f"/events/{event.slug}", "en")
    assert '<h1 dir="auto">Rights at Risk: Time for Action</h1>' in html
    assert 'class="content-note"' not in html


def test_the_listing_shows_each_event_in_the_visitors_language(client, db_session):
    translated, english_only = spanish_event(), make_event(title="Voices of Uyghur camp survivors")
    html = page(client, "/", "es")
    card = html[html.index(f'href="/events/{translated.slug}"') - 200:]
    assert "Derechos en riesgo: hora de actuar" in card and "Un diálogo sobre la reacción" in card
    assert f'<h2 dir="auto" lang="en"><a href="/events/{english_only.slug}">Voices of Uyghur' in html
    assert html.count("Se muestra en inglés.") >= 1


def test_the_register_form_asks_translated_questions_and_stores_the_main_value(client, db_session):
    event = spanish_event()
    question = add_question(
        event, "How will you follow the event?", QuestionKind.SINGLE_CHOICE, required=True,
        options=["In the room", "Online"],
        translations={"es": {"label": "¿Cómo seguirá el evento?", "help_text": "",
                             "options": {"In the room": "En la sala", "Online": "En línea"}}})
    html = page(client, f"/events/{event.slug}/register", "es")
    assert "<legend>¿Cómo seguirá el evento?</legend>" in html
    assert re.search(r'value="In the room"> <label for="[^"]+">En la sala</label>', html)
    assert "How will you follow" not in html and "no han traducido" not in html
    response = client.post(f"/events/{event.slug}/register",
                           data={**VALID, f"question_{question.id}": "In the room"})
    assert response.status_code == 303
    stored = db_session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert stored.answers == {str(question.id): "In the room"}  # counts and exports stay in one language
    assert stored.language == "es"


def test_an_untranslated_question_is_marked_and_noted(client, db_session):
    event = spanish_event()
    add_question(event, "Your delegation?")
    html = page(client, f"/events/{event.slug}/register", "es")
    assert re.search(r'<label for="[^"]+"><span lang="en" dir="auto">Your delegation\?</span></label>', html)
    assert "parte de su texto se muestra en inglés." in html


def test_the_manage_page_shows_questions_and_answers_in_the_visitors_language(client, db_session):
    event = spanish_event()
    question = add_question(event, "How will you follow the event?", QuestionKind.SINGLE_CHOICE,
                            options=["In the room", "Online"],
                            translations={"es": {"label": "¿Cómo seguirá el evento?",
                                                 "options": {"In the room": "En la sala"}}})
    registration = make_registration(event, answers={str(question.id): "In the room"}, language="es")
    html = page(client, urlsplit(manage_url(registration)).path, "es")
    assert '<span class="subtitle" dir="auto">Derechos en riesgo: hora de actuar</span>' in html
    assert '<dt dir="auto">¿Cómo seguirá el evento?</dt><dd>En la sala</dd>' in html


def test_the_other_public_pages_carry_the_translated_title(client, db_session):
    event = spanish_event()
    make_speakers_list(event)
    for path in (f"/events/{event.slug}/speakers", f"/events/{event.slug}/speakers/live"):
        html = page(client, path, "es")
        assert '<span class="subtitle" dir="auto">Derechos en riesgo: hora de actuar</span>' in html, path
        french = page(client, path, "fr")
        assert ('<span class="subtitle" dir="auto" lang="en">Rights at Risk: Time for Action</span>'
                in french), path
        assert FRENCH_NOTE in french, path


def test_the_public_calendar_file_is_in_the_visitors_language(client, db_session):
    event = spanish_event()
    client.set_cookie("lang", "es")
    calendar = Calendar.from_ical(client.get(f"/events/{event.slug}/event.ics").data)
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Derechos en riesgo: hora de actuar"
    assert entry["SUMMARY"].params["LANGUAGE"] == "es"
    assert str(entry["DESCRIPTION"]).startswith("Un diálogo sobre la reacción")
    client.set_cookie("lang", "fr")
    calendar = Calendar.from_ical(client.get(f"/events/{event.slug}/event.ics").data)
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Rights at Risk: Time for Action"
    assert entry["SUMMARY"].params["LANGUAGE"] == "en"
