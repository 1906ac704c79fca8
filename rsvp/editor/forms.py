"""The event editor's details form, times entered in the event's own zone.

The lists' forms are in rsvp.editor.list_forms, the image's and documents' in
rsvp.editor.file_forms, cancelling's and postponing's in rsvp.editor.lifecycle_forms,
the zones and languages offered in rsvp.editor.choices. Forms check shape;
rsvp.editor.services and rsvp.editor.lists check what depends on the database
(a taken address, seats already given, answers already given).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from rsvp.editor.choices import (
    COMMON_LANGUAGES,
    COMMON_ZONES,
    interface_languages,
    known_languages,
    language_choices,
    zone_choices,
)
from rsvp.editor.services import SLUG_MAX, SLUG_PATTERN, EventDetails, slugify
from rsvp.events.labels import FORMAT_LABELS, PREMISES_LABELS, RULE_LABELS, TYPE_LABELS
from rsvp.events.models import Event, EventFormat, EventType, RegistrationRule, UnPremises
from rsvp.events.questions import MultiCheckboxField, options
from rsvp.fields import ValidEmail, WholeNumberField
from rsvp.i18n import language_name, list_text
from rsvp.timeutil import is_zone, local_to_utc, to_local

#: Reminder offsets offered as checkboxes, in minutes before the start.
COMMON_REMINDERS = {10080: _l("1 week before"), 1440: _l("1 day before"), 60: _l("1 hour before")}
#: The earliest reminder one may type: 60 days before the start.
MAX_REMINDER_MINUTES = 60 * 24 * 60
#: The most seats or places an event may have: more than any venue or meeting holds, and far within
#: what the database's integer column can store (a bigger number would fail there, not on the form).
MAX_CAPACITY = 1_000_000

#: Addresses read left to right on every page, Arabic ones included ("https://…", not "…//:https").
LEFT_TO_RIGHT = {"dir": "ltr"}
WEB_ADDRESS = [Optional(), Length(max=500), URL(require_tld=False, message=_l(
    "Enter a full web address starting with https://"))]


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _lines(text: str | None) -> str:
    """Browsers send a textarea's line breaks as CRLF: stored as LF, so saving what one was shown
    changes nothing."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def local_moment(day: date | None, clock: time | None, zone_name: str) -> datetime | None:
    """A day and a clock time in ``zone_name``, in UTC; None unless both are given."""
    if day is None or clock is None:
        return None
    return local_to_utc(datetime.combine(day, clock), zone_name)


