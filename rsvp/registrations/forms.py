"""The public registration form and the manage page's form; their choices come from the event.

Both carry the event's own questions as fields named question_<id>, built
for the event at hand (see rsvp.events.questions), and the UN grounds-pass fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import lru_cache, partial
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from rsvp.events.labels import pass_holders_walk_in, premises_name
from rsvp.events.models import AttendanceMode, Event, Question
from rsvp.events.questions import (
    build_field,
    country_options,
    field_data,
    field_name,
    options,
    yes_no,
)
from rsvp.fields import ValidEmail
from rsvp.i18n import country_choices, language_name
from rsvp.privacy.forms import Honeypot
from rsvp.registrations.entered import (
    PASS_DETAILS,
    answers,
    details,
    grounds_pass,
    grounds_pass_errors,
    held_pass_answer,
    registration_data,
)
from rsvp.registrations.models import OrganisationType, Registration, RegistrationStatus
from rsvp.registrations.selfservice import Details
from rsvp.registrations.services import GroundsPass, RegistrationData
from rsvp.timeutil import now_utc

ORGANISATION_TYPE_LABELS = {
    OrganisationType.STATE: _l("State delegation (permanent mission, ministry)"),
    OrganisationType.NGO: _l("Non-governmental organisation (NGO)"),
    OrganisationType.UN: _l("UN entity or intergovernmental organisation"),
    OrganisationType.NHRI: _l("National human rights institution (NHRI)"),
    OrganisationType.ACADEMIA: _l("Academia"),
    OrganisationType.MEDIA: _l("Media"),
    OrganisationType.OTHER: _l("Other, or attending in a personal capacity"),
}

STATUS_LABELS = {
    RegistrationStatus.PENDING_EMAIL: _l("Email not confirmed"),
    RegistrationStatus.PENDING_APPROVAL: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.REJECTED: _l("Rejected"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}

ATTENDANCE_LABELS = {
    AttendanceMode.IN_PERSON: _l("In person"),
    AttendanceMode.ONLINE: _l("Online"),
}


class DetailsForm(FlaskForm):
    """How someone takes part: what a registrant may change later on their manage page."""

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
    has_grounds_pass = RadioField(
        _l("Do you hold a valid UN grounds pass?"), choices=yes_no(),
        validators=[Optional()], validate_choice=False,  # validate() checks it when it is asked
    )
    passport_name = StringField(
        _l("Full name as in your passport"), validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "name"})
    nationality = SelectField(_l("Nationality"), validators=[Optional()], validate_choice=False)
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()],
                              render_kw={"autocomplete": "bday"})
    pass_organisation = StringField(_l("Organisation the pass is for"),
                                    validators=[Optional(), Length(max=300)])
    pass_function = StringField(_l("Your function or title"),
                                validators=[Optional(), Length(max=200)])

    def __init__(self, event: Event, questions: list[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = questions
        modes = event.attendance_modes
        self.attendance_mode.choices = options([(m.value, ATTENDANCE_LABELS[m]) for m in modes])
        if len(modes) == 1 and not self.attendance_mode.data:
            self.attendance_mode.data = modes[0].value
        self.interpretation_language.choices = list(_interpretation_choices(
            _reader_locale(), event.floor_language, tuple(event.interpretation_languages)))
        self.nationality.choices = list(_countries(_reader_locale(), "nationality"))
        premises = premises_name(event)
        if premises:
            self.has_grounds_pass.label.text = _l("Do you hold a valid UN grounds pass for %(premises)s?",
                                                  premises=premises)
        self.has_grounds_pass.data = held_pass_answer(event, self.has_grounds_pass.data)

    @property
    def asks_whether_pass_held(self) -> bool:
        """Pass holders who need not register are not asked whether they hold one."""
        return not pass_holders_walk_in(self.event)

    @property
    def asks_attendance_mode(self) -> bool:
        return len(self.event.attendance_modes) > 1

    @property
    def question_fields(self) -> list[Field]:
        return [self[field_name(q)] for q in self.questions]

    @property
    def pass_detail_fields(self) -> list[Field]:
        return [self[name] for name in PASS_DETAILS]

    def validate_attendance_mode(self, field: RadioField) -> None:
        if field.data not in {m.value for m in self.event.attendance_modes}:
            raise ValidationError(_l("Choose how you will attend."))

    def validate_interpretation_language(self, field: SelectField) -> None:
        if field.data and field.data not in self.event.interpretation_languages:
            raise ValidationError(_l("This event offers no interpretation into that language."))

    def validate_nationality(self, field: SelectField) -> None:
        if field.data and field.data not in dict(country_choices()):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_date_of_birth(self, field: DateField) -> None:
        if field.data and not date(1900, 1, 1) <= field.data < now_utc().date():
            raise ValidationError(_l("Enter your date of birth, as in your passport."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        missing = grounds_pass_errors(self.event, self.data)
        for name, message in missing.items():
            field = self[name]
            if name == "has_grounds_pass" or not field.errors:
                field.errors = [message]
        return valid and not missing

    def answers(self) -> dict[str, Any]:
        return answers(self.questions, self.data)

    def details(self) -> Details:
        """How the person takes part, as the services take it (the manage page, the back office)."""
        return details(self.event, self.questions, self.data)

    def grounds_pass(self) -> GroundsPass | None:
        return grounds_pass(self.event, self.data)


class _TokenWhenShown:
    """A form's CSRF token, signed when the form is shown: a registration accepted at once
    never shows it, and signing it (Flask-WTF does on every form it builds) costs as much as
    several of the form's fields. Rendered, it is what Flask-WTF's generate_csrf() gives, the
    same value for every form of the request."""

    def __init__(self, sign: Callable[[], str]) -> None:
        self._sign = sign

    def __str__(self) -> str:
        return self._sign()

    def __html__(self) -> Markup:
        return escape(self._sign())


class _CSRFSignedWhenShown(FlaskForm.Meta.csrf_class):  # type: ignore[name-defined,misc]
    def generate_csrf_token(self, csrf_token_field: Field) -> _TokenWhenShown:
        return _TokenWhenShown(partial(super().generate_csrf_token, csrf_token_field))


class RegistrationForm(Honeypot, DetailsForm):
    """Who the person is, how they take part, their answers, and their consent."""

    class Meta:
        csrf_class = _CSRFSignedWhenShown

    #: register.html shows who the person is first and the consent last (see fields.error_links)
    page_order = ("name", "email", "organisation", "organisation_type", "country", "*", "consent")

    name = StringField(
        _l("Name to use"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        description=_l("As you want it on lists, badges and emails: it need not be your legal name. "
                       "Only a UN grounds pass needs the name in your passport, asked separately."),
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
    #: The same choices at every event, on the class: posted.plainly_valid reads them there.
    organisation_type = SelectField(
        _l("You are attending for"),
        validators=[InputRequired(_l("Choose what you are attending for."))],
        choices=options([("", _l("Choose one"))] + [
            (k.value, v) for k, v in ORGANISATION_TYPE_LABELS.items()]),
    )
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False,
                          description=_l("Optional."))
    #: Filled in by the browser (static/js/local-time.js) so emails can show the person's own time.
    #: No label: it is never shown, and a default one is looked up in WTForms' catalogue each time.
    timezone = HiddenField("", validators=[Optional(), Length(max=64)])
    confidential = BooleanField(
        _l("Keep my participation confidential"),
        description=_l("Your name is left out of the lists organisers export (unless a manager "
                       "deliberately includes it, which the audit log records), and organisers "
                       "other than managers see a code instead of your name."))
    discreet_emails = BooleanField(
        _l("Keep my emails discreet"),
        description=_l("Their subjects and the calendar entry will not say what the event is "
                       "about, in case someone else reads your inbox or phone. The details stay "
                       "behind the link in each email."))
    consent = BooleanField(
        _l("I agree that my details are used to run this event, as described above."),
        validators=[DataRequired(_l("Please accept the privacy notice to register."))],
    )

    def __init__(self, event: Event, questions: list[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(event, questions, *args, **kwargs)
        self.country.choices = list(_countries(_reader_locale(), "country"))

    def registration_data(self, language: str) -> RegistrationData:
        """The whole registration as services.register takes it; ``language`` is for their emails."""
        return registration_data(self.event, self.questions, self.data, language)

    def validate_country(self, field: SelectField) -> None:
        if field.data and field.data not in dict(country_choices()):
            raise ValidationError(_l("Choose a country from the list."))


class LinkRequestForm(Honeypot, FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254), ValidEmail()],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that my registration is cancelled and my details are deleted for good."),
        validators=[DataRequired(_l("Tick the box to confirm that you want your data erased."))])


def _reader_locale() -> str:
    return str(get_locale() or "en")


#: The first choice of each list of countries: what choosing none means there.
_NO_COUNTRY = {"nationality": _l("Choose a country"), "country": _l("Prefer not to say")}


@lru_cache(maxsize=256)
def _countries(locale: str, field: str) -> tuple[SelectChoice, ...]:
    """The choices of ``field``'s list of countries in ``locale`` (the reader's), made once."""
    return tuple(country_options(_NO_COUNTRY[field]))


@lru_cache(maxsize=256)
def _interpretation_choices(locale: str, floor: str, offered: tuple[str, ...]) -> tuple[SelectChoice, ...]:
    """The interpretation choices in ``locale`` (the reader's: language names are looked up in
    Babel's data for it, which costs more than the rest of the form's choices together)."""
    return tuple(options(
        [("", _l("None: I follow in %(floor)s", floor=language_name(floor)))]
        + [(code, language_name(code)) for code in offered]))


def _with_questions(base: type[DetailsForm], questions: list[Question]) -> type[DetailsForm]:
    """``base`` with a field for each of ``questions``, worded in the reader's language.

    A new class costs WTForms its field set-up again: one is kept per process for each set
    of questions as they read in each language (their every column is in the key, so an edit
    of a question or of the event's main language makes a new one)."""
    if not questions:
        return base
    main = questions[0].event.content_language
    key = (base, _reader_locale(), main, tuple(
        (q.id, q.kind, q.label, q.help_text, q.required, tuple(q.options),
         json.dumps(q.translations or {}, sort_keys=True)) for q in questions))
    return _form_class(key, questions)


def _form_class(key: tuple[Any, ...], questions: list[Question]) -> type[DetailsForm]:
    if (form_class := _FORM_CLASSES.get(key)) is None:
        base = key[0]
        fields = {field_name(q): build_field(q) for q in questions}
        form_class = type(base.__name__, (base,), fields)
        if len(_FORM_CLASSES) >= _FORM_CLASSES_KEPT:
            _FORM_CLASSES.pop(next(iter(_FORM_CLASSES)))  # the oldest first
        _FORM_CLASSES[key] = form_class
    return form_class


#: The classes _with_questions built, by their questions' wording: at most this many kept.
_FORM_CLASSES_KEPT = 256
_FORM_CLASSES: dict[tuple[Any, ...], type[DetailsForm]] = {}


def registration_form_class(questions: list[Question]) -> type[RegistrationForm]:
    """The registration form's class for an event's ``questions``, in the reader's language."""
    return _with_questions(RegistrationForm, questions)  # type: ignore[return-value]


def registration_form(event: Event, questions: list[Question]) -> RegistrationForm:
    return registration_form_class(questions)(event, questions)


def details_form(registration: Registration, questions: list[Question]) -> DetailsForm:
    """The manage page's form, starting from what the registration holds."""
    data: dict[str, Any] = {
        "attendance_mode": registration.attendance_mode.value,
        "interpretation_language": registration.interpretation_language or "",
        "captions": registration.captions,
        "accessibility_needs": registration.accessibility_needs,
        "has_grounds_pass": {True: "yes", False: "no"}.get(registration.has_grounds_pass),  # type: ignore[arg-type]
        "passport_name": registration.passport_name, "nationality": registration.nationality,
        "date_of_birth": registration.date_of_birth,
        "pass_organisation": registration.pass_organisation,
        "pass_function": registration.pass_function,
    }
    for question in questions:
        data[field_name(question)] = field_data(question, (registration.answers or {}).get(question.key))
    return _with_questions(DetailsForm, questions)(registration.event, questions, data=data)
