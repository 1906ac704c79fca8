"""The inscription form and the speaker's change form; choices and times come from the event."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from rsvp.events.models import Event
from rsvp.fields import ValidEmail
from rsvp.i18n import country_choices, language_name
from rsvp.privacy.forms import Honeypot
from rsvp.speakers import statements, videos
from rsvp.speakers.files import Upload, VideoUpload
from rsvp.speakers.labels import CATEGORY_LABELS
from rsvp.speakers.lists import statement_languages
from rsvp.speakers.models import STATE_CATEGORIES, SpeakerCategory, SpeakersList

#: What each rule the services enforce says, by form field (the form checks the same first).
MESSAGES = {
    "name": _l("Enter the name of the person who will speak."),
    "delegation": _l("Enter your delegation or organisation."),
    "category": _l("Choose who you speak for from the list."),
    "country": _l("Choose the State: States and national human rights institutions need one."),
    "group_name": _l("Enter the name of the group you speak for, for example “the African Group”."),
    "language": _l("Choose the language of your statement from the event's languages."),
    "email": _l("Enter your email address."),
    "signatories": _l("Signatories are for a statement on behalf of a group: choose States from the list "
                      "and type one organisation per line (up to 200 characters each)."),
}

STATEMENT_PROBLEMS = {
    "empty": _l("The statement file is empty."),
    "too_large": _l("The statement file is too large: the limit is %(size)s MB."),
    "type": _l("The statement file must be a PDF, Word (DOCX), OpenDocument (ODT) or plain text "
               "(UTF-8) file."),
}


VIDEO_PROBLEMS = {
    "empty": _l("The video file is empty."),
    "too_large": _l("The video is too large: the limit is %(size)s MB. Please send a shorter or "
                    "smaller recording."),
    "type": _l("The video must be an MP4 or WebM file (what phones, cameras and video calls record)."),
}


def _megabytes(setting: str = "SPEAKER_STATEMENT_MAX_BYTES") -> str:
    return format_decimal(round(current_app.config[setting] / (1024 * 1024), 1))


def statement_problem(reason: str) -> str:
    return str(STATEMENT_PROBLEMS[reason]) % {"size": _megabytes()}


def video_megabytes() -> str:
    return _megabytes("SPEAKER_VIDEO_MAX_BYTES")


def video_problem(reason: str) -> str:
    return str(VIDEO_PROBLEMS[reason]) % {"size": video_megabytes()}


def _chosen(field: FileField) -> FileStorage | None:
    """The file sent in ``field``, if one was chosen."""
    storage = field.data
    return storage if storage and getattr(storage, "filename", "") else None


class StatementField(FileField):
    """An optional file, read and checked once; ``upload`` holds it when it is acceptable."""

    upload: Upload | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        self.upload = None
        if (storage := _chosen(self)) is None:
            return
        data = storage.read(current_app.config["SPEAKER_STATEMENT_MAX_BYTES"] + 1)
        try:
            statements.check(data)
        except statements.StatementRejected as rejected:
            raise ValidationError(statement_problem(rejected.reason)) from rejected
        self.upload = Upload(storage.filename or "", data)


class VideoField(FileField):
    """An optional video statement, checked by its first bytes and its size without reading it
    whole; ``upload`` holds it when it is acceptable (the upload stays a file on disk)."""

    upload: VideoUpload | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        self.upload = None
        if (storage := _chosen(self)) is not None:
            try:
                videos.check(storage.stream)
            except videos.VideoRejected as rejected:
                raise ValidationError(video_problem(rejected.reason)) from rejected
            self.upload = VideoUpload(storage.filename or "", storage.stream)


def _video_field() -> VideoField:
    return VideoField(_l("Video statement"), render_kw={"accept": "video/mp4,video/webm"})


def _name_field() -> StringField:
    return StringField(_l("Name of the speaker"),
                       validators=[DataRequired(MESSAGES["name"]), Length(max=200)],
                       render_kw={"autocomplete": "name"})


def _language_field() -> SelectField:
    return SelectField(_l("Language of the statement"), validate_choice=False,
                       validators=[InputRequired(MESSAGES["language"])],
                       description=_l("So the interpreters can prepare."))


def _statement_field() -> StatementField:
    return StatementField(_l("Statement for the interpreters"))  # described with its size limit


class _EventChoices:
    """The event's languages and the size limit for the statement; fields are declared in each form,
    in page order."""

    event: Event
    language: SelectField
    statement: StatementField
    video: VideoField

    def _offer_choices(self, event: Event) -> None:
        self.event = event
        self.language.choices = [(code, language_name(code)) for code in statement_languages(event)]
        self.statement.description = _l(
            "Optional. PDF, Word (DOCX), OpenDocument (ODT) or plain text, up to %(size)s MB. "
            "Only the organisers and interpreters receive it.", size=_megabytes())
        self.video.description = _l(
            "Optional, if you cannot be in the room: a recording of your statement, MP4 or WebM, up to "
            "%(size)s MB. The organisers play it from their console when your turn comes; it is never "
            "published.", size=video_megabytes())
        self.video.render_kw = {**(self.video.render_kw or {}),
                                "data-max-bytes": current_app.config["SPEAKER_VIDEO_MAX_BYTES"],
                                "data-too-large": video_problem("too_large")}

    def validate_language(self, field: SelectField) -> None:
        if field.data not in statement_languages(self.event):
            raise ValidationError(MESSAGES["language"])


class InscriptionForm(Honeypot, _EventChoices, FlaskForm):
    name = _name_field()
    delegation = StringField(
        _l("Delegation or organisation"),
        validators=[DataRequired(MESSAGES["delegation"]), Length(max=300)],
        description=_l("For example “Permanent Mission of Lithuania” or “Amnesty International”."),
        render_kw={"autocomplete": "organization"})
    category = SelectField(_l("You speak for"), validate_choice=False,
                           validators=[InputRequired(MESSAGES["category"])])
    # No Optional(): it would stop the chain before validate_country asks for a State.
    country = SelectField(_l("State"), validate_choice=False,
                          description=_l("For a State, and for a national human rights institution: "
                                         "its State."))
    nhri_a_status = BooleanField(
        _l("Our institution is accredited with A status"),
        description=_l("For national human rights institutions: an A-status institution speaks "
                       "straight after its own State."))
    capacity = RadioField(_l("You speak"), validate_choice=False, default="individual",
                          validators=[InputRequired(_l("Choose how you speak."))])
    group_name = StringField(_l("On behalf of"), validators=[Length(max=200)],
                             description=_l("For a statement on behalf of a group: for example "
                                            "“the African Group” or “a group of 12 NGOs”."))
    signatories = SelectMultipleField(
        _l("Signatory States"), validate_choice=False,
        description=_l("For a joint statement: the States that sign it, published with the statement. "
                       "Hold Ctrl (⌘ on a Mac) to choose several."), render_kw={"size": 8})
    signatory_organisations = TextAreaField(
        _l("Other signatories"), validators=[Length(max=20000)],
        description=_l("Organisations that sign the joint statement, one per line."), render_kw={"rows": 3})
    priority_requested = BooleanField(
        _l("We ask for priority among NGOs"),
        description=_l("For NGOs, as the OHCHR guidelines allow: for example when you speak from the "
                       "country concerned. Those who ask speak first among NGOs, in order of inscription."))
    language = _language_field()
    statement = _statement_field()
    video = _video_field()
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(MESSAGES["email"]), Length(max=254), ValidEmail()],
        description=_l("We send your place and time here, with a link to change or withdraw."),
        render_kw={"autocomplete": "email", "spellcheck": "false"})
    confidential = BooleanField(
        _l("Keep my participation confidential"),
        description=_l("Your name never appears on the public speakers list, its feed or the screen in "
                       "the room; only the organisers who run the list see it."))
    consent = BooleanField(
        _l("I agree that these details are used to run the speakers list, as described above."),
        validators=[DataRequired(_l("Please accept the privacy notice to inscribe."))])

    def __init__(self, event: Event, speakers_list: SpeakersList, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._offer_choices(event)
        self.category.choices = [("", _l("Choose one"))] + [
            (c.value, label) for c, label in CATEGORY_LABELS.items()]
        self.country.choices = [("", _l("Not applicable"))] + country_choices()
        self.signatories.choices = country_choices()
        self.capacity.choices = [
            ("individual", _l("For my delegation alone (%(seconds)s seconds)",
                              seconds=speakers_list.individual_seconds)),
            ("group", _l("On behalf of a group (%(seconds)s seconds)",
                         seconds=speakers_list.group_seconds)),
        ]

    @property
    def on_behalf_of_group(self) -> bool:
        return self.capacity.data == "group"

    def validate_category(self, field: SelectField) -> None:
        if field.data not in {c.value for c in SpeakerCategory}:
            raise ValidationError(MESSAGES["category"])

    def validate_capacity(self, field: RadioField) -> None:
        if field.data not in ("individual", "group"):
            raise ValidationError(_l("Choose how you speak."))

    def validate_country(self, field: SelectField) -> None:
        if field.data and field.data not in dict(country_choices()):
            raise ValidationError(_l("Choose a State from the list."))
        needs = self.category.data in {c.value for c in (*STATE_CATEGORIES, SpeakerCategory.NHRI)}
        if needs and not field.data:
            raise ValidationError(MESSAGES["country"])

    def signatories_data(self) -> tuple[tuple[str, str], ...]:
        """The joint statement's signatories for the services: States first, then organisations."""
        if not self.on_behalf_of_group:
            return ()
        states = [("state", code) for code in self.signatories.data or []]
        lines = (self.signatory_organisations.data or "").splitlines()
        return (*states, *(("organisation", line.strip()) for line in lines if line.strip()))

    def validate_signatories(self, field: SelectMultipleField) -> None:
        if set(field.data or []) - set(dict(country_choices())):
            raise ValidationError(_l("Choose the signatory States from the list."))

    def validate_signatory_organisations(self, field: TextAreaField) -> None:
        if any(len(line.strip()) > 200 for line in (field.data or "").splitlines()):
            raise ValidationError(MESSAGES["signatories"])

    def validate_group_name(self, field: StringField) -> None:
        if self.on_behalf_of_group and not (field.data or "").strip():
            raise ValidationError(MESSAGES["group_name"])


class ChangeForm(_EventChoices, FlaskForm):
    """What a speaker may change: not their name, fixed at inscription (a substitution is asked
    of the organisers, with the delegation's authorisation)."""

    language = _language_field()
    statement = _statement_field()
    remove_statement = BooleanField(_l("Remove the statement file I sent"))
    video = _video_field()
    remove_video = BooleanField(_l("Remove the video I sent"))

    def __init__(self, event: Event, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._offer_choices(event)