class EventForm(FlaskForm):
    """Every field of an event but its lists, image and status."""

    #: manage/events/details.html's order, for the error summary (fields.error_links)
    page_order = ("content_language", "title", "slug", "move_slug", "event_type", "session", "summary",
                  "description", "timezone", "start_date", "start_time", "end_time", "end_date",
                  "display_zones", "other_zones", "format", "venue", "un_premises", "duty_station",
                  "registration_rule", "livestream_url", "*")

    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the event's title.")),
                                                 Length(max=300)])
    content_language = SelectField(
        _l("Written in"), default="en", validate_choice=False,
        description=_l("The language of the title, summary, description and questions. Visitors who "
                       "read another language see this text where you add no translation (see "
                       "Translations)."))
    slug = StringField(
        _l("Web address"), validators=[Optional(), Length(max=SLUG_MAX), Regexp(
            SLUG_PATTERN.pattern + "$", message=_l(
                "Use lower-case letters, digits and hyphens only, like rights-at-risk-2025."))],
        description=_l("The end of the event page's address, /events/… Lower-case letters, digits and "
                       "hyphens. Leave it empty to make one from the title."),
        render_kw={"spellcheck": "false", "autocomplete": "off"})
    move_slug = BooleanField(_l("Change the address even though the event is public: "
                                "links already shared will stop working"))
    event_type = SelectField(_l("Type of event"),
                             choices=options([(k.value, v) for k, v in TYPE_LABELS.items()]))
    session = StringField(_l("Human Rights Council session"), validators=[Optional(), Length(max=40)],
                          description=_l("Optional, as printed, e.g. HRC47."))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=600)],
                            description=_l("One or two plain sentences for the event listings."))
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: **bold**, *italic*, [a link](https://…), lists with “- ”. It is saved "
                       "as you type it; HTML such as scripts, styles and images is removed wherever it "
                       "is shown. The preview shows exactly what visitors will see."),
        render_kw={"rows": 14})
    format = RadioField(_l("Format"), choices=options([(k.value, v) for k, v in FORMAT_LABELS.items()]),
                        validators=[InputRequired(_l("Choose how people attend."))])
    timezone = SelectField(_l("The event's time zone"), default="Europe/Zurich", validate_choice=False,
                           description=_l("Dates and times below are in this zone."))
    start_date = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    start_time = TimeField(_l("Starts at"), validators=[InputRequired(_l("Enter the start time."))])
    end_date = DateField(_l("Ends on"), validators=[Optional()],
                         description=_l("Only for an event that ends on a later day."))
    end_time = TimeField(_l("Ends at"), validators=[InputRequired(_l("Enter the end time."))])
    display_zones = MultiCheckboxField(_l("Also show the times in"), validate_choice=False)
    other_zones = StringField(
        _l("Other time zones"), validators=[Optional(), Length(max=300)],
        description=_l("IANA names separated by commas, e.g. Asia/Kolkata, America/Mexico_City."),
        render_kw={"spellcheck": "false"})
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)],
                        description=_l("Room and building, e.g. Room XXIV, Palais des Nations, Geneva."))
    un_premises = RadioField(
        _l("UN premises"), default=UnPremises.GENEVA.value,
        choices=options([(k.value, v) for k, v in PREMISES_LABELS.items()]),
        validators=[Optional()],
        description=_l("For people attending in person: the grounds-pass questions and the notice for "
                       "pass holders name this site."))
    duty_station = StringField(_l("Duty station"), validators=[Optional(), Length(max=200)],
                               description=_l("As it should be named to attendees, e.g. the UN Office at "
                                              "Nairobi."))
    registration_rule = RadioField(
        _l("Who must register"), default=RegistrationRule.EVERYONE.value,
        choices=options([(k.value, v) for k, v in RULE_LABELS.items()]), validators=[Optional()])
    livestream_url = URLField(_l("Public livestream"), validators=WEB_ADDRESS, render_kw=LEFT_TO_RIGHT,
                              description=_l("Optional. Shown to everyone on the event page."))
    recording_url = URLField(_l("On-demand recording"), validators=WEB_ADDRESS, render_kw=LEFT_TO_RIGHT,
                             description=_l("Optional. Where the recording can be watched once the "
                                            "event is over; shown to everyone."))
    organiser_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200)],
                                 description=_l("Whom to ask about the event, as shown on its page and in "
                                                "emails, e.g. ISHR Geneva office."))
    organiser_email = EmailField(_l("Contact email"), validators=[Optional(), Length(max=254), ValidEmail()],
                                 render_kw=LEFT_TO_RIGHT,
                                 description=_l("Published on the event page as a link: use an office "
                                                "address rather than a personal one."))
    social_account = StringField(_l("Social media account"), validators=[Optional(), Length(max=100)],
                                 description=_l("As printed, e.g. @ISHRglobal."))
    hashtag = StringField(_l("Hashtag"), validators=[Optional(), Length(max=100), Regexp(
        r"^#?[^\s#]+$", message=_l("One hashtag, without spaces, e.g. #HRCelections2021."))])
    join_url = URLField(
        _l("Private link to join online"), validators=WEB_ADDRESS, render_kw=LEFT_TO_RIGHT,
        description=_l("Private: sent only to confirmed online participants, by email and on their "
                       "registration page. Never shown on the event page or in calendar files."))
    floor_language = SelectField(_l("Floor language"), default="en", validate_choice=False)
    interpretation = MultiCheckboxField(_l("Simultaneous interpretation into"), validate_choice=False)
    other_interpretation = StringField(
        _l("Other interpretation languages"), validators=[Optional(), Length(max=100)],
        description=_l("Two-letter codes separated by commas, e.g. de, sw."))
    captions = MultiCheckboxField(_l("Closed captions in"), validate_choice=False)
    other_captions = StringField(_l("Other caption languages"), validators=[Optional(), Length(max=100)],
                                 description=_l("Two-letter codes separated by commas."))
    opens_date = DateField(_l("Registration opens on"), validators=[Optional()],
                           description=_l("Optional: empty means as soon as the event is published."))
    opens_time = TimeField(_l("at"), validators=[Optional()])
    closes_date = DateField(_l("Registration closes on"), validators=[Optional()],
                            description=_l("Optional: empty means when the event starts."))
    closes_time = TimeField(_l("at"), validators=[Optional()])
    capacity_in_person = WholeNumberField(
        _l("Seats in the room"), 0, MAX_CAPACITY, _l("Enter a number of seats from 0 to 1,000,000."),
        required=False, description=_l("Empty means no limit. For in-person and hybrid events."))
    capacity_online = WholeNumberField(
        _l("Places online"), 0, MAX_CAPACITY, _l("Enter a number of places from 0 to 1,000,000."),
        required=False, description=_l("Empty means no limit. For online and hybrid events."))
    waitlist_enabled = BooleanField(_l("Waiting list when full: freed seats go to the next person"),
                                    default=True)
    approval_required = BooleanField(_l("Organisers approve each registration"))
    double_opt_in = BooleanField(_l("People confirm their email address before their registration counts"))
    grounds_pass_required = BooleanField(
        _l("Ask in-person participants whether they hold a UN grounds pass, and the details to "
           "request one for those who do not"))
    discreet_emails = BooleanField(
        _l("Discreet emails for everyone: subjects and calendar entries do not say what the event "
           "is about"),
        description=_l("For events whose subject could put attendees at risk if someone else reads "
                       "their inbox. Each person can also ask for it on the form."))
    reminders = MultiCheckboxField(_l("Reminders by email"), validate_choice=False, default=["1440", "60"])
    other_reminders = StringField(
        _l("Other reminders"), validators=[Optional(), Length(max=100)],
        description=_l("Minutes before the start, separated by commas, e.g. 30, 180."))
    retention_days = WholeNumberField(
        _l("Keep participants' personal data for"), 1, 3650, _l("Enter between 1 and 3650 days."),
        default=30, description=_l("Days after the event; then names, addresses and answers are erased."))
    privacy_notice = TextAreaField(
        _l("Privacy notice"), validators=[Optional(), Length(max=4000)],
        description=_l("Shown above the consent box on the registration form: who you are, why you "
                       "ask for each detail, who sees it. Leave empty for the standard notice."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = options(zone_choices())
        self.display_zones.choices = options([(z, z.replace("_", " ")) for z in COMMON_ZONES])
        languages = language_choices()
        self.floor_language.choices = options(languages)
        self.content_language.choices = options([(code, language_name(code))
                                                 for code in interface_languages()])
        common = options([(code, language_name(code)) for code in COMMON_LANGUAGES])
        self.interpretation.choices = common
        self.captions.choices = common
        self.reminders.choices = options([(str(k), v) for k, v in COMMON_REMINDERS.items()])

    # -- shape checks -------------------------------------------------------------------------

    def validate_timezone(self, field: SelectField) -> None:
        if not is_zone(field.data or ""):
            raise ValidationError(_l("Choose the event's time zone from the list."))

    def validate_other_zones(self, field: StringField) -> None:
        unknown = [name for name in _split(field.data) if not is_zone(name)]
        if unknown:
            raise ValidationError(_l("%(names)s: not a time zone we know. Use IANA names such as "
                                     "America/New_York.", names=list_text(unknown)))

    def validate_content_language(self, field: SelectField) -> None:
        if field.data not in interface_languages():
            raise ValidationError(_l("Choose the language of the text from the list."))

    def validate_floor_language(self, field: SelectField) -> None:
        if field.data not in known_languages():
            raise ValidationError(_l("Choose the floor language from the list."))

    def _check_codes(self, field: StringField) -> None:
        unknown = [code for code in _split(field.data) if code.lower() not in known_languages()]
        if unknown:
            raise ValidationError(_l("%(codes)s: not a two-letter language code we know (e.g. de for "
                                     "German).", codes=list_text(unknown)))

    validate_other_interpretation = _check_codes
    validate_other_captions = _check_codes

    def validate_other_reminders(self, field: StringField) -> None:
        for part in _split(field.data):
            if not part.isdecimal() or not 1 <= int(part) <= MAX_REMINDER_MINUTES:
                raise ValidationError(_l("Enter whole numbers of minutes, e.g. 30, 180."))

    def validate_un_premises(self, field: RadioField) -> None:
        # Here, not on duty_station: an empty optional field skips its own checks.
        if field.data == UnPremises.OTHER.value and not (self.duty_station.data or "").strip():
            raise ValidationError(_l("Name the UN duty station below."))

    def validate_registration_rule(self, field: RadioField) -> None:
        on_premises = (self.un_premises.data != UnPremises.NONE.value
                       and self.format.data != EventFormat.ONLINE.value)
        if field.data == RegistrationRule.NOBODY.value and not self.livestream_url.data:
            raise ValidationError(_l("A watch-only event needs its public livestream: give its address "
                                     "under Where."))
        if field.data == RegistrationRule.WITHOUT_PASS.value and not on_premises:
            raise ValidationError(_l("Pass holders can come straight in only to an event on UN premises: "
                                     "choose the UN premises above, or let everyone register."))

    def validate_end_time(self, field: TimeField) -> None:
        # The service refuses it too; saying it here keeps it next to the field.
        start = (self.start_date.data, self.start_time.data)
        if None in start or field.data is None:
            return
        end = datetime.combine(self.end_date.data or self.start_date.data, field.data)
        if end <= datetime.combine(*start):  # type: ignore[arg-type]
            raise ValidationError(_l("The event must end after it starts."))

    def _pair(self, day: DateField, clock: TimeField) -> None:
        if bool(day.data) != bool(clock.data):
            clock.errors = [*clock.errors, _l("Give both the date and the time, or neither.")]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for day, clock in ((self.opens_date, self.opens_time), (self.closes_date, self.closes_time)):
            self._pair(day, clock)
        return valid and not self.opens_time.errors and not self.closes_time.errors

    # -- between the form and the service -------------------------------------------------------

    def details(self) -> EventDetails:
        zone = self.timezone.data
        starts_at = local_moment(self.start_date.data, self.start_time.data, zone)
        ends_at = local_moment(self.end_date.data or self.start_date.data, self.end_time.data, zone)
        assert starts_at is not None and ends_at is not None  # required fields
        zones = [z for z in COMMON_ZONES if z in (self.display_zones.data or [])]
        zones += [z for z in _split(self.other_zones.data) if z not in zones and z != zone]
        # Only the offered boxes: a forged value would reach the worker's date arithmetic unchecked.
        reminders = {m for m in COMMON_REMINDERS if str(m) in (self.reminders.data or [])}
        reminders |= {int(m) for m in _split(self.other_reminders.data)}
        rule = RegistrationRule(self.registration_rule.data or RegistrationRule.EVERYONE.value)
        premises = UnPremises(self.un_premises.data or UnPremises.GENEVA.value)
        watch_only = rule is RegistrationRule.NOBODY
        return EventDetails(
            title=self.title.data.strip(), slug=(self.slug.data or "").strip() or slugify(self.title.data),
            event_type=EventType(self.event_type.data), session=(self.session.data or "").strip() or None,
            summary=(self.summary.data or "").strip(), description=_lines(self.description.data),
            format=EventFormat(self.format.data), starts_at=starts_at, ends_at=ends_at, timezone=zone,
            display_timezones=[z for z in zones if z != zone],
            venue=_text(self.venue.data), livestream_url=self.livestream_url.data or None,
            join_url=None if watch_only else self.join_url.data or None,
            floor_language=self.floor_language.data,
            interpretation_languages=_languages(self.interpretation.data, self.other_interpretation.data),
            caption_languages=_languages(self.captions.data, self.other_captions.data),
            registration_opens_at=local_moment(self.opens_date.data, self.opens_time.data, zone),
            registration_closes_at=local_moment(self.closes_date.data, self.closes_time.data, zone),
            capacity_in_person=self.capacity_in_person.data,
            capacity_online=self.capacity_online.data,
            waitlist_enabled=self.waitlist_enabled.data, approval_required=self.approval_required.data,
            double_opt_in=self.double_opt_in.data,
            grounds_pass_required=self.grounds_pass_required.data and premises is not UnPremises.NONE,
            discreet_emails=self.discreet_emails.data,
            reminder_offsets=sorted(reminders, reverse=True), retention_days=self.retention_days.data,
            privacy_notice=_lines(self.privacy_notice.data).strip(),
            content_language=self.content_language.data,
            registration_rule=rule, un_premises=premises,
            duty_station=_text(self.duty_station.data) if premises is UnPremises.OTHER else None,
            recording_url=self.recording_url.data or None, organiser_name=_text(self.organiser_name.data),
            organiser_email=_text(self.organiser_email.data), social_account=_text(self.social_account.data),
            hashtag=_hashtag(self.hashtag.data))


def _hashtag(text: str | None) -> str | None:
    tag = (text or "").strip().lstrip("#")
    return f"#{tag}" if tag else None


def _languages(checked: list[str] | None, other: str | None) -> list[str]:
    codes = [c for c in COMMON_LANGUAGES if c in (checked or [])]
    return codes + [c.lower() for c in _split(other) if c.lower() not in codes]


def form_data(event: Event) -> dict[str, Any]:
    """The details form's starting values for ``event``, times in its own zone."""
    zone = event.timezone
    start, end = to_local(event.starts_at, zone), to_local(event.ends_at, zone)
    opens = event.registration_opens_at and to_local(event.registration_opens_at, zone)
    closes = event.registration_closes_at and to_local(event.registration_closes_at, zone)
    columns = ("title", "slug", "session", "summary", "description", "timezone", "venue",
               "livestream_url", "join_url", "floor_language", "capacity_in_person", "capacity_online",
               "waitlist_enabled", "approval_required", "double_opt_in", "grounds_pass_required",
               "discreet_emails", "retention_days", "privacy_notice", "content_language", "duty_station",
               "recording_url", "organiser_name", "organiser_email", "social_account", "hashtag")
    return {
        **{name: getattr(event, name) for name in columns},
        "event_type": event.event_type.value, "format": event.format.value,
        "registration_rule": event.registration_rule.value, "un_premises": event.un_premises.value,
        "start_date": start.date(), "start_time": start.time(),
        "end_date": end.date() if end.date() != start.date() else None, "end_time": end.time(),
        "display_zones": [z for z in event.display_timezones if z in COMMON_ZONES],
        "other_zones": ", ".join(z for z in event.display_timezones if z not in COMMON_ZONES),
        "interpretation": [c for c in event.interpretation_languages if c in COMMON_LANGUAGES],
        "other_interpretation": ", ".join(c for c in event.interpretation_languages
                                          if c not in COMMON_LANGUAGES),
        "captions": [c for c in event.caption_languages if c in COMMON_LANGUAGES],
        "other_captions": ", ".join(c for c in event.caption_languages if c not in COMMON_LANGUAGES),
        "opens_date": opens.date() if opens else None, "opens_time": opens.time() if opens else None,
        "closes_date": closes.date() if closes else None, "closes_time": closes.time() if closes else None,
        "reminders": [str(m) for m in event.reminder_offsets if m in COMMON_REMINDERS],
        "other_reminders": ", ".join(str(m) for m in event.reminder_offsets if m not in COMMON_REMINDERS),
    }
