"""The forms of an event's cancellation and postponement (rsvp.editor.lifecycle).

The reason told to registrants, in each of their languages, is added to them by texts.texts_form.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, TimeField
from wtforms.validators import DataRequired, InputRequired, Optional

from rsvp.editor.forms import local_moment


class CancelForm(FlaskForm):
    """The cancellation; its reason, in each language, is added by texts.texts_form."""

    confirm = BooleanField(_l("I understand: the event is cancelled for good and every registrant is "
                              "emailed."),
                           validators=[DataRequired(_l("Tick the box to confirm the cancellation."))])


class PostponeForm(FlaskForm):
    """The new date in the event's own time zone; the reason, in each language, is added by
    texts.texts_form."""

    start_date = DateField(_l("New date"), validators=[InputRequired(_l("Enter the date."))])
    start_time = TimeField(_l("Starts at"), validators=[InputRequired(_l("Enter the start time."))])
    end_date = DateField(_l("Ends on"), validators=[Optional()],
                         description=_l("Only for an event that ends on a later day."))
    end_time = TimeField(_l("Ends at"), validators=[InputRequired(_l("Enter the end time."))])

    def new_times(self, zone: str) -> tuple[datetime, datetime]:
        """(start, end) in UTC, from the event's local time."""
        starts_at = local_moment(self.start_date.data, self.start_time.data, zone)
        ends_at = local_moment(self.end_date.data or self.start_date.data, self.end_time.data, zone)
        assert starts_at is not None and ends_at is not None  # required fields
        return starts_at, ends_at
