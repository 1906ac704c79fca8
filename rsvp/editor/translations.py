"""An event's translations as organisers edit them: its title, summary, description and questions'
wording in each interface language other than the one it is written in (rsvp.events.content reads
them for visitors).

Functions flush, never commit, and raise EditorError subclasses; each saved change writes one audit
entry, without anyone's personal data.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from rsvp.editor.services import EditorError
from rsvp.events.content import phrases_of, translation_in
from rsvp.events.models import Event, EventTranslation, Question
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction


class NotTranslatable(EditorError):
    """Not a language the event can be translated into: its own, or one pages are not offered in."""


class Coverage(enum.StrEnum):
    NONE = "none"
    PART = "part"
    COMPLETE = "complete"


@dataclass
class QuestionWording:
    """A question's label, hint and choices in one language; empty means "as in the main language"."""

    label: str = ""
    help_text: str = ""
    #: The main language's option -> its wording in this language.
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Translation:
    title: str
    summary: str = ""
    description: str = ""
    #: By question id; a question left out keeps no wording in this language.
    questions: dict[int, QuestionWording] = field(default_factory=dict)
    #: The shorter texts (rsvp.events.content.phrases_of): main-language text -> its wording here.
    phrases: dict[str, str] = field(default_factory=dict)


def languages_for(event: Event) -> list[str]:
    """The interface languages ``event`` may be translated into, in the order pages offer them."""
    return [code for code in current_app.config["LANGUAGES"] if code != event.content_language]


def _check(event: Event, language: str) -> None:
    if language not in languages_for(event):
        raise NotTranslatable(language)


def wording_of(question: Question, language: str) -> QuestionWording:
    stored = (question.translations or {}).get(language) or {}
    return QuestionWording(stored.get("label", ""), stored.get("help_text", ""),
                           dict(stored.get("options", {})))


def _stored(question: Question, wording: QuestionWording) -> dict[str, Any]:
    """What Question.translations keeps for one language: only the non-empty wording of parts the
    question has (an option since removed from the question is forgotten)."""
    stored: dict[str, Any] = {}
    if wording.label.strip():
        stored["label"] = wording.label.strip()
    if wording.help_text.strip() and question.help_text:
        stored["help_text"] = wording.help_text.strip()
    options = {value: text.strip() for value, text in wording.options.items()
               if value in question.options and text.strip()}
    if options:
        stored["options"] = options
    return stored


def _set_wording(question: Question, language: str, stored: dict[str, Any]) -> bool:
    """Replace the question's wording in ``language``; whether it changed. JSON columns change only
    by assignment, so the dictionary is built anew."""
    current = question.translations or {}
    if current.get(language, {}) == stored:
        return False
    question.translations = {**{k: v for k, v in current.items() if k != language},
                             **({language: stored} if stored else {})}
    return True


def save_translation(event: Event, language: str, translation: Translation, questions: list[Question],
                     actor: str) -> list[str]:
    """Add or change ``event``'s words in ``language``; ``questions`` are the event's own.

    :returns: what changed, as the audit log says it (empty when nothing did).
    :raises NotTranslatable: ``language`` is the event's own or not an interface language.
    """
    _check(event, language)
    row = translation_in(event, language)
    # Only texts the event has: one the organisers changed or removed meanwhile is forgotten.
    phrases = {text: translation.phrases[text].strip() for text in phrases_of(event)
               if translation.phrases.get(text, "").strip()}
    values = {"title": translation.title.strip(), "summary": translation.summary.strip(),
              "description": translation.description, "phrases": phrases}
    if row is None:
        event.translations.append(EventTranslation(language=language, **values))
        changed = ["added"]
    else:
        changed = [name for name, value in values.items() if (getattr(row, name) or {} if name == "phrases"
                                                              else getattr(row, name)) != value]
        for name in changed:
            setattr(row, name, values[name])
    worded = sum(_set_wording(q, language, _stored(q, translation.questions.get(q.id, QuestionWording())))
                 for q in questions)
    if worded:
        changed.append(f"{worded} question(s)")
    db.session.flush()
    if changed:
        audit.record(event, actor, AuditAction.CHANGED_EVENT,
                     f"translation into {language}: " + ", ".join(changed))
    return changed


def remove_translation(event: Event, language: str, questions: list[Question], actor: str) -> bool:
    """Remove ``event``'s words in ``language``, its questions' wording included; visitors who read
    it see the main language again. Returns whether there was a translation to remove."""
    row = translation_in(event, language)
    if row is None:
        return False
    event.translations.remove(row)
    for question in questions:
        _set_wording(question, language, {})
    db.session.flush()
    audit.record(event, actor, AuditAction.CHANGED_EVENT, f"translation into {language}: removed")
    return True


def coverage(event: Event, questions: list[Question]) -> dict[str, Coverage]:
    """How far each language the event may be translated into is: not at all, in part, complete
    (every non-empty text of the main language has its wording)."""
    result = {}
    for language in languages_for(event):
        row = translation_in(event, language)
        if row is None:
            result[language] = Coverage.NONE
            continue
        wanted = [(event.summary, row.summary), (event.description, row.description)]
        wanted += [(text, (row.phrases or {}).get(text, "")) for text in phrases_of(event, documents=False)]
        for question in questions:
            wording = wording_of(question, language)
            wanted += [(question.label, wording.label), (question.help_text, wording.help_text)]
            wanted += [(value, wording.options.get(value, "")) for value in question.options]
        complete = all(done.strip() for main, done in wanted if main.strip())
        result[language] = Coverage.COMPLETE if complete else Coverage.PART
    return result
