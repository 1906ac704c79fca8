"""Form fields and validators the forms share: input that gets one message saying what fits.

ValidEmail checks an address's syntax for every form that takes one.

A number an organiser types must fit both the event and the database: an
unbounded integer field lets 2**63 through to an INSERT that fails with an
error page, and the edit is lost. WholeNumberField bounds it and answers
text, a decimal or a number out of range with the same clear message.
"""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField
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
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(
                _l("Enter a valid email address, like name@example.org.")) from error
        field.data = result.normalized
