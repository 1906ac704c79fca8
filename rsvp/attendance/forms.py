"""The After-the-event page's forms: the attendance report to import, the follow-up to send."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField, URLField
from wtforms.validators import URL, Length, Optional

from rsvp.registrations import texts

#: The largest report accepted: a webinar's attendee report of tens of thousands of rows.
REPORT_MAX_BYTES = 8 * 1024 * 1024


class ReportForm(FlaskForm):
    report = FileField(
        _l("Attendance report"),
        validators=[FileRequired(_l("Choose the report file."))],
        description=_l("The CSV file as Zoom (webinar attendee report) or Microsoft Teams "
                       "(attendance report) exports it. Rows are matched by email address only."))


class FollowUpForm(FlaskForm):
    recording_url = URLField(
        _l("Link to the recording"), validators=[Optional(), Length(max=500), URL(
            require_tld=False, message=_l("Enter a full web address starting with https://"))])
    documents = TextAreaField(
        _l("Documents"), validators=[Optional(), Length(max=5000)],
        description=_l("One per line: a title and its link, e.g. “Report (PDF): https://…”."))


class FollowUpText(FlaskForm):
    """One of the two texts; its fields in each language are added by texts.texts_form."""


def follow_up_texts(languages: list[str], prefix: str, **kwargs: Any) -> FlaskForm:
    """The text for those who attended (``prefix`` "attended") or did not ("absent")."""
    return texts.texts_form(FollowUpText, languages, prefix=prefix, meta={"csrf": False}, **kwargs)
