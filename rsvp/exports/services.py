"""Streamed attendee exports in CSV and Excel: chosen columns, questions in form order, safe cells.

Rows come from the database in chunks as plain tuples (no ORM objects, no
identity map), in the order of the names kept opened per process
(rsvp.registrations.opened): the export walks that order a chunk at a time and
asks the database for the rows of each chunk its filters select, so it holds no
list of the rows it exports, whatever their number. CSV is written as
it is read; XLSX is written a row at a time into the zip entry of its sheet
(rsvp.exports.sheet) in a temporary file that is then streamed. Every text cell that a spreadsheet would
read as a formula is neutralised.

An export holds plain values only (the event's time zone, the questions'
keys and kinds), read when it is built: the view commits the audit entry
before the body is written, and a real server ends the request's session
then, so an ORM object read while streaming would break the file off.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from rsvp.events.models import Event, Question, QuestionKind
from rsvp.events.questions import answer_text, questions_for
from rsvp.exports.sheet import FORMULA_STARTS, write_sheet
from rsvp.extensions import db
from rsvp.i18n import country_name, language_name
from rsvp.registrations.erasure import mark_passes_requested as mark_requested
from rsvp.registrations.forms import ATTENDANCE_LABELS, ORGANISATION_TYPE_LABELS, STATUS_LABELS
from rsvp.registrations.kept import folded
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.tracking import (
    COUNTED,
    AttendeeFilter,
    among,
    checked,
    dashboard,
    in_order,
    opened_order,
)
from rsvp.timeutil import to_local

#: Rows fetched from the database at a time.
CHUNK = 1000
_FORMULA_STARTS = FORMULA_STARTS
_FORMULA_FIRST = frozenset(FORMULA_STARTS)



def safe_cell(value: Any) -> Any:
    """Text that would start a formula gets a leading apostrophe; other values pass as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def yes_no(value: bool | None) -> str:
    return "" if value is None else str(_l("Yes") if value else _l("No"))


def _same(value: Any, timezone: str) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: The registration column it reads; None for tables built whole (the brief).
    attr: Any = None
    #: Turns the stored value into what the reader sees, given the event's time zone.
    format: Callable[[Any, str], Any] = _same
    #: The format depends on the value alone: computed once per distinct value per export
    #: (labels and translations are slow to look up one cell at a time).
    repeats: bool = False
    width: int = 18
    personal: bool = True


def _local(moment: datetime | None, timezone: str) -> datetime | None:
    """Excel has no time zones: the wall-clock time in the event's zone, named in the header."""
    return to_local(moment, timezone).replace(tzinfo=None) if moment else None


def _label(labels: dict[Any, Any]) -> Callable[[Any, str], str]:
    return lambda value, timezone: str(labels[value]) if value is not None else ""


R = Registration
#: The registration's own columns, in the order an organiser expects them.
BASE_COLUMNS: dict[str, Column] = {c.key: c for c in [
    Column("name", _l("Name"), R.name, width=24),
    Column("email", _l("Email address"), R.email, width=28),
    Column("organisation", _l("Organisation"), R.organisation, width=28),
    Column("organisation_type", _l("Attending for"), R.organisation_type,
           _label(ORGANISATION_TYPE_LABELS), True, 24, personal=False),
    Column("country", _l("Country"), R.country,
           lambda value, timezone: country_name(value) if value else "", True),
    Column("status", _l("Status"), R.status, _label(STATUS_LABELS), True, 16, personal=False),
    Column("attendance_mode", _l("Attending"), R.attendance_mode, _label(ATTENDANCE_LABELS), True,
           12, personal=False),
    Column("interpretation", _l("Interpretation"), R.interpretation_language,
           lambda value, timezone: language_name(value) if value else "", True, 14, personal=False),
    Column("captions", _l("Closed captions"), R.captions, lambda value, timezone: yes_no(value),
           True, 10, personal=False),
    Column("accessibility_needs", _l("Accessibility needs"), R.accessibility_needs, width=30),
    Column("has_grounds_pass", _l("Holds a UN grounds pass"), R.has_grounds_pass,
           lambda value, timezone: yes_no(value), True, 12),
    Column("registered_at", _l("Registered"), R.created_at, _local, width=18, personal=False),
    Column("checked_in_at", _l("Checked in"), R.checked_in_at, _local, width=18, personal=False),
]}
DEFAULT_COLUMNS = ("name", "email", "organisation", "organisation_type", "country", "status",
                   "attendance_mode", "interpretation", "captions", "accessibility_needs",
                   "registered_at")

