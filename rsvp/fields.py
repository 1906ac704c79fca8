"""Form fields the organisers' forms share: input that gets one message saying what fits.

A number an organiser types must fit both the event and the database: an
unbounded integer field lets 2**63 through to an INSERT that fails with an
error page, and the edit is lost. WholeNumberField bounds it and answers
text, a decimal or a number out of range with the same clear message.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation


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
