"""A posted registration that is plainly valid, judged without building its WTForms form.

Building the registration form binds a field object for each of its twenty-odd fields, with
its label, widget, flags and translations, only for most posts to be valid and the form never
shown. plainly_valid reads the same post by a plan made once per form class from the class's
own unbound fields: what each field makes of what was posted (as the field's process_formdata
does) and the same validator objects, run in the same order (as Field.validate runs them),
then the form's own checks that need the event. It returns the values the form's fields would
hold, or None whenever it cannot tell: a field, validator, choice or check it does not know,
any error, a filled honeypot. The view then builds the form, which judges the post in full
and writes the messages. So it never accepts what the form refuses; tests/registrations/
test_posted.py holds it to that, post by post.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from flask import g
from flask_wtf.csrf import _FlaskFormCSRF, validate_csrf
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from rsvp.events.models import Event
from rsvp.events.questions import MultiCheckboxField
from rsvp.fields import ValidEmail
from rsvp.privacy.forms import Honeypot
from rsvp.registrations.entered import grounds_pass_errors, held_pass_answer
from rsvp.registrations.forms import DetailsForm, RegistrationForm

#: How a field makes its data of what was posted, by its class (not its subclasses: those may
#: make it otherwise). TEXT: the first value; BOOL: BooleanField's true or false; ONE: the first
#: value of a choice; MANY: every value; DATE: the date in the field's format.
TEXT, BOOL, ONE, MANY, DATE = range(5)
_KINDS = {StringField: TEXT, TextAreaField: TEXT, HiddenField: TEXT, EmailField: TEXT,
          BooleanField: BOOL, SelectField: ONE, RadioField: ONE, MultiCheckboxField: MANY,
          DateField: DATE}

#: Validators whose every reading of a field is of its raw_data, data and errors.
_VALIDATORS = (DataRequired, InputRequired, Optional, Length, ValidEmail)

#: The forms' validate_<field> methods that read only the form's event and the field's data.
_INLINE = frozenset({
    DetailsForm.validate_attendance_mode, DetailsForm.validate_interpretation_language,
    DetailsForm.validate_nationality, DetailsForm.validate_date_of_birth,
    RegistrationForm.validate_country})

#: The forms' validate() methods, each with what it checks beyond its fields': a function of
#: the event and the values that gives the errors by field name.
_FORM_CHECKS: dict[Callable[..., bool], Callable[[Event, dict[str, Any]], dict[str, Any]] | None] = {
    Form.validate: None, DetailsForm.validate: grounds_pass_errors}


class _Step(NamedTuple):
    """One field of the plan."""

    name: str
    kind: int
    chain: tuple[Callable[..., None], ...]  #: its validators, then its validate_<name>
    allowed: frozenset[str] | None  #: the values its choices accept, when it checks them
    false_values: tuple[Any, ...]  #: a BooleanField's values that mean unticked
    formats: tuple[str, ...]  #: a DateField's formats


class _Plan(NamedTuple):
    steps: tuple[_Step, ...]
    form_check: Callable[[Event, dict[str, Any]], dict[str, Any]] | None
    meta: type
    honeypot: bool


class _Posted:
    """What a validator reads of a field: what was posted, the data made of it, the errors
    (set by _process: no __init__, whose call would cost as much as the rest for a checkbox)."""

    __slots__ = ("data", "errors", "raw_data")
    raw_data: list[str]
    data: Any
    errors: list[Any]

    def gettext(self, string: str) -> str:
        return string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class _Judging:
    """What an inline validator reads of its form: the event (see _INLINE)."""

    __slots__ = ("event",)

    def __init__(self, event: Event) -> None:
        self.event = event


#: The plan of each form class, made at its first post; None for a class it cannot judge.
#: Weak keys: the classes of a set of questions (forms._FORM_CLASSES) come and go.
_PLANS: weakref.WeakKeyDictionary[type, _Plan | None] = weakref.WeakKeyDictionary()


def plainly_valid(form_class: type[RegistrationForm], formdata: MultiDict[str, str],
                  event: Event) -> dict[str, Any] | None:
    """The data each field of ``form_class`` (built for ``event``) would hold after validating
    ``formdata``, by field name, when the form would find it valid; None when it would not or
    when this cannot tell. The CSRF token is checked as the form checks it (CSRFProtect has
    done so already for an ordinary POST)."""
    try:
        plan = _PLANS[form_class]
    except KeyError:
        plan = _PLANS[form_class] = _plan(form_class)
    if plan is None or not formdata:
        return None
    meta = plan.meta()
    if meta.csrf and not g.get("csrf_valid", False):
        try:
            validate_csrf(formdata.get(meta.csrf_field_name), meta.csrf_secret, meta.csrf_time_limit,
                          meta.csrf_field_name)
        except ValidationError:
            return None
    posted = formdata.to_dict(flat=False)
    judging = _Judging(event)
    values: dict[str, Any] = {}
    for step in plan.steps:
        field = _Posted()
        _process(step, field, posted.get(step.name, []))
        for validator in step.chain:
            try:
                validator(judging, field)
            except StopValidation as stop:
                if stop.args and stop.args[0]:
                    return None
                break
            except ValidationError:
                return None
        if field.errors:
            return None
        values[step.name] = field.data
    if plan.honeypot and values["website"]:
        return None  # the form gives a bot its polite, empty success
    if "has_grounds_pass" in values:  # as DetailsForm.__init__ settles it for the event
        values["has_grounds_pass"] = held_pass_answer(event, values["has_grounds_pass"])
    if plan.form_check is not None and plan.form_check(event, values):
        return None
    return values


def _process(step: _Step, field: _Posted, raw: list[str]) -> None:
    """The field's data, made of what was posted (``raw``) as its class makes it, and the errors
    its class finds there before any validator (which Optional forgives when nothing was posted)."""
    field.raw_data = raw
    field.data = None
    field.errors = []
    kind = step.kind
    if kind is TEXT:
        field.data = raw[0] if raw else None
    elif kind is BOOL:
        field.data = not (not raw or raw[0] in step.false_values)
    elif kind is ONE:
        field.data = raw[0] if raw else None
        if step.allowed is not None and field.data not in step.allowed:
            field.errors.append("Not a valid choice.")
    elif kind is MANY:
        field.data = list(raw)
        if step.allowed is not None and any(value not in step.allowed for value in raw):
            field.errors.append("Not a valid choice.")
    elif raw:  # DATE
        for date_format in step.formats:
            try:
                field.data = datetime.strptime(" ".join(raw), date_format).date()  # noqa: DTZ007 - a date
                return
            except ValueError:
                continue
        field.errors.append("Not a valid date value.")


def _plan(form_class: type[RegistrationForm]) -> _Plan | None:
    """How to judge a post of ``form_class``; None when something in it is beyond the plan."""
    form_check = _FORM_CHECKS.get(form_class.validate, False)
    if form_check is False:
        return None
    meta: Any = type("Meta", tuple(vars(base)["Meta"] for base in form_class.__mro__
                                   if "Meta" in vars(base)), {})  # as FormMeta makes it
    if (meta.bind_field is not DefaultMeta.bind_field
            or getattr(meta.csrf_class, "validate_csrf_token", None)
            is not _FlaskFormCSRF.validate_csrf_token):
        return None
    unbound = sorted(((name, field) for name in dir(form_class) if not name.startswith("_")
                      and isinstance(field := getattr(form_class, name), UnboundField)),
                     key=lambda pair: (pair[1].creation_counter, pair[0]))
    prototype = meta()
    steps = []
    for name, field in unbound:
        step = _step(form_class, name, field.bind(form=None, name=name, _meta=prototype))
        if step is None:
            return None
        steps.append(step)
    return _Plan(tuple(steps), form_check, meta, issubclass(form_class, Honeypot))  # type: ignore[arg-type]


def _step(form_class: type, name: str, field: Any) -> _Step | None:
    """How to judge ``field`` (bound once, only to read what its arguments made of it)."""
    kind = _KINDS.get(type(field))
    if kind is None or field.filters or field.default is not None:
        return None
    if not all(type(validator) in _VALIDATORS for validator in field.validators):
        return None
    chain = list(field.validators)
    inline = getattr(form_class, f"validate_{name}", None)
    if inline is not None:
        if inline not in _INLINE:
            return None
        chain.append(inline)
    allowed = None
    if kind in (ONE, MANY):
        if field.coerce is not str:
            return None
        if field.validate_choice:
            if field.choices is None:
                return None
            allowed = frozenset(str(choice.value) for choice in field._choices_from_input(field.choices))
    return _Step(name, kind, tuple(chain), allowed,
                 tuple(getattr(field, "false_values", ())),
                 tuple(getattr(field, "strptime_format", ())))