GROUNDS_PASS_COLUMNS = [
    Column("passport_name", _l("Full name as in passport"), R.passport_name, width=28),
    Column("nationality", _l("Nationality"), R.nationality,
           lambda value, timezone: country_name(value) if value else "", True),
    Column("date_of_birth", _l("Date of birth"), R.date_of_birth, width=14),
    Column("pass_organisation", _l("Organisation"), R.pass_organisation, width=28),
    Column("pass_function", _l("Function"), R.pass_function, width=22),
    Column("email", _l("Email address"), R.email, width=28),
]


def _question_column(question: Question) -> Column:
    """The answers to ``question``, read with what was known of it when the export was built."""
    key, kind = question.key, question.kind
    # answer_text reads the question's kind only; a transient copy never goes back to the database.
    asked = Question(kind=kind, options=list(question.options))
    texts: dict[Any, Any] = {}

    def read(answers: dict[str, Any] | None, timezone: str) -> Any:
        answer = (answers or {}).get(key)
        if isinstance(answer, list):
            answer = tuple(answer)
        if answer not in texts:
            if answer is not None and kind is QuestionKind.DATE:
                texts[answer] = date.fromisoformat(str(answer))
            else:
                texts[answer] = answer_text(asked, list(answer) if isinstance(answer, tuple)
                                            else answer)
        return texts[answer]

    return Column(f"question_{key}", question.label, R.answers, read, width=24,
                  personal=question.personal_data)


@dataclass
class Export:
    """What to write: a header and a stream of typed rows."""

    columns: list[Column]
    rows: Iterable[list[Any]]
    title: str
    #: The event's time zone, named in the header of its time columns.
    timezone: str = "UTC"

    def header(self) -> list[str]:
        labels = []
        for column in self.columns:
            label = str(column.label)
            if column.key in ("registered_at", "checked_in_at"):
                label = f"{label} ({self.timezone})"
            labels.append(label)
        return labels


def _stream(timezone: str, columns: list[Column], conditions: list[Any],
            chunks: Iterable[list[int]],
            between_chunks: Callable[[int], None] | None = None) -> Iterator[list[Any]]:
    """The rows ``conditions`` select among ``chunks`` of ids, in their order, each chunk a
    query of its own.

    ``chunks`` walk an order found by opening the sealed columns it needs
    (tracking.in_order) and may hold ids the conditions leave out (another status, erased
    meanwhile). ``between_chunks(rows read so far)`` runs after each chunk is read: the worker
    ends the transaction there and records its progress.
    """
    attrs = list(dict.fromkeys(column.attr for column in columns))
    # Per column: where its value lies, and how it is shown (None: as stored; a dict: once per
    # distinct value); most cells take the first branch below.
    plan: list[tuple[int, Callable[[Any, str], Any] | None, dict[Any, Any] | None]] = [
        (attrs.index(column.attr) + 1, None if column.format is _same else column.format,
         {} if column.repeats else None) for column in columns]
    query = sa.select(R.id, *attrs).where(checked(conditions))
    done = 0
    for chunk in chunks:
        # Plain rows through the connection: the ORM's result machinery costs per row.
        found = {row[0]: row for row in db.session.connection().execute(query.where(among(chunk)))}
        done += len(found)
        if between_chunks is not None:
            between_chunks(done)
        for registration_id in chunk:
            row = found.get(registration_id)
            if row is None:
                continue
            values = []
            for position, show, memo in plan:
                raw = row[position]
                if show is None:
                    values.append(raw)
                elif memo is None:
                    values.append(show(raw, timezone))
                else:
                    if raw not in memo:
                        memo[raw] = show(raw, timezone)
                    values.append(memo[raw])
            yield values


def attendee_export(event: Event, selection: AttendeeFilter, keys: Iterable[str] = DEFAULT_COLUMNS,
                    with_questions: bool = True,
                    between_chunks: Callable[[int], None] | None = None) -> Export:
    """The organiser's list, filtered like the screen, with the chosen columns in a fixed order.

    Rows are read in chunks, each in a query of its own (see _stream).
    """
    wanted = set(keys)
    columns = [column for key, column in BASE_COLUMNS.items() if key in wanted]
    if with_questions:
        columns += [_question_column(q) for q in questions_for(event)]
    rows = _stream(event.timezone, columns, selection.conditions(event),
                   in_order(event, selection, R.name, CHUNK), between_chunks)
    return Export(columns, rows, "attendees", event.timezone)


