"""An event's own questions: loading them, their form fields, and answers as people read them.

Answers are stored on the registration as {"<question id>": value}, where
value is a string, a list of strings (multiple choice), a bool (yes/no) or an
ISO date. They are shown on the manage page and exported in the form's order.
Fields ask in the reader's language where the question is translated
(rsvp.events.content); the choices' values stay the main language's.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from rsvp.events.content import QuestionText, marked, question_text, reader_language
from rsvp.events.models import Event, Question, QuestionKind
from rsvp.extensions import db
from rsvp.i18n import country_choices, country_name, list_text
from rsvp.timeutil import format_calendar_date


def options(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


@cache
def _countries(locale: str, placeholder: str) -> tuple[SelectChoice, ...]:
    return tuple(options([("", placeholder)] + country_choices()))


def country_options(placeholder: Any) -> list[SelectChoice]:
    """Every country as a choice, after ``placeholder``; built once per language."""
    return list(_countries(str(get_locale() or "en"), str(placeholder)))


def yes_no() -> list[SelectChoice]:
    return options([("yes", _l("Yes")), ("no", _l("No"))])


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes, which read better than a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


#: An event's questions in the form's order: built once, as every registration asks for them.
_QUESTIONS = (sa.select(Question).where(Question.event_id == sa.bindparam("event_id"))
              .order_by(Question.position, Question.id))


def questions_for(event: Event) -> list[Question]:
    return list(db.session.scalars(_QUESTIONS, {"event_id": event.id}))


def field_name(question: Question) -> str:
    return f"question_{question.key}"


def build_field(question: Question) -> Field:
    """The unbound form field that asks ``question``, worded in the reader's language."""
    message = _l("Answer this question.")
    required = [InputRequired(message)] if question.required else [Optional()]
    text = question_text(question, reader_language())
    common = {"label": marked(text.label),
              "description": marked(text.help_text) if question.help_text else None}
    choices = options([(value, marked(shown)) for value, shown in text.options])
    kind = question.kind
    if kind is QuestionKind.SHORT_TEXT:
        return StringField(validators=[*required, Length(max=500)], **common)
    if kind is QuestionKind.LONG_TEXT:
        return TextAreaField(validators=[*required, Length(max=4000)], **common)
    if kind is QuestionKind.SINGLE_CHOICE:
        return RadioField(choices=choices, validators=required, **common)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return MultiCheckboxField(choices=choices, validators=required, **common)
    if kind is QuestionKind.YES_NO:
        return RadioField(choices=yes_no(), validators=required, **common)
    if kind is QuestionKind.COUNTRY:
        return SelectField(choices=country_options(_l("Choose a country")),
                           validators=required, **common)
    return DateField(validators=[InputRequired(_l("Enter a date."))] if question.required
                     else [Optional()], **common)


def answer_from_field(question: Question, data: Any) -> Any:
    """What to store for a field's data; None for no answer."""
    if data in (None, "", []):
        return None
    if question.kind is QuestionKind.YES_NO:
        return data == "yes"
    if question.kind is QuestionKind.DATE:
        return data.isoformat()
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return [o for o in question.options if o in data]
    return data.strip() if isinstance(data, str) else data


def field_data(question: Question, answer: Any) -> Any:
    """The form field's data for a stored answer (the manage page's form starts from these)."""
    if answer is None:
        return None
    if question.kind is QuestionKind.YES_NO:
        return "yes" if answer else "no"
    if question.kind is QuestionKind.DATE:
        return date.fromisoformat(answer)
    return answer


def answer_text(question: Question, answer: Any, text: QuestionText | None = None) -> str:
    """An answer as a person reads it: "Yes", "French, Spanish", "Kenya", "12 March 2026".

    Choices are as stored (the main language's) unless ``text`` gives the reader's wording.
    """
    if answer is None or answer == "" or answer == []:
        return ""
    if question.kind is QuestionKind.YES_NO:
        return str(_l("Yes") if answer else _l("No"))
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return list_text(text.option(value) for value in answer) if text else list_text(answer)
    if question.kind is QuestionKind.SINGLE_CHOICE and text:
        return text.option(answer)
    if question.kind is QuestionKind.COUNTRY:
        return country_name(answer)
    if question.kind is QuestionKind.DATE:
        return format_calendar_date(date.fromisoformat(answer))
    return str(answer)
