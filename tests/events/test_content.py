"""The organisers' words in a reader's language: translations, the main language as fallback, the note."""

from __future__ import annotations

from flask_babel import force_locale

from rsvp.events.content import documents_for, event_text, question_text
from rsvp.events.models import QuestionKind
from tests.factories import add_document, add_question, add_translation, make_event

SPANISH = {"title": "Derechos en riesgo: hora de actuar",
           "summary": "Un diálogo entre panelistas de la ONU y de la sociedad civil.",
           "description": "Únase a nosotros para un diálogo **apasionante**."}


def test_a_reader_of_the_main_language_gets_the_main_text(db_session):
    event = make_event(title="Rights at Risk", content_language="en")
    add_translation(event, "es", **SPANISH)
    text = event_text(event, "en")
    assert (text.title.text, text.title.language, text.title.fallback) == ("Rights at Risk", "en", False)
    assert text.note(text.title, text.summary, text.description) is None


def test_a_translation_is_shown_in_its_language(db_session):
    event = make_event(title="Rights at Risk")
    add_translation(event, "es", **SPANISH)
    text = event_text(event, "es")
    assert text.title.text == SPANISH["title"] and text.title.language == "es"
    assert text.description.text == SPANISH["description"] and not text.description.fallback
    assert text.note(text.title, text.summary, text.description) is None


def test_without_a_translation_everything_falls_back_and_the_note_says_so(db_session):
    event = make_event(title="Rights at Risk")
    add_translation(event, "es", **SPANISH)
    text = event_text(event, "fr")
    assert text.title.text == "Rights at Risk"
    assert (text.title.language, text.title.fallback) == ("en", True)
    with force_locale("fr"):
        note = text.note(text.title, text.description)
    assert note == ("Les organisateurs n'ont pas traduit cet événement en français : "
                    "son texte est affiché en anglais.")
    with force_locale("en"):
        assert text.card_note() == "Shown in English."


def test_an_empty_part_of_a_translation_falls_back_alone(db_session):
    event = make_event(title="Rights at Risk", summary="A dialogue.")
    add_translation(event, "es", title=SPANISH["title"])
    text = event_text(event, "es")
    assert not text.title.fallback
    assert (text.summary.text, text.summary.fallback) == ("A dialogue.", True)
    with force_locale("es"):
        assert text.note(text.title, text.summary) == (
            "Los organizadores no han traducido todo este evento al español: parte de su texto se muestra "
            "en inglés.")
        assert text.note(text.title) is None  # a page that shows only the title is all in Spanish
        assert text.card_note() is None


def test_an_event_written_in_spanish_falls_back_to_spanish(db_session):
    event = make_event(title="Defensoras en riesgo", content_language="es")
    add_translation(event, "en", title="Defenders at risk")
    assert event_text(event, "en").title.text == "Defenders at risk"
    fallback = event_text(event, "fr").title
    assert (fallback.text, fallback.language, fallback.fallback) == ("Defensoras en riesgo", "es", True)
    assert not event_text(event, "es").title.fallback


def test_question_wording_is_translated_and_the_stored_values_stay(db_session):
    event = make_event()
    question = add_question(
        event, "How will you follow the event?", QuestionKind.SINGLE_CHOICE, help_text="Pick one.",
        options=["In the room", "Online", "Later, on UN Web TV"],
        translations={"es": {"label": "¿Cómo seguirá el evento?", "help_text": "",
                             "options": {"In the room": "En la sala", "Online": "En línea"}}})
    text = question_text(question, "es")
    assert (text.label.text, text.label.fallback) == ("¿Cómo seguirá el evento?", False)
    assert (text.help_text.text, text.help_text.fallback) == ("Pick one.", True)
    assert [(value, shown.text, shown.fallback) for value, shown in text.options] == [
        ("In the room", "En la sala", False), ("Online", "En línea", False),
        ("Later, on UN Web TV", "Later, on UN Web TV", True)]
    assert text.option("Online") == "En línea"
    spanish = event_text(event, "es")
    with force_locale("es"):
        assert spanish.note(questions=[question]) is not None  # the hint and an option are English
    assert not any(part.fallback for part in question_text(question, "en").parts)


def test_documents_in_the_readers_language_come_first(db_session):
    event = make_event()
    flyer_en = add_document(event, "Flyer", "en", url="https://example.org/en.pdf")
    note_en = add_document(event, "Concept note", "en", url="https://example.org/note-en.pdf")
    flyer_es = add_document(event, "Folleto", "es", url="https://example.org/es.pdf")
    assert [d.id for d in documents_for(event, "es")] == [flyer_es.id, flyer_en.id, note_en.id]
    assert [d.id for d in documents_for(event, "en")] == [flyer_en.id, note_en.id, flyer_es.id]
