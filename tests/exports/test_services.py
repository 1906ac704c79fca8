"""Exports read back with csv and openpyxl: columns, order, values, time zones, the formula guard."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from rsvp.events.models import AttendanceMode, EventFormat, Question, QuestionKind
from rsvp.exports import services as exports
from rsvp.extensions import db
from rsvp.registrations.models import RegistrationStatus
from rsvp.registrations.tracking import AttendeeFilter
from tests.factories import make_event, make_registration

REGISTERED = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
def event(db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV", timezone="Europe/Zurich",
                       grounds_pass_required=True)
    questions = [
        Question(event_id=event.id, kind=QuestionKind.YES_NO, label="Journalist?", position=2),
        Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label="Question to the panel",
                 position=1),
        Question(event_id=event.id, kind=QuestionKind.DATE, label="Arrival date", position=3),
    ]
    db.session.add_all(questions)
    db.session.commit()
    journalist, question, arrival = (str(q.id) for q in questions)
    make_registration(event, name="Zoë Ngọc", email="zoe@example.org", organisation="Défense",
                      country="VN", interpretation_language="fr", captions=True,
                      created_at=REGISTERED,
                      answers={journalist: True, question: "=HYPERLINK(\"http://evil\")",
                               arrival: "2026-07-03"})
    make_registration(event, name="Adam", email="adam@example.org", organisation="+41 22 555",
                      attendance_mode=AttendanceMode.IN_PERSON, has_grounds_pass=False,
                      passport_name="ADAM Smith", nationality="GB", date_of_birth=date(1980, 1, 2),
                      pass_organisation="@ngo", pass_function="Advocate",
                      created_at=REGISTERED + timedelta(hours=1), answers={journalist: False})
    make_registration(event, name="Gone", status=RegistrationStatus.CANCELLED)
    return event


def excel(*parts: int) -> datetime:
    """Excel cells have no time zone: what openpyxl reads back is a naive wall-clock time."""
    return datetime(*parts)  # noqa: DTZ001


def read_csv(export) -> list[list[str]]:
    data = b"".join(exports.write_csv(export))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(export) -> list[list]:
    workbook = load_workbook(exports.write_xlsx(export))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_csv_has_the_chosen_columns_then_questions_in_form_order(event):
    selection = AttendeeFilter(statuses=(RegistrationStatus.CONFIRMED,))
    rows = read_csv(exports.attendee_export(event, selection))
    assert rows[0] == ["Name", "Email address", "Organisation", "Attending for", "Country",
                       "Status", "Attending", "Interpretation", "Closed captions",
                       "Accessibility needs", "Registered (Europe/Zurich)",
                       "Question to the panel", "Journalist?", "Arrival date"]
    adam, zoe = rows[1], rows[2]  # alphabetical; the cancelled one is filtered out
    assert zoe[:3] == ["Zoë Ngọc", "zoe@example.org", "Défense"]
    assert zoe[4:9] == ["Vietnam", "Confirmed", "Online", "French", "Yes"]
    assert zoe[10] == "2026-07-01 14:30"  # 12:30 UTC is 14:30 in Geneva in July
    assert zoe[11:] == ["'=HYPERLINK(\"http://evil\")", "Yes", "2026-07-03"]
    assert adam[2] == "'+41 22 555" and adam[6] == "In person" and adam[12] == "No"
    assert len(rows) == 3


def test_xlsx_has_typed_cells_and_no_formula(event):
    rows = read_xlsx(exports.attendee_export(
        event, AttendeeFilter(), keys=("name", "registered_at", "captions")))
    # The order is the list's, whatever order the columns were ticked in.
    assert rows[0] == ["Name", "Closed captions", "Registered (Europe/Zurich)",
                       "Question to the panel", "Journalist?", "Arrival date"]
    zoe = next(row for row in rows if row[0] == "Zoë Ngọc")
    assert zoe[2] == excel(2026, 7, 1, 14, 30)  # a real date, in the event's zone
    assert zoe[1] == "Yes" and zoe[5] == excel(2026, 7, 3)
    assert zoe[3] == "'=HYPERLINK(\"http://evil\")"
    workbook = load_workbook(exports.write_xlsx(exports.attendee_export(event, AttendeeFilter())))
    assert not any(cell.data_type == "f" for row in workbook.active.iter_rows() for cell in row)


def test_grounds_pass_list_holds_only_who_needs_one_with_what_the_un_needs(event):
    rows = read_xlsx(exports.grounds_pass_export(event))
    assert rows[0] == ["Full name as in passport", "Nationality", "Date of birth",
                       "Organisation", "Function", "Email address"]
    assert rows[1:] == [["ADAM Smith", "United Kingdom", excel(1980, 1, 2), "'@ngo",
                         "Advocate", "adam@example.org"]]


def test_interpretation_brief_counts_without_names_unless_asked(event):
    make_registration(event, name="Secret Person", interpretation_language="fr",
                      accessibility_needs="Sign language (IS)")
    rows = read_csv(exports.interpretation_brief(event))
    assert rows[0] == ["Need", "In person", "Online", "Total"]
    assert ["Interpretation into French", "0", "2", "2"] in rows
    assert ["No interpretation (floor: English)", "1", "0", "1"] in rows
    assert ["Accessibility needs", "", "", "1"] in rows
    assert ["Sign language (IS)", "", "1", ""] in rows
    assert "Secret Person" not in str(rows)
    named = read_csv(exports.interpretation_brief(event, with_names=True))
    assert ["Secret Person: Sign language (IS)", "", "1", ""] in named


def test_file_names_are_safe(event):
    event.slug = 'a"b/../c'
    assert exports.file_name(event, "attendees", "csv") == "a-b----c-attendees.csv"


def test_an_excel_export_broken_off_leaves_no_copy_in_the_temporary_folder(event, tmp_path,
                                                                           monkeypatch):
    def rows():
        for n in range(3000):
            yield [f"Zoë Ngọc {n}"]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError):
        exports.write_xlsx(exports.Export([exports.BASE_COLUMNS["name"]], rows(), "attendees"))
    assert list(tmp_path.iterdir()) == []  # the rows written so far were in anonymous files only


def test_read_in_chunks_the_list_is_the_same_each_row_once(event, monkeypatch):
    for name in ("adam", "ADAM", "Adam"):  # one place in the order: the chunks split them
        make_registration(event, name=name)
    monkeypatch.setattr(exports, "CHUNK", 2)
    read_so_far: list[int] = []
    whole = read_csv(exports.attendee_export(event, AttendeeFilter()))
    chunked = read_csv(exports.attendee_export(event, AttendeeFilter(), between_chunks=read_so_far.append))
    assert chunked == whole and len(whole) == 1 + 6
    assert read_so_far == [2, 4, 6]  # what the organiser's progress shows
