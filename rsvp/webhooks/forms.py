"""The form that adds a webhook endpoint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, URLField
from wtforms.validators import DataRequired, Length, ValidationError

from rsvp.events.questions import MultiCheckboxField
from rsvp.webhooks.models import WebhookType
from rsvp.webhooks.services import BadAddress, check_url

TYPE_LABELS = {
    WebhookType.REGISTRATION_CREATED: _l("Someone registered"),
    WebhookType.REGISTRATION_STATUS_CHANGED: _l("A registration's status changed"),
    WebhookType.REGISTRATION_CANCELLED: _l("A registration was cancelled"),
    WebhookType.REGISTRATION_CHECKED_IN: _l("Someone was checked in"),
    WebhookType.SPEAKER_INSCRIBED: _l("Someone inscribed on the speakers list"),
}


class EndpointForm(FlaskForm):
    url = URLField(_l("Address"), validators=[DataRequired(_l("Enter the address that receives "
                                                              "the notifications.")),
                                              Length(max=2000)],
                   description=_l("Starts with https:// (or http://). Our worker calls it; the "
                                  "pages never do."),
                   render_kw={"spellcheck": "false", "dir": "ltr"})
    types = MultiCheckboxField(_l("Tell it when"), choices=[(t.value, label) for t, label in
                                                           TYPE_LABELS.items()],
                               default=[t.value for t in WebhookType])
    details = RadioField(_l("What it is told"), default="ids", choices=[
        ("ids", _l("Ids, statuses and door codes only")),
        ("full", _l("Also the person's name, email and organisation (never for a confidential "
                    "registration)"))])

    def validate_url(self, field: URLField) -> None:
        try:
            check_url(field.data or "")
        except BadAddress:
            raise ValidationError(_l("Enter an address starting with https:// or http://.")) from None

    def validate_types(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Tick at least one kind of change."))

    def chosen_types(self) -> list[WebhookType]:
        return [WebhookType(value) for value in self.types.data]
