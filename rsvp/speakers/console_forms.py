"""The organisers' settings form for an event's speakers list: times entered in the event's zone.

The console's buttons need no form class: the access decorator checks their
CSRF token, and the views read the one value each posts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from rsvp.events.models import Event
from rsvp.fields import OneMessage, WholeNumberField
from rsvp.i18n import country_choices
from rsvp.speakers.labels import CATEGORY_SHORT
from rsvp.speakers.models import STATE_CATEGORIES, SpeakerCategory, SpeakersList
from rsvp.timeutil import local_to_utc, to_local, zone_abbreviation

_MINUTES = (1, 600)
_SECONDS = (5, 3600)
_SECONDS_MESSAGE = _l("Enter a whole number of seconds from %(low)s to %(high)s.",
                      low=_SECONDS[0], high=_SECONDS[1])
#: The settings that are times, entered in the event's zone.
_MOMENTS = ("opens_at", "closes_at", "floor_starts_at")
_PLAIN = ("title", "enabled", "floor_minutes", "individual_seconds", "group_seconds", "reply_seconds",
          "one_per_delegation",
          "public_shows_names")
_KINDS = ("individual", "group")


class MomentField(OneMessage, DateTimeLocalField):
    """An optional date and time, as the browser's date-time picker sends it."""

    message = _l("Enter a date and a time, for example 2025-10-24 14:30.")

    def __init__(self, label: Any, description: Any, **kwargs: Any) -> None:
        super().__init__(label, format="%Y-%m-%dT%H:%M", validators=[Optional()], description=description,
                         **kwargs)


def _seconds(label: Any, required: bool = True, **kwargs: Any) -> WholeNumberField:
    return WholeNumberField(label, *_SECONDS, _SECONDS_MESSAGE, required=required, **kwargs)


