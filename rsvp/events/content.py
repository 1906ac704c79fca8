"""What a reader sees of an event's own words: the translation into their language, or the main text.

Organisers write an event in its main language (Event.content_language) and may translate its
title, summary and description (EventTranslation), its shorter texts (EventTranslation.phrases:
programme headings, affiliations, partners, venue, document titles, contact) and its questions
(Question.translations) into the other interface languages. Each piece a page or an email shows
comes back as a ``Shown``: the text, the language it is written in, and whether it fell back to
the main language because the reader's has no such text. Pages mark a fallen-back piece with its
``lang`` attribute (lang_attribute, marked) and say so once (EventText.note).

Nothing here queries more than ``event.translations``, loaded once per event and session (the
listings load it for every event with one selectinload); questions carry their own translations.
Option values are never translated: answers store the main language's, only the labels change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from rsvp.events.models import Event, EventDocument, EventTranslation, Question
from rsvp.i18n import language_in_sentence


@dataclass(frozen=True)
class Shown:
    """One piece of the organisers' words as a reader gets it."""

    text: str
    #: The language ``text`` is written in.
    language: str
    #: The reader's language has no such text: this is the main language's.
    fallback: bool = False

    def __str__(self) -> str:
        return self.text


def _pick(translated: str | None, main_text: str, reader: str, main: str) -> Shown:
    if reader == main:
        return Shown(main_text, main)
    if translated and translated.strip():
        return Shown(translated, reader)
    return Shown(main_text, main, fallback=bool(main_text.strip()))


def reader_language() -> str:
    """The language of the page or email being written (Flask-Babel's locale, forced for emails)."""
    return str(get_locale() or "en")


def fallback_note(parts: Iterable[Shown], language: str, main: str) -> str | None:
    """The sentence that tells a reader of ``language`` that some of ``parts`` are in ``main``."""
    shown = [part for part in parts if part.text.strip()]
    fallen = [part for part in shown if part.fallback]
    if not fallen:
        return None
    names = {"language": language_in_sentence(language), "main": language_in_sentence(main)}
    if len(fallen) == len(shown):
        return _("The organisers have not translated this event into %(language)s: its text is shown "
                 "in %(main)s.", **names)
    return _("The organisers have not translated all of this event into %(language)s: some of its text "
             "is shown in %(main)s.", **names)


@dataclass(frozen=True)
class QuestionText:
    label: Shown
    help_text: Shown
    #: (the value answers store, always the main language's option; the option as shown).
    options: list[tuple[str, Shown]]

    @property
    def parts(self) -> list[Shown]:
        return [self.label, self.help_text, *(shown for _value, shown in self.options)]

    def option(self, value: str) -> str:
        """A stored answer's option as the reader reads it (an option since removed stays as stored)."""
        return next((str(shown) for stored, shown in self.options if stored == value), value)


def question_text(question: Question, language: str) -> QuestionText:
    main = question.event.content_language
    words = (question.translations or {}).get(language, {}) if language != main else {}
    options = words.get("options") or {}
    return QuestionText(
        label=_pick(words.get("label"), question.label, language, main),
        help_text=_pick(words.get("help_text"), question.help_text, language, main),
        options=[(value, _pick(options.get(value), value, language, main)) for value in question.options])


@dataclass(frozen=True)
class EventText:
    #: The reader's language, and the event's main one.
    language: str
    main_language: str
    title: Shown
    summary: Shown
    description: Shown

    def note(self, *parts: Shown, questions: Iterable[Question] = ()) -> str | None:
        """Says what of ``parts`` (the pieces a page shows) and of the questions' wording is not
        in the reader's language; None when everything is."""
        wording = [part for question in questions for part in question_text(question, self.language).parts]
        return fallback_note([*parts, *wording], self.language, self.main_language)

    def card_note(self) -> str | None:
        """The listings' short word for an event shown in its main language."""
        if not self.title.fallback:
            return None
        return _("Shown in %(language)s.", language=language_in_sentence(self.main_language))


def translation_in(event: Event, language: str) -> EventTranslation | None:
    return next((t for t in event.translations if t.language == language), None)


def languages_of(event: Event) -> list[str]:
    """The languages the event's title is written in: its main one first, then its translations'."""
    return [event.content_language, *(t.language for t in event.translations
                                      if t.language != event.content_language and t.title.strip())]


def event_text(event: Event, language: str) -> EventText:
    """The event's title, summary and description (Markdown) for a reader of ``language``."""
    main = event.content_language
    translation = translation_in(event, language) if language != main else None

    def pick(name: str) -> Shown:
        return _pick(getattr(translation, name, None), getattr(event, name), language, main)

    return EventText(language, main, pick("title"), pick("summary"), pick("description"))


def for_reader(event: Event) -> EventText:
    """event_text in the language of the page or email being written: templates' ``event_text``."""
    return event_text(event, reader_language())


def phrase(event: Event, text: str | None, language: str) -> Shown:
    """One of the event's shorter texts (a programme heading, an affiliation, a partner, the venue,
    a document's title, the contact's name, the image's description or credit) for a reader of
    ``language``: its translation (EventTranslation.phrases, keyed by the main-language text)."""
    main = event.content_language
    row = translation_in(event, language) if language != main else None
    return _pick((row.phrases or {}).get(text or "") if row else None, text or "", language, main)


def phrases_of(event: Event, documents: bool = True) -> list[str]:
    """Every shorter text of ``event`` a translation may give, once each, in the page's order; the
    event's own privacy notice last (the registration form shows it)."""
    texts = [event.venue, event.duty_station, event.organiser_name, event.image_alt, event.image_credit,
             *(person.segment for person in event.people),
             *(person.affiliation for person in event.people),
             *(partner.name for partner in event.partners),
             *(document.title for document in event.documents if documents),
             event.privacy_notice]
    return list(dict.fromkeys(text for text in texts if text and text.strip()))


def phrases_shown(event: Event, language: str) -> list[Shown]:
    """The shorter texts as a reader of ``language`` gets them, for the fallback note: not the
    documents' titles, which name a document in its own language (the page says which)."""
    return [phrase(event, text, language) for text in phrases_of(event, documents=False)]


def email_context(event: Event, language: str) -> dict[str, str | None]:
    """What every email about ``event`` prints of it in ``language``: the title, and when the
    title is the main language's, that language (for HTML's lang) and the note saying so."""
    text = event_text(event, language)
    with force_locale(language):
        return {"title": text.title.text, "title_lang": text.title.language if text.title.fallback else None,
                "content_note": text.note(text.title), "venue": phrase(event, event.venue, language).text,
                "contact_name": phrase(event, event.organiser_name, language).text}


def documents_for(event: Event, language: str) -> list[EventDocument]:
    """The event's documents, those in ``language`` first, each group in the organisers' order."""
    return sorted(event.documents, key=lambda document: document.language != language)


def lang_attribute(shown: Shown) -> Markup:
    """`` lang="en"`` for a piece shown in the main language instead of the reader's; else nothing."""
    return Markup(' lang="{}"').format(shown.language) if shown.fallback else Markup("")


def in_language(text: str, language: str) -> Markup:
    """``text`` as HTML, inside a span that says its language (it differs from the page's)."""
    return Markup('<span lang="{}" dir="auto">{}</span>').format(language, text)


def marked(shown: Shown) -> Markup:
    """The piece as HTML, inside a span that carries its language when it fell back (form labels)."""
    return in_language(shown.text, shown.language) if shown.fallback else escape(shown.text)
