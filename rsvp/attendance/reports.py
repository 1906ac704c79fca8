"""The attendance reports meeting platforms export, read into rows of (name, email, minutes).

Two layouts, as the platforms write them:

- **Zoom**, webinar attendee report (Reports > Webinar > Attendee report, CSV, UTF-8): a header
  block ("Attendee Report", "Report Generated:", then a "Topic,Webinar ID,Actual Start Time,
  Actual Duration (minutes),…" line and its values), then sections "Host Details", "Panelist
  Details", "Attendee Details", each with its own header row starting "Attended,User Name
  (Original Name),…" and holding "Email" and "Time in Session (minutes)". A person who left and
  came back has a row per session; a registrant who never came has "Attended" = "No".
- **Microsoft Teams**, meeting attendance report (Attendance > Download, CSV in UTF-16,
  tab-separated): "1. Summary" (meeting title, attended participants, start and end time,
  meeting duration, average attendance time), "2. Participants" with "Name, First join, Last
  leave, In-meeting duration, Email, Participant ID (UPN), Role" and one row per person, then
  "3. In-Meeting activities" with each join and leave again (not counted twice). Durations read
  "1h 2m 3s". The older download ("Meeting Summary", then "Full Name, Join Time, Leave Time,
  Duration, Email, Role") has a row per join.

A row without an email, or with a duration that cannot be read, is kept as it is for the
organiser to see: nothing is guessed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

ZOOM = "Zoom"
TEAMS = "Microsoft Teams"

#: Duration columns, lower-case, and whether they hold whole minutes (else "1h 2m 3s").
_DURATIONS = {"time in session (minutes)": True, "in-meeting duration": False, "duration": False,
              "attendance duration": False}
_SECTION = re.compile(r"^(\d+)\.\s")
_UNITS = re.compile(r"(\d+)\s*(h|m|s)\b", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})$")


class UnreadableReport(ValueError):
    """Not an attendance report of a platform we know; the message says why."""


@dataclass
class Row:
    name: str
    email: str
    #: Seconds, summed over the person's sessions; None when a duration could not be read.
    seconds: int | None
    #: "Host", "Panelist", "Attendee", "Organizer", "Presenter"…, as the report says.
    role: str = ""

    @property
    def minutes(self) -> int | None:
        """Whole minutes, half a minute rounded up (a minute and a half is two)."""
        return None if self.seconds is None else (self.seconds + 30) // 60


@dataclass
class Report:
    platform: str
    rows: list[Row] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Teams writes UTF-16 with a byte-order mark, Zoom UTF-8 (with or without one)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if len(data) > 1 and data[1:2] == b"\x00":  # UTF-16 LE without its mark
        return data.decode("utf-16-le")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def seconds_of(text: str, whole_minutes: bool) -> int | None:
    """ "42" (Zoom's minutes), "1h 2m 3s" or "10m 59s" (Teams), "1:02:03" -> seconds."""
    text = text.strip()
    if whole_minutes:
        return int(text) * 60 if text.isdigit() else None
    clock = _CLOCK.match(text)
    if clock:
        hours, mins, secs = (int(part) for part in clock.groups())
        return hours * 3600 + mins * 60 + secs
    parts = _UNITS.findall(text)
    if not parts or _UNITS.sub("", text).strip():
        return None
    return sum(int(value) * {"h": 3600, "m": 60, "s": 1}[unit.lower()] for value, unit in parts)


def _rows(text: str) -> list[list[str]]:
    first_lines = text[:2000]
    delimiter = "\t" if first_lines.count("\t") > first_lines.count(",") else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


@dataclass(frozen=True)
class _Columns:
    """Where a list of people keeps what we read."""

    email: int
    duration: int
    #: Zoom's whole minutes (and its "Attended" and "User Name" columns), else Teams' durations.
    whole_minutes: bool
    role: int | None


def _header(row: list[str]) -> _Columns | None:
    """The columns, when ``row`` heads a list of people."""
    lowered = [cell.lower() for cell in row]
    if "email" not in lowered:
        return None
    for name, whole in _DURATIONS.items():
        if name in lowered:
            return _Columns(lowered.index("email"), lowered.index(name), whole,
                            lowered.index("role") if "role" in lowered else None)
    return None


def _label(row: list[str]) -> str:
    cells = [cell for cell in row if cell]
    return cells[0] if len(cells) == 1 else ""


def parse(data: bytes) -> Report:
    """The people a Zoom or Teams attendance report names, one row each (sessions summed).

    :raises UnreadableReport: no list of people with an email and a duration was found.
    """
    table = _rows(decode(data))
    platform = None
    section_number: int | None = None
    role = ""
    columns: _Columns | None = None
    people: dict[str, Row] = {}
    nameless: list[Row] = []
    for row in table:
        if not any(row):
            columns = None
            continue
        label = _label(row)
        numbered = _SECTION.match(label)
        if numbered:  # Teams: only "2. Participants" lists each person once
            section_number, columns = int(numbered.group(1)), None
            continue
        if label.endswith(" Details"):  # Zoom: "Host Details", "Attendee Details"…
            role, columns = label.removesuffix(" Details"), None
            continue
        header = _header(row)
        if header is not None:
            columns = header
            platform = ZOOM if header.whole_minutes else TEAMS
            continue
        if columns is None or (section_number is not None and section_number != 2):
            continue
        _add(row, columns, role, people, nameless)
    if platform is None:
        raise UnreadableReport("no list of people with an email and a time attended")
    return Report(platform, [*people.values(), *nameless])


def _add(row: list[str], columns: _Columns, role: str, people: dict[str, Row],
         nameless: list[Row]) -> None:
    if len(row) <= max(columns.email, columns.duration):
        return
    whole = columns.whole_minutes
    if whole and row[0].lower() == "no":  # Zoom: registered, never came
        return
    name = row[1] if whole else row[0]
    email = row[columns.email].strip().lower()
    seconds = seconds_of(row[columns.duration], whole)
    row_role = role or (row[columns.role] if columns.role is not None and len(row) > columns.role
                        else "")
    if not email:
        nameless.append(Row(name, "", seconds, row_role))
        return
    known = people.get(email)
    if known is None:
        people[email] = Row(name, email, seconds, row_role)
    elif known.seconds is not None and seconds is not None:
        known.seconds += seconds  # one row per session
    else:
        known.seconds = None
