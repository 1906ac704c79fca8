"""The public registration form; its choices come from the event."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from rsvp.events.models import AttendanceMode, Event
from rsvp.i18n import country_choices, language_name
from rsvp.registrations.models import OrganisationType

ORGANISATION_TYPE_LABELS = {
    OrganisationType.STATE: _l("State delegation (permanent mission, ministry)"),
    OrganisationType.NGO: _l("Non-governmental organisation (NGO)"),
    OrganisationType.UN: _l("UN entity or intergovernmental organisation"),
    OrganisationType.NHRI: _l("National human rights institution (NHRI)"),
    OrganisationType.ACADEMIA: _l("Academia"),
    OrganisationType.MEDIA: _l("Media"),
    OrganisationType.OTHER: _l("Other, or attending in a personal capacity"),
}

ATTENDANCE_LABELS = {
    AttendanceMode.IN_PERSON: _l("In person"),
    AttendanceMode.ONLINE: _l("Online"),
}


class ValidEmail:
    """Checks the address's syntax with email-validator (no DNS: no request leaves the server)."""

    def __call__(self, form: FlaskForm, field: EmailField) -> None:
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(
                _l("Enter a valid email address, like name@example.org.")) from error
        field.data = result.normalized


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254), ValidEmail()],
        description=_l("We send your confirmation and the event details here."),
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    organisation = StringField(
        _l("Organisation or delegation"), validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "organization"},
    )
    organisation_type = SelectField(
        _l("You are attending for"),
        validators=[InputRequired(_l("Choose what you are attending for."))],
    )
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False,
                          description=_l("Optional."))
    attendance_mode = RadioField(
        _l("How will you attend?"), validate_choice=False,
        validators=[InputRequired(_l("Choose how you will attend."))],
    )
    interpretation_language = SelectField(
        _l("Interpretation"), validate_choice=False, validators=[Optional()],
    )
    captions = BooleanField(_l("I would like closed captions"))
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"), validators=[Optional(), Length(max=1000)],
        description=_l("Optional. Tell us anything that would help you take part."),
    )
    #: Filled in by the browser (static/js/local-time.js) so emails can show the person's own time.
    timezone = HiddenField(validators=[Optional(), Length(max=64)])
    consent = BooleanField(
        _l("I agree that my details are used to run this event, as described above."),
        validators=[DataRequired(_l("Please accept the privacy notice to register."))],
    )

    def __init__(self, event: Event, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.organisation_type.choices = [("", _l("Choose one"))] + [
            (k.value, v) for k, v in ORGANISATION_TYPE_LABELS.items()]
        self.country.choices = [("", _l("Prefer not to say"))] + country_choices()
        modes = event.attendance_modes
        self.attendance_mode.choices = [(m.value, ATTENDANCE_LABELS[m]) for m in modes]
        if len(modes) == 1 and not self.attendance_mode.data:
            self.attendance_mode.data = modes[0].value
        floor = language_name(event.floor_language)
        self.interpretation_language.choices = [("", _l("None: I follow in %(floor)s", floor=floor))]
        self.interpretation_language.choices += [
            (code, language_name(code)) for code in event.interpretation_languages]

    @property
    def asks_attendance_mode(self) -> bool:
        return len(self.event.attendance_modes) > 1

    def validate_attendance_mode(self, field: RadioField) -> None:
        if field.data not in {m.value for m in self.event.attendance_modes}:
            raise ValidationError(_l("Choose how you will attend."))

    def validate_interpretation_language(self, field: SelectField) -> None:
        if field.data and field.data not in self.event.interpretation_languages:
            raise ValidationError(_l("This event offers no interpretation into that language."))

    def validate_country(self, field: SelectField) -> None:
        if field.data and field.data not in dict(country_choices()):
            raise ValidationError(_l("Choose a country from the list."))
