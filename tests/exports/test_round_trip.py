"""Every export read back with csv and openpyxl equals the rows it was made from: in name
order across many chunks, filtered, with text a spreadsheet or XML would mangle."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.exports import services as exports
from rsvp.exports.sheet import column_letters, write_sheet
from rsvp.extensions import db
from rsvp.registrations.kept import folded
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.selfservice import erase
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import to_local
from tests.factories import make_event, make_registration

S = RegistrationStatus
AWKWARD = ["Zoë Ngọc", "=SUM(A1:A2)", "+41 22 555", "@ngo", "-minus", "a & b <c> \"d\" 'e'",
           " spaced ", "tab\there", "line\nbreak", "ctrl\x01char", "مرحبا", "李雷", "", "😀 emoji"]
COLUMNS = ("name", "email", "organisation", "status", "attendance_mode", "accessibility_needs",
           "registered_at", "checked_in_at")


@pytest.fixture
def event(db_session, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 4)  # many chunks for a few rows
    event = make_event(format=EventFormat.HYBRID, timezone="Asia/Kathmandu")  # 5:45 ahead
    pick = random.Random(11)
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for i in range(37):
        make_registration(
            event, name=f"{pick.choice(AWKWARD)} {i}", organisation=pick.choice(AWKWARD),
            accessibility_needs=pick.choice(["", "Step-free", "=1+1", "x & <y>"]),
            status=pick.choice([S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.CANCELLED]),
            attendance_mode=pick.choice(list(AttendanceMode)),
            created_at=start + timedelta(hours=i, seconds=i),
            checked_in_at=start + timedelta(days=3, minutes=i) if i % 4 == 0 else None)
    erase(make_registration(event, name="Erased One"), actor="test")
    make_registration(make_event(), name="Elsewhere")
    db.session.commit()
    return event


def guarded(text: str) -> str:
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def expected(event, selection: AttendeeFilter) -> list[list[object]]:
    """What each row must hold, computed from the registrations without the export's code."""
    rows = db.session.scalars(sa.select(Registration).where(*selection.conditions(event))).all()
    rows = sorted(rows, key=lambda r: (folded(r.name), r.id))
    zone = event.timezone
    return [[r.name, r.email, r.organisation, r.status.value, r.attendance_mode.value,
             r.accessibility_needs,
             to_local(r.created_at, zone).replace(tzinfo=None),
             to_local(r.checked_in_at, zone).replace(tzinfo=None) if r.checked_in_at else None]
            for r in rows]


def labels(row: list[object]) -> list[object]:
    """The status and mode as the export names them."""
    return [*row[:3], {"confirmed": "Confirmed", "waitlisted": "Waiting list",
                       "cancelled": "Cancelled"}[row[3]],
            {"in_person": "In person", "online": "Online"}[row[4]], *row[5:]]


@pytest.mark.parametrize("selection", [AttendeeFilter(), AttendeeFilter(statuses=(S.CONFIRMED,)),
                                       AttendeeFilter(mode=AttendanceMode.IN_PERSON),
                                       AttendeeFilter(search="NGỌC")])
def test_csv_and_xlsx_read_back_equal_the_rows(event, selection):
    wanted = [labels(row) for row in expected(event, selection)]
    if selection.search:
        needle = folded(selection.search)
        wanted = [row for row in wanted if any(needle in folded(str(text)) for text in row[:3])]
    assert wanted  # the filter selects someone

    data = b"".join(exports.write_csv(exports.attendee_export(event, selection, COLUMNS, False)))
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[1:] == [[guarded(v) if isinstance(v, str) else
                         v.strftime("%Y-%m-%d %H:%M") if v else "" for v in row] for row in wanted]

    sheet = load_workbook(exports.write_xlsx(
        exports.attendee_export(event, selection, COLUMNS, False))).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == read[0]  # the same header
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    for got, row in zip(cells[1:], wanted, strict=True):
        assert got[:6] == [guarded(v).replace("\x01", "_x0001_") or None for v in row[:6]]
        for moment, cell in zip(row[6:], got[6:], strict=True):  # real dates, to the second
            assert (cell is None) if moment is None else abs(cell - moment) < timedelta(seconds=1)


def test_column_letters_go_past_z():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_text_that_reads_like_excels_escape_comes_back_as_typed():
    """Excel reads "_xHHHH_" in a cell's XML as the character HHHH (ECMA-376 ST_Xstring): a
    person who typed "_x0041_" must not see "A", nor a control character turn into another."""
    typed = ["_x0041_ and _x000D_", "a\x01b", "_x12_ and _xZZZZ_"]
    book = io.BytesIO()
    write_sheet(book, "Sheet", ["Typed"], [10], [[text] for text in typed])
    cells = [cell.value for cell in load_workbook(io.BytesIO(book.getvalue())).active["A"][1:]]

    def as_excel_reads(text: str) -> str:
        return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda found: chr(int(found.group(1), 16)), text)

    assert [as_excel_reads(cell) for cell in cells] == typed
