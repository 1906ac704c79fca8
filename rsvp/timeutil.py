"""Time: now_utc(), conversion to an event's zone, and the Jinja filters that print times."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_time
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


def _locale() -> str:
    return str(get_locale() or "en")


def format_day(moment: datetime, zone_name: str, fmt: str = "full") -> str:
    """The date in the zone, e.g. "Tuesday, 13 July 2021"."""
    return format_date(to_local(moment, zone_name), format=fmt, locale=_locale())


def format_calendar_date(day: date) -> str:
    """A date without a time or zone, e.g. a date of birth: "12 March 1990"."""
    return format_date(day, format="long", locale=_locale())


def format_clock(moment: datetime, zone_name: str) -> str:
    return format_time(to_local(moment, zone_name), format="short", locale=_locale())


def format_span(starts_at: datetime, ends_at: datetime, zone_name: str,
                reference_zone: str | None = None) -> str:
    """"14:00–15:30 CEST"; a date is added where it differs from the reference zone's."""
    start, end = to_local(starts_at, zone_name), to_local(ends_at, zone_name)
    reference = to_local(starts_at, reference_zone or zone_name).date()
    start_text = format_clock(starts_at, zone_name)
    if start.date() != reference:
        start_text = f"{format_day(starts_at, zone_name, 'medium')} {start_text}"
    end_text = format_clock(ends_at, zone_name)
    if end.date() != start.date():
        end_text = f"{format_day(ends_at, zone_name, 'medium')} {end_text}"
    return f"{start_text}–{end_text} {zone_abbreviation(starts_at, zone_name)}"


def time_lines(starts_at: datetime, ends_at: datetime, zone_name: str,
               extra_zones: list[str]) -> list[str]:
    """The span in the event's zone, then in each extra display zone."""
    return [format_span(starts_at, ends_at, name, zone_name)
            for name in [zone_name, *extra_zones] if is_zone(name)]


def format_moment(moment: datetime, zone_name: str) -> str:
    """"Friday, 24 October 2025, 12:00 CEST": one instant, in one zone."""
    return (f"{format_day(moment, zone_name)}, {format_clock(moment, zone_name)} "
            f"{zone_abbreviation(moment, zone_name)}")


def iso_utc(moment: datetime) -> str:
    """Machine-readable UTC time for <time datetime> and scripts."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        day=format_day, clock=format_clock, moment=format_moment, iso_utc=iso_utc, zone_abbr=zone_abbreviation
    )
    app.jinja_env.globals.update(format_span=format_span, time_lines=time_lines, now_utc=now_utc)