class SettingsForm(FlaskForm):
    title = StringField(_l("Name of the list"), validators=[Length(max=200)],
                        description=_l("Where an event has several floors: for example “Questions after "
                                       "segment I”. Empty: “Speakers list” and its number."))
    enabled = BooleanField(_l("Speakers list on: take inscriptions and show the live list"))
    opens_at = MomentField(_l("Inscription opens"), _l("Empty: as soon as the list is on."))
    closes_at = MomentField(_l("Inscription closes"), _l("Empty: when the event ends."))
    floor_starts_at = MomentField(_l("The floor opens for interventions"),
                                  _l("Empty: when the event starts."))
    floor_minutes = WholeNumberField(
        _l("Floor time available (minutes)"), *_MINUTES,
        _l("Enter the floor time in whole minutes, from %(low)s to %(high)s.", low=_MINUTES[0],
           high=_MINUTES[1]),
        description=_l("For all interventions together: the console tells whether the list fits."))
    individual_seconds = _seconds(_l("Time for an individual intervention (seconds)"))
    group_seconds = _seconds(_l("Time for an intervention on behalf of a group (seconds)"))
    reply_seconds = _seconds(_l("Time for a right of reply (seconds)"),
                             description=_l("Rights of reply come after the list, in order of request."))
    one_per_delegation = BooleanField(
        _l("One inscription per delegation"),
        description=_l("A statement on behalf of a group counts apart from the delegation's own."))
    public_shows_names = BooleanField(
        _l("The public live list shows speakers' names"),
        description=_l("Otherwise it shows only their delegation and category."))

    def __init__(self, event: Event, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        zone = f"{event.timezone} ({zone_abbreviation(event.starts_at, event.timezone)})"
        for name in _MOMENTS:
            field = self[name]
            field.description = _l("%(hint)s In the event's time zone, %(zone)s.",
                                   hint=field.description, zone=zone)

    def category_fields(self) -> list[tuple[SpeakerCategory, Any, Any]]:
        """(category, individual field, group field), in the order of the floor."""
        return [(c, self[f"{c.value}_individual"], self[f"{c.value}_group"]) for c in SpeakerCategory]

    def _utc(self, name: str) -> datetime | None:
        value = self[name].data
        return local_to_utc(value, self.event.timezone) if value else None

    def validate_closes_at(self, field: MomentField) -> None:
        opens, closes = self._utc("opens_at"), self._utc("closes_at")
        if opens and closes and closes <= opens:
            raise ValidationError(_l("Inscription must close after it opens."))

    def settings(self, current: SpeakersList | None) -> dict[str, Any]:
        """Keywords for lists.configure(): times in UTC, the per-category exceptions."""
        values: dict[str, Any] = {name: self[name].data for name in _PLAIN}
        values["title"] = (values["title"] or "").strip()
        for name in _MOMENTS:
            moment, kept = self._utc(name), getattr(current, name, None)
            # The page shows whole minutes: a time left as it was keeps its seconds.
            values[name] = kept if kept and moment == kept.replace(second=0, microsecond=0) else moment
        values["category_seconds"] = {
            category.value: {kind: field.data for kind, field in zip(_KINDS, pair, strict=True)
                             if field.data is not None}
            for category, *pair in self.category_fields() if any(f.data is not None for f in pair)}
        return values


class CutForm(FlaskForm):
    """The chair's time cut, for everyone still waiting."""

    individual_seconds = _seconds(_l("Individual intervention, from now on (seconds)"))
    group_seconds = _seconds(_l("On behalf of a group, from now on (seconds)"))


class DrawForm(FlaskForm):
    """Lots drawn for a part of the queue."""

    first_place = WholeNumberField(_l("From place"), 1, 10000,
                                   _l("Enter the places as whole numbers from the queue."))
    last_place = WholeNumberField(_l("To place"), 1, 10000,
                                  _l("Enter the places as whole numbers from the queue."))
    seed = StringField(_l("Seed"), validators=[Length(max=200)],
                       description=_l("Empty: a random one. Published with the result, so anyone can "
                                      "recompute the draw."))
    again = BooleanField(_l("Draw again: the earlier draw stays on record and the new one is published "
                            "beside it"))


class ReplyForm(FlaskForm):
    """A State's right of reply, asked of the secretariat during the meeting."""

    category = SelectField(_l("The State is"))
    country = SelectField(_l("State"), validate_choice=False,
                          validators=[DataRequired(_l("Choose the State that replies."))])
    delegation = StringField(_l("Delegation"), validators=[
        DataRequired(_l("Enter the delegation, for example “Permanent Mission of Lithuania”.")),
        Length(max=300)])
    name = StringField(_l("Name of the speaker"), validators=[Length(max=200)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [(c.value, CATEGORY_SHORT[c]) for c in STATE_CATEGORIES]
        self.country.choices = country_choices()

    def validate_country(self, field: SelectField) -> None:
        if field.data not in dict(country_choices()):
            raise ValidationError(_l("Choose the State that replies."))


class SubstitutionForm(FlaskForm):
    """Another person speaks for a delegation, on its authorisation."""

    name = StringField(_l("New speaker"), validators=[DataRequired(_l("Enter the name of the person who "
                                                                     "will speak instead.")),
                                                      Length(max=200)])
    authorisation = StringField(
        _l("Authorisation"),
        validators=[DataRequired(_l("Say who authorised the substitution, and how.")), Length(max=500)],
        description=_l("Who authorised it, and how: for example “Note verbale of the Permanent Mission, "
                       "6 July”."))


def initial(event: Event, speakers_list: SpeakersList | None) -> dict[str, Any]:
    """The form's values: the list's settings (times in the event's zone), or a new list's."""
    if speakers_list is None:
        return {"title": "", "enabled": True, "floor_minutes": 30, "individual_seconds": 60,
                "group_seconds": 120, "reply_seconds": 180, "one_per_delegation": True,
                "public_shows_names": False}
    values: dict[str, Any] = {name: getattr(speakers_list, name) for name in _PLAIN}
    for name in _MOMENTS:
        moment = getattr(speakers_list, name)
        values[name] = to_local(moment, event.timezone).replace(tzinfo=None) if moment else None
    for category, times in (speakers_list.category_seconds or {}).items():
        for kind in _KINDS:
            values[f"{category}_{kind}"] = times.get(kind)
    return values


def changed(speakers_list: SpeakersList, settings: dict[str, Any]) -> list[str]:
    """The names of the settings that differ from the list's (nothing personal: for the audit log)."""
    return [name for name, value in settings.items() if getattr(speakers_list, name) != value]


def _add_category_fields() -> None:
    # After the rules every category follows: WTForms orders fields by creation.
    for category in SpeakerCategory:
        short = CATEGORY_SHORT[category]
        setattr(SettingsForm, f"{category.value}_individual",
                _seconds(_l("%(category)s, individual (seconds)", category=short), required=False))
        setattr(SettingsForm, f"{category.value}_group",
                _seconds(_l("%(category)s, on behalf of a group (seconds)", category=short),
                         required=False))


_add_category_fields()
