"""What organisers write to registrants in each language: a form with the main language's text
(required) and the same text in the other languages (optional: a reader whose language is left
empty gets the main language's), used by messages, notices and follow-ups alike.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.i18n import language_name
from rsvp.registrations.messaging import Draft
from rsvp.registrations.models import Registration, RegistrationStatus

SUBJECT_MAX = 200
BODY_MAX = 10000


def readers(event: Event) -> dict[str, int]:
    """How many of the event's registrants (not cancelled or rejected) read each language."""
    return dict(db.session.execute(  # type: ignore[arg-type]
        sa.select(Registration.language, sa.func.count())
        .where(Registration.event_id == event.id, Registration.erased_at.is_(None),
               Registration.status.not_in((RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)))
        .group_by(Registration.language)).all())


def languages_for(event: Event) -> list[tuple[str, int]]:
    """The languages a text can be written in, with their readers: the event's main language
    first, then those people read (most readers first), then the rest of the interface's."""
    counts = readers(event)
    main = event.content_language
    others = [code for code in current_app.config["LANGUAGES"] if code != main]
    others.sort(key=lambda code: -counts.get(code, 0))
    return [(main, counts.get(main, 0)), *((code, counts.get(code, 0)) for code in others)]


def texts_form(base: type[FlaskForm], languages: list[str], *, subject: bool = True,
               body_label: Any = None, body_required: bool = True, body_missing: Any = None,
               **kwargs: Any) -> FlaskForm:
    """``base`` with ``subject``/``body`` in ``languages[0]`` and ``subject_<code>``/``body_<code>``
    for each other language."""
    main = language_name(languages[0])
    fields: dict[str, Any] = {}
    if subject:
        fields["subject"] = StringField(
            _l("Subject in %(language)s", language=main),
            validators=[DataRequired(_l("Write a subject.")), Length(max=SUBJECT_MAX)])
    body_validators: list[Any] = [Length(max=BODY_MAX)]
    body_validators.insert(0, DataRequired(body_missing or _l("Write the message."))
                           if body_required else Optional())
    fields["body"] = TextAreaField(
        _l("Message in %(language)s", language=main) if body_label is None else
        _l("%(what)s in %(language)s", what=body_label, language=main), validators=body_validators,
        description=_l("Plain text. Leave an empty line between paragraphs. Each person's "
                       "greeting is added."))
    for code in languages[1:]:
        name = language_name(code)
        if subject:
            fields[f"subject_{code}"] = StringField(_l("Subject in %(language)s", language=name),
                                                    validators=[Optional(), Length(max=SUBJECT_MAX)])
        fields[f"body_{code}"] = TextAreaField(
            _l("Message in %(language)s", language=name) if body_label is None else
            _l("%(what)s in %(language)s", what=body_label, language=name),
            validators=[Optional(), Length(max=BODY_MAX)])
    form_class = type(f"{base.__name__}InLanguages", (base,), fields)
    return form_class(**kwargs)  # type: ignore[no-any-return]


def draft_of(form: FlaskForm, languages: list[str], batch: str = "") -> Draft:
    """What the organisers wrote: the main language's text and the others'."""
    subject = form["subject"].data if "subject" in form else ""
    return Draft(subject or "", form["body"].data or "", batch, texts_of(form, languages))


def texts_of(form: FlaskForm, languages: list[str]) -> dict[str, tuple[str, str]]:
    """{language: (subject, body)} of the other languages, as typed (empty ones included)."""
    texts = {}
    for code in languages[1:]:
        subject = form[f"subject_{code}"].data if f"subject_{code}" in form else ""
        texts[code] = ((subject or "").strip(), form[f"body_{code}"].data or "")
    return texts