def _needs_pass(event: Event) -> list[Any]:
    return [R.event_id == event.id, R.status == RegistrationStatus.CONFIRMED,
            R.has_grounds_pass.is_(False), R.erased_at.is_(None), R.pass_requested_at.is_(None)]


def mark_passes_requested(event: Event, now: datetime) -> int:
    """Everyone on the grounds-pass list is now requested: their passport details are erased."""
    return mark_requested(sa.and_(*_needs_pass(event)), now)


def grounds_pass_count(event: Event) -> int:
    return db.session.scalar(sa.select(sa.func.count(R.id)).where(*_needs_pass(event))) or 0


def grounds_pass_export(event: Event) -> Export:
    """Those the UN must issue a pass for: confirmed, in person, without a pass."""
    conditions = _needs_pass(event)
    ids = opened_order(event.id, conditions, by=R.passport_name)  # those asked for: a few
    return Export(GROUNDS_PASS_COLUMNS,
                  _stream(event.timezone, GROUNDS_PASS_COLUMNS, conditions,
                          (ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK))),
                  "grounds-passes", event.timezone)


def interpretation_brief(event: Event, with_names: bool = False, with_needs: bool = True) -> Export:
    """For interpreters and captioners: demand per language and mode, then accessibility needs.

    Needs are listed without names unless ``with_names``, and not at all (only counted) without
    ``with_needs``: a need in a person's own words may say who they are.
    """
    board = dashboard(event)
    columns = [Column("need", _l("Need"), width=36, personal=False),
               Column("in_person", _l("In person"), width=12, personal=False),
               Column("online", _l("Online"), width=12, personal=False),
               Column("total", _l("Total"), width=12, personal=False)]
    rows: list[list[Any]] = []
    for code, modes in sorted(board.languages.items(), key=lambda item: item[0] != "floor"):
        label = (_l("No interpretation (floor: %(language)s)",
                    language=language_name(event.floor_language)) if code == "floor"
                 else _l("Interpretation into %(language)s", language=language_name(code)))
        in_person, online = modes.get("in_person", 0), modes.get("online", 0)
        rows.append([str(label), in_person, online, in_person + online])
    rows.append([str(_l("Closed captions")), "", "", board.captions])
    rows.append([str(_l("Accessibility needs")), "", "", board.accessibility])
    needs: Any = [] if not with_needs else db.session.execute(
        sa.select(R.name, R.accessibility_needs, R.attendance_mode)
        .where(R.event_id == event.id, R.status.in_(COUNTED), R.accessibility_needs != ""))
    for name, need, mode in sorted(needs, key=lambda row: folded(row[0])):
        text = f"{name}: {need}" if with_names else need
        rows.append([text, 1 if mode.value == "in_person" else "",
                     1 if mode.value == "online" else "", ""])
    return Export(columns, rows, "interpretation", event.timezone)


def write_csv(export: Export) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads accents right), yielded in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield codecs.BOM_UTF8
    writer.writerow([safe_cell(label) for label in export.header()])
    for n, row in enumerate(export.rows, start=1):
        writer.writerow([_csv_value(value) for value in row])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _csv_value(value: Any) -> Any:
    if type(value) is str:  # the common case first: most cells are text
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def write_xlsx(export: Export, output: IO[bytes] | None = None) -> IO[bytes]:
    """A typed workbook with a frozen, bold header, in ``output`` (default: a temporary file), rewound.

    Written a row at a time into the zip entry of the sheet (rsvp.exports.sheet): memory stays
    flat and no scratch file holds names or addresses.
    """
    output = output or tempfile.TemporaryFile()
    write_sheet(output, export.title, [str(label) for label in export.header()],
                [column.width for column in export.columns], export.rows)
    output.seek(0)
    return output


def file_name(event: Event, what: str, extension: str) -> str:
    """ASCII only, no path or quote characters: "hrc-elections-2021-attendees.csv"."""
    stem = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in f"{event.slug}-{what}")
    return f"{stem.strip('-')[:100]}.{extension}"
