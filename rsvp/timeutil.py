"""Time: now_utc(), conversion to an event's zone, and the Jinja filters that print times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date, format_interval, format_time
from flask import Flask
from flask_babel import get_locale

_ZONE_NAMES: frozenset[str] | None = None


def now_utc() -> datetime:
    """The current time, timezone-aware in UTC (the only clock the code reads)."""
    return datetime.now(UTC)


def zone(name: str) -> tzinfo:
    """The IANA zone called ``name``.

    :raises KeyError: the name is not an IANA zone.
    """
    if not is_zone(name):
        raise KeyError(name)
    return ZoneInfo(name)


def is_zone(name: str) -> bool:
    global _ZONE_NAMES
    if _ZONE_NAMES is None:
        _ZONE_NAMES = frozenset(available_timezones())
    return name in _ZONE_NAMES


def to_local(moment: datetime, zone_name: str) -> datetime:
    return moment.astimezone(zone(zone_name))


def local_to_utc(naive_local: datetime, zone_name: str) -> datetime:
    """Interpret a wall-clock time entered in ``zone_name`` and return it in UTC."""
    return naive_local.replace(tzinfo=zone(zone_name)).astimezone(UTC)


def zone_abbreviation(moment: datetime, zone_name: str) -> str:
    """The abbreviation in use at ``moment`` ("CEST", "EDT"), or the UTC offset."""
    local = to_local(moment, zone_name)
    abbr = local.tzname() or ""
    if abbr and not abbr.startswith(("+", "-")):
        return abbr
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _locale() -> Locale:
    """The reader's locale, as Babel's object: Babel parses a name again at every call."""
    return get_locale() or _ENGLISH


_ENGLISH = Locale("en")


def format_day(moment: datetime, zone_name: str, fmt: str = "full") -> str:
    """The date in the zone, e.g. "Tuesday, 13 July 2021"."""
    return _calendar_date(to_local(moment, zone_name).date(), fmt, _locale())


def format_calendar_date(day: date, fmt: str = "long") -> str:
    """A date without a time or zone, e.g. a date of birth: "12 March 1990"."""
    return _calendar_date(day, fmt, _locale())


@lru_cache(maxsize=4096)
def _calendar_date(day: date, fmt: str, locale: Locale) -> str:
    """Kept: the overview writes a row per day of registrations (sixty and more), each a
    fraction of a millisecond of Babel's formatting, the same days on every visit."""
    return format_date(day, format=fmt, locale=locale)


def format_clock(moment: datetime, zone_name: str) -> str:
    local, locale = to_local(moment, zone_name), _locale()
    if _minutes_only(locale):  # every offered language: a list page writes fifty times a page
        return _clock(local.hour, local.minute, locale)
    return format_time(local, format="short", locale=locale)


@lru_cache(maxsize=256)
def _minutes_only(locale: Locale) -> bool:
    """Whether the locale's short time shows hours, minutes and the period alone (no seconds, no
    zone), so that it is a function of the hour and the minute."""
    pattern = locale.time_formats["short"].pattern
    return not any(letter in pattern for letter in "sSAzZOvVXx")


@lru_cache(maxsize=8192)
def _clock(hour: int, minute: int, locale: Locale) -> str:
    return format_time(time(hour, minute), format="short", locale=locale)


def _hour_skeleton(locale: Locale) -> str:
    """"hm" where the locale writes 12-hour times (en, ar), "Hm" where 24-hour (fr, zh)."""
    pattern = Locale.parse(locale).time_formats["short"].pattern
    return "hm" if any(letter in pattern for letter in "hK") else "Hm"


def join_date_time(date_text: str, time_text: str, width: str = "full") -> str:
    """A date and a time (or a span of times) joined as the locale joins them: "{1}, {0}" in
    English, "{1} {0}" in Chinese, "{1}، {0}" in Arabic (CLDR's dateTimeFormat of that width)."""
    pattern = _joining(_locale(), width)
    return pattern.replace("{0}", time_text).replace("{1}", date_text)


@lru_cache(maxsize=256)
def _joining(locale: Locale, width: str) -> str:
    # quoted literals ('at') lose their quotes, as babel.dates.format_datetime does
    return str(locale.datetime_formats[width]).replace("'", "")


def format_span(starts_at: datetime, ends_at: datetime, zone_name: str,
                reference_zone: str | None = None) -> str:
    """"2:00 – 3:30 PM CEST", "14:00–15:30 CEST": CLDR's interval format for the locale; the date
    is added where it differs from the reference zone's, or when the span crosses midnight."""
    return _span(starts_at, ends_at, zone_name, reference_zone, _locale())


@lru_cache(maxsize=4096)
def _span(starts_at: datetime, ends_at: datetime, zone_name: str, reference_zone: str | None,
          locale: Locale) -> str:
    """format_span's words, kept: a function of its arguments and the locale alone, and Babel's
    interval formatting costs a tenth of a millisecond and more (every email about an event
    writes its times, a reminder to 100,000 people the same few spans)."""
    start, end = to_local(starts_at, zone_name), to_local(ends_at, zone_name)
    reference = to_local(starts_at, reference_zone or zone_name).date()
    abbreviation = zone_abbreviation(starts_at, zone_name)
    if end.date() == start.date():
        times = format_interval(start, end, _hour_skeleton(locale), tzinfo=start.tzinfo, locale=locale)
        if start.date() != reference:
            times = join_date_time(format_day(starts_at, zone_name, "medium"), times, "medium")
        return f"{times} {abbreviation}"
    # Across midnight CLDR has no interval pattern with both a date and a time: each end is
    # written in full and the two joined by the locale's fallback interval pattern ("{0} – {1}").
    ends = [join_date_time(format_day(moment, zone_name, "medium"), format_clock(moment, zone_name), "medium")
            for moment in (starts_at, ends_at)]
    fallback = str(Locale.parse(locale).interval_formats.get(None, "{0}–{1}"))
    return f"{fallback.replace('{0}', ends[0]).replace('{1}', ends[1])} {abbreviation}"


def time_lines(starts_at: datetime, ends_at: datetime, zone_name: str,
               extra_zones: list[str]) -> list[str]:
    """The span in the event's zone, then in each extra display zone."""
    return [format_span(starts_at, ends_at, name, zone_name)
            for name in [zone_name, *extra_zones] if is_zone(name)]


def format_day_and_span(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """"Tuesday, July 13, 2021, 2:00 – 3:30 PM CEST": the day and the span in one zone (a span
    across midnight names both its dates already)."""
    span = format_span(starts_at, ends_at, zone_name)
    if to_local(starts_at, zone_name).date() != to_local(ends_at, zone_name).date():
        return span
    return join_date_time(format_day(starts_at, zone_name), span)


def format_moment(moment: datetime, zone_name: str, fmt: str = "full") -> str:
    """"Friday, October 24, 2025, 12:00 PM CEST": one instant, in one zone ("Oct 24, 2025, 12:00 PM
    CEST" with ``fmt`` "medium", for a table's column)."""
    return join_date_time(format_day(moment, zone_name, fmt),
                          f"{format_clock(moment, zone_name)} {zone_abbreviation(moment, zone_name)}", fmt)


def iso_utc(moment: datetime) -> str:
    """Machine-readable UTC time for <time datetime> and scripts."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        day=format_day, clock=format_clock, moment=format_moment, iso_utc=iso_utc,
        zone_abbr=zone_abbreviation, calendar_date=format_calendar_date,
    )
    app.jinja_env.globals.update(format_span=format_span, format_day_and_span=format_day_and_span,
                                 time_lines=time_lines, now_utc=now_utc)
