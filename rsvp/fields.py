"""Form fields and validators the forms share: input that gets one message saying what fits.

ValidEmail checks an address's syntax for every form that takes one. error_links lists a form's
errors for the summary above it, each pointing at the control a person can type in.

A number an organiser types must fit both the event and the database: an
unbounded integer field lets 2**63 through to an INSERT that fails with an
error page, and the edit is lost. WholeNumberField bounds it and answers
text, a decimal or a number out of range with the same clear message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, IntegerField
from wtforms.form import BaseForm
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation, ValidationError


class OneMessage:
    """Input that cannot be read gets the field's ``message``, once, and no other."""

    message: Any
    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None  # empty: for the validators to judge
            return
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError as error:
            raise ValueError(str(self.message)) from error

    def pre_validate(self, form: FlaskForm) -> None:
        if self.process_errors:  # type: ignore[attr-defined]
            raise StopValidation()  # said already, by the message above


class WholeNumberField(OneMessage, IntegerField):
    """A number whose every mistake, text or out of range, gets the one message that says what fits."""

    def __init__(self, label: Any, low: int, high: int, message: Any, required: bool = True,
                 **kwargs: Any) -> None:
        presence = InputRequired(message) if required else Optional()
        super().__init__(label, validators=[presence, NumberRange(low, high, message)],
                         render_kw={"min": low, "max": high, "inputmode": "numeric"}, **kwargs)
        self.message = message


class ValidEmail:
    """Checks the address's syntax with email-validator (no DNS: no request leaves the server)."""

    def __call__(self, form: FlaskForm, field: EmailField) -> None:
        normalized = valid_address(field.data or "")
        if normalized is None:
            raise ValidationError(_l("Enter a valid email address, like name@example.org."))
        field.data = normalized


def valid_address(text: str) -> str | None:
    """The address as email-validator normalizes it, or None where it refuses it.

    Most addresses are plain (ASCII, a dot-atom before the @-sign): for one of those,
    what email-validator decides depends on its domain, which it judges a character at a
    time (three quarters of its 210 calls), and on lengths. Each domain is judged once by
    email-validator itself and kept; the part before the @-sign is checked here as it
    checks it. Any other address goes through email-validator whole, so an address is
    never accepted or written otherwise than it would (tests/test_fields.py compares both).
    """
    local, at, domain = text.rpartition("@")
    if (at and text.isascii() and len(local) <= _LOCAL_MAX and _DOT_ATOM.fullmatch(local)
            and local.lower() not in _LOWERED_MAILBOXES):
        judged = _domain(domain)
        if judged is not None and len(local) + 1 + max(len(domain), len(judged)) <= _ADDRESS_MAX:
            return f"{local}@{judged}"
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@lru_cache(maxsize=4096)
def _domain(domain: str) -> str | None:
    """``domain`` as email-validator normalizes it where it is plain ASCII, else None (also
    where it refuses it: the address then goes through email-validator whole)."""
    try:
        judged = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return judged.domain if judged.domain == judged.ascii_domain else None


#: RFC 5322's atext, as email-validator has it; a dot-atom is atext separated by single dots.
_ATEXT = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_DOT_ATOM = re.compile(f"[{_ATEXT}]+(?:\\.[{_ATEXT}]+)*")
#: Lengths email-validator allows: before the @-sign, and the whole address.
_LOCAL_MAX, _ADDRESS_MAX = 64, 254
#: Mailbox names email-validator lowercases (RFC 2142): left to it.
_LOWERED_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


class ErrorLink(NamedTuple):
    target: str  #: the id of the control to focus; "" for an error of the whole form
    message: str


def _first_control(field: Field) -> str:
    """The id a link must point at: a radio group or a set of checkboxes has no element with the
    field's own id, only its options (attendance_mode-0, attendance_mode-1 …)."""
    if field.type in ("RadioField", "MultiCheckboxField"):
        for option in field:
            return str(option.id)
    return str(field.id)


def _page_order(form: FlaskForm) -> list[Field]:
    """The form's fields in the order its page shows them: the form's ``page_order`` (field names,
    with "*" standing for every field it does not name, in declaration order), or else the
    declaration order."""
    fields = list(form)
    order: tuple[str, ...] = getattr(form, "page_order", ("*",))
    named = [name for name in order if name != "*"]
    rest = [field for field in fields if field.name not in named]
    ordered: list[Field] = []
    for name in order:
        ordered.extend(rest if name == "*" else [form[name]] if name in form else [])
    return ordered


def error_links(form: Any) -> list[ErrorLink]:
    """Every error of ``form`` in page order, each with the id of the control to focus.

    ``form`` is a WTForms form, or an object whose ``errors`` maps control ids to messages in
    page order already (the event editor's lists: editor.list_forms.ListForm.summary).
    """
    if not isinstance(form, BaseForm):
        return [ErrorLink("", str(_l("Your form expired. Please submit it again.")))
                if target == "csrf_token" else ErrorLink(target, " ".join(str(m) for m in messages))
                for target, messages in form.errors.items()]
    links = [ErrorLink("", str(message)) for message in form.form_errors]
    for field in (leaf for shown in _page_order(form) for leaf in _leaves(shown)):
        if not field.errors:
            continue
        if field.name == "csrf_token":
            links.insert(0, ErrorLink("", str(_l("Your form expired. Please submit it again."))))
            continue
        links.append(ErrorLink(_first_control(field), " ".join(str(m) for m in field.errors)))
    return links


def _leaves(field: Field) -> Iterator[Field]:
    """The field itself, or each field inside a list of rows (FieldList of FormFields)."""
    if field.type in ("FieldList", "FormField"):
        for inner in field:
            yield from _leaves(inner)
    else:
        yield field
