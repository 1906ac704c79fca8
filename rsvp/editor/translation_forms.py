"""The translation form: the event's title, summary and description in one language, and each of its
questions' label, hint and choices, built for the event at hand (fields q<id>_label, q<id>_help and
one per choice, see option_field). Each field's hint quotes the main language's text it translates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from rsvp.editor.translations import QuestionWording, Translation, wording_of
from rsvp.events.content import in_language, phrases_of
from rsvp.events.models import Event, EventTranslation, Question
from rsvp.i18n import language_in_sentence


class TranslationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter the event's title in this language.")), Length(max=300)])
    summary = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=600)],
        description=_l("One or two plain sentences for the event listings. Empty: they show the summary "
                       "in the main language."))
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 14},
        description=_l("Markdown, like the main description. Empty: the event page shows the main "
                       "description, with a note saying so."))

    #: Set by translation_form(): each question and its fields on this form.
    question_fields: list[QuestionFields] = []
    #: Set by translation_form(): (the main-language text, its field) for each shorter text.
    phrase_fields: list[tuple[str, Field]] = []

    def translation(self) -> Translation:
        return Translation(
            title=self.title.data or "", summary=self.summary.data or "",
            description=self.description.data or "",
            questions={entry.question.id: entry.wording() for entry in self.question_fields},
            phrases={text: typed.data or "" for text, typed in self.phrase_fields})


@dataclass
class QuestionFields:
    question: Question
    label: Field
    help_text: Field | None
    #: (the main language's option, its field).
    options: list[tuple[str, Field]]

    def wording(self) -> QuestionWording:
        return QuestionWording(
            label=self.label.data or "", help_text=(self.help_text.data or "") if self.help_text else "",
            options={value: f.data or "" for value, f in self.options})


def _original(text: str, main: str) -> Markup:
    """A hint quoting the main language's text: "Original (English): …"."""
    return Markup("{} {}").format(_("Original (%(language)s):", language=language_in_sentence(main)),
                                  in_language(text, main))


def _named_for(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


def option_field(question: Question, value: str) -> str:
    """The field of one choice, named after the choice itself, not its place: a choice the question
    gained or lost while the page was open cannot take another's wording."""
    return f"q{question.id}_option_{_named_for(value)}"


def phrase_field(text: str) -> str:
    """The field of one shorter text, named after the text (as option_field, and for the same reason)."""
    return f"phrase_{_named_for(text)}"


def translation_form(event: Event, questions: list[Question], language: str,
                     translation: EventTranslation | None) -> TranslationForm:
    """The form for ``language``, starting from what is saved (a POST's data replaces it)."""
    main = event.content_language
    fields: dict[str, Field] = {}
    data: dict[str, Any] = {}
    if translation is not None:
        data = {"title": translation.title, "summary": translation.summary,
                "description": translation.description}
    for question in questions:
        saved, prefix = wording_of(question, language), f"q{question.id}"
        fields[f"{prefix}_label"] = StringField(_l("Question"), validators=[Optional(), Length(max=300)],
                                                description=_original(question.label, main))
        data[f"{prefix}_label"] = saved.label
        if question.help_text:
            fields[f"{prefix}_help"] = StringField(_l("Hint"), validators=[Optional(), Length(max=600)],
                                                   description=_original(question.help_text, main))
            data[f"{prefix}_help"] = saved.help_text
        for value in question.options:
            fields[option_field(question, value)] = StringField(
                in_language(value, main), validators=[Optional(), Length(max=300)])
            data[option_field(question, value)] = saved.options.get(value, "")
    phrases = translation.phrases if translation is not None and translation.phrases else {}
    for text in phrases_of(event):
        if text == event.privacy_notice:  # paragraphs, not a phrase
            fields[phrase_field(text)] = TextAreaField(
                _l("The event's privacy notice"), validators=[Optional(), Length(max=5000)],
                render_kw={"rows": 6}, description=_original(text, main))
        else:
            fields[phrase_field(text)] = StringField(in_language(text, main),
                                                     validators=[Optional(), Length(max=400)])
        data[phrase_field(text)] = phrases.get(text, "")
    form = type("EventTranslationForm", (TranslationForm,), fields)(data=data)
    for typed in form:  # what organisers type here is in ``language``: spell-checked as such
        if typed.type in ("StringField", "TextAreaField"):
            typed.render_kw = {**(typed.render_kw or {}), "lang": language, "dir": "auto"}
    # The originals under the title and summary; the description's is shown whole beside its field.
    form.title.description = _original(event.title, main)
    if event.summary.strip():
        form.summary.description = Markup("{}<br>{}").format(form.summary.description,
                                                            _original(event.summary, main))
    form.question_fields = [QuestionFields(
        q, form[f"q{q.id}_label"], form[f"q{q.id}_help"] if q.help_text else None,
        [(value, form[option_field(q, value)]) for value in q.options]) for q in questions]
    form.phrase_fields = [(text, form[phrase_field(text)]) for text in phrases_of(event)]
    return form


class RemoveTranslationForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, remove this translation and its questions' wording"),
        validators=[DataRequired(_l("Tick the box to remove the translation."))])
