"""The translations' services: add, change, remove, what each language covers, clone, the main language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.editor import lists, translations
from rsvp.editor import services as editor
from rsvp.events.content import event_text, question_text
from rsvp.events.models import EventTranslation, QuestionKind
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from tests.events.test_editor import details_of
from tests.factories import add_question, add_translation, grant_role, make_event, make_organiser

Coverage = translations.Coverage


def audit_details(event) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.event_id == event.id)
                                   .order_by(AuditEntry.id)))


def panel_question(event):
    return add_question(event, "Which panel will you attend?", QuestionKind.SINGLE_CHOICE,
                        help_text="Both are in Room XXIV.", options=["Morning", "Afternoon"])


def spanish(questions: dict | None = None) -> translations.Translation:
    return translations.Translation(
        title="Derechos en riesgo", summary="Un diálogo.", description="Únase a **nosotros**.",
        questions=questions or {})


def test_adding_a_translation_stores_the_words_and_the_questions_wording(db_session):
    event = make_event(summary="A dialogue.")
    question = panel_question(event)
    wording = translations.QuestionWording("¿A qué panel asistirá?", "Ambos en la sala XXIV.",
                                           {"Morning": "Mañana", "Afternoon": ""})
    changed = translations.save_translation(event, "es", spanish({question.id: wording}), [question],
                                            "ana@example.org")
    assert changed == ["added", "1 question(s)"]
    assert event_text(event, "es").title.text == "Derechos en riesgo"
    assert question.translations == {"es": {"label": "¿A qué panel asistirá?",
                                            "help_text": "Ambos en la sala XXIV.",
                                            "options": {"Morning": "Mañana"}}}
    text = question_text(question, "es")
    assert [shown.text for _value, shown in text.options] == ["Mañana", "Afternoon"]
    assert audit_details(event) == ["translation into es: added, 1 question(s)"]


def test_changing_a_translation_records_what_changed_and_nothing_when_nothing_did(db_session):
    event = make_event()
    translations.save_translation(event, "es", spanish(), [], "ana@example.org")
    assert translations.save_translation(event, "es", spanish(), [], "ana@example.org") == []
    changed = translations.save_translation(
        event, "es", translations.Translation("Derechos en riesgo", "Un diálogo.", "Nuevo texto."), [],
        "ana@example.org")
    assert changed == ["description"]
    assert audit_details(event)[-1] == "translation into es: description"
    assert len(event.translations) == 1


def test_the_main_language_and_languages_not_offered_cannot_be_translated_into(db_session):
    event = make_event(content_language="en")
    assert translations.languages_for(event) == ["fr", "es", "pt", "ru", "zh", "ar"]
    for language in ("en", "de", ""):
        with pytest.raises(translations.NotTranslatable):
            translations.save_translation(event, language, spanish(), [], "ana@example.org")


def test_removing_a_translation_removes_its_questions_wording_too(db_session):
    event = make_event()
    question = panel_question(event)
    wording = {question.id: translations.QuestionWording(label="¿Qué panel?")}
    translations.save_translation(event, "es", spanish(), [question], "ana@example.org")
    translations.save_translation(event, "es", translations.Translation("Derechos", questions=wording),
                                  [question], "ana@example.org")
    translations.save_translation(event, "fr", translations.Translation(
        "Droits", questions={question.id: translations.QuestionWording(label="Quel panel ?")}),
        [question], "ana@example.org")
    assert translations.remove_translation(event, "es", [question], "ana@example.org")
    db.session.expire_all()
    assert [t.language for t in event.translations] == ["fr"]
    assert question.translations == {"fr": {"label": "Quel panel ?"}}
    assert not translations.remove_translation(event, "es", [question], "ana@example.org")
    assert audit_details(event)[-1] == "translation into es: removed"


def test_a_choice_removed_from_the_question_loses_its_wording(db_session):
    event = make_event()
    question = panel_question(event)
    translations.save_translation(event, "es", translations.Translation("Derechos", questions={
        question.id: translations.QuestionWording(options={"Morning": "Mañana", "Evening": "Noche"})}),
        [question], "ana@example.org")
    assert question.translations["es"] == {"options": {"Morning": "Mañana"}}


def test_coverage_says_which_languages_are_complete_in_part_or_missing(db_session):
    event = make_event(summary="A dialogue.", description="Join us.")
    question = panel_question(event)
    full = translations.QuestionWording("¿Qué panel?", "Ambos en la sala XXIV.",
                                        {"Morning": "Mañana", "Afternoon": "Tarde"})
    translations.save_translation(event, "es", translations.Translation(
        "Derechos", "Un diálogo.", "Únase.", {question.id: full}), [question], "ana@example.org")
    translations.save_translation(event, "fr", translations.Translation("Droits en danger"), [question],
                                  "ana@example.org")
    coverage = translations.coverage(event, [question])
    assert (coverage["es"], coverage["fr"], coverage["pt"]) == (Coverage.COMPLETE, Coverage.PART,
                                                                 Coverage.NONE)


def test_the_main_language_cannot_become_a_translated_one(db_session):
    event = make_event(content_language="en")
    add_translation(event, "es", "Derechos en riesgo")
    with pytest.raises(editor.TranslatedAlready):
        editor.update_event(event, details_of(event, content_language="es"), "ana@example.org")
    assert editor.update_event(event, details_of(event, content_language="fr"), "ana@example.org") == [
        "content_language"]
    assert event_text(event, "en").title.fallback  # English readers now see the French-language main text


def test_a_copy_keeps_the_translations(db_session):
    event = make_event()
    question = panel_question(event)
    translations.save_translation(event, "es", translations.Translation("Derechos", questions={
        question.id: translations.QuestionWording(label="¿Qué panel?")}), [question], "ana@example.org")
    organiser = make_organiser(is_admin=True)
    grant_role(event, organiser, Role.OWNER)
    copy = editor.clone(event, organiser)
    (copied,) = lists.questions_of(copy)
    assert [(t.language, t.title) for t in copy.translations] == [("es", "Derechos")]
    assert copied.translations == {"es": {"label": "¿Qué panel?"}}
    copied.translations["es"]["label"] = "changed in memory only"
    assert question.translations == {"es": {"label": "¿Qué panel?"}}  # each event owns its own
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventTranslation)) == 2
