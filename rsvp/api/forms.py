"""The form that makes a personal access token."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from rsvp.events.models import Event
from rsvp.events.questions import MultiCheckboxField

#: How long a new token lasts: the organiser picks one; none lasts for ever.
EXPIRY_DAYS = (7, 30, 90, 365)


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the token after the tool "
                                                               "that will use it.")),
                                               Length(max=100)],
                       description=_l("Say which tool uses it, e.g. “CRM sync”."))
    scope = RadioField(_l("Events"), default="some", choices=[
        ("some", _l("Only the events ticked below")),
        ("all", _l("All my events, including those I join later"))])
    events = MultiCheckboxField(_l("Events it may reach"), validate_choice=False)
    access = RadioField(_l("Access"), default="read", choices=[
        ("read", _l("Read registrations, speakers and counts")),
        ("write", _l("Read, and change a registration's status (approve, cancel, check in…)"))])
    expires = RadioField(_l("Expires after"), default="90", choices=[
        (str(days), lazy_ngettext("%(num)d day", "%(num)d days", days)) for days in EXPIRY_DAYS])

    def offer(self, events: list[Event]) -> None:
        """The organiser's events as the checkboxes (only events they hold a role on)."""
        self.events.choices = [(event.public_id, event.title) for event in events]
        self._offered = {event.public_id: event for event in events}

    def validate_events(self, field: MultiCheckboxField) -> None:
        if self.scope.data == "some":
            if not field.data:
                raise ValidationError(_l("Tick at least one event, or choose all your events."))
            if any(public_id not in self._offered for public_id in field.data):
                raise ValidationError(_l("Choose among your own events."))

    def chosen_events(self) -> list[Event] | None:
        """None for all the organiser's events."""
        if self.scope.data == "all":
            return None
        return [self._offered[public_id] for public_id in self.events.data]

    def expires_at(self, now: datetime) -> datetime:
        return now + timedelta(days=int(self.expires.data))
