"""The platforms' attendance reports read as they export them (samples in tests/attendance/samples,
laid out as Zoom's webinar attendee report and Teams' attendance download are)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rsvp.attendance import reports

SAMPLES = Path(__file__).parent / "samples"


def by_email(report: reports.Report) -> dict[str, int | None]:
    return {row.email: row.minutes for row in report.rows if row.email}


def test_zoom_webinar_attendee_report():
    report = reports.parse((SAMPLES / "zoom_webinar_attendee_report.csv").read_bytes())
    assert report.platform == "Zoom"
    assert by_email(report) == {
        "host@ishr.example": 68, "glacier@example.org": 65,
        "ana.quispe@example.org": 55,  # two sessions, one person (the address's case aside)
        "marie@example.org": 61, "someone.else@example.org": 40}
    assert "bo@example.org" not in by_email(report)  # registered, "Attended: No"
    (call_in,) = [row for row in report.rows if not row.email]
    assert (call_in.name, call_in.minutes, call_in.role) == ("Call-in user 3", 12, "Attendee")
    roles = {row.email: row.role for row in report.rows}
    assert roles["host@ishr.example"] == "Host" and roles["glacier@example.org"] == "Panelist"


def test_teams_attendance_report_in_utf16_with_its_summary():
    data = (SAMPLES / "teams_attendance_report.csv").read_bytes()
    assert data.startswith(b"\xff\xfe")  # as Teams writes it
    report = reports.parse(data)
    assert report.platform == "Microsoft Teams"
    # "2. Participants" only: "3. In-Meeting activities" lists the same time again.
    assert by_email(report) == {"host@ishr.example": 65, "glacier@example.org": 63,
                                "zhou.li@example.org": 45, "bo@example.org": 1}
    names = {row.email: (row.name, row.role) for row in report.rows}
    assert names["glacier@example.org"] == ("Kwong, Glacier", "Presenter")  # the comma inside
    (guest,) = [row for row in report.rows if not row.email]
    assert (guest.name, guest.minutes) == ("Guest (Unverified)", 15)


def test_the_older_teams_download_with_a_row_per_join():
    text = ("Meeting Summary\nTotal Number of Participants\t2\nMeeting Title\tSide event\n\n"
            "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\tParticipant ID (UPN)\n"
            "Ana\t7/6/2026, 10:00:00 AM\t7/6/2026, 10:20:00 AM\t20m\tana@example.org\tAttendee\t\n"
            "Ana\t7/6/2026, 10:30:00 AM\t7/6/2026, 10:40:20 AM\t10m 20s\tana@example.org\tAttendee\t\n")
    report = reports.parse(text.encode("utf-16"))
    assert by_email(report) == {"ana@example.org": 30}


@pytest.mark.parametrize(("text", "whole", "seconds"), [
    ("42", True, 2520), ("1h 2m 3s", False, 3723), ("10m 59s", False, 659), ("45s", False, 45),
    ("1:02:03", False, 3723), ("soon", False, None), ("", True, None), ("3 hours", False, None)])
def test_durations(text, whole, seconds):
    assert reports.seconds_of(text, whole) == seconds


def test_minutes_round_half_up():
    assert [reports.Row("", "", s).minutes for s in (29, 30, 90, 3750)] == [0, 1, 2, 63]


def test_a_file_that_is_no_attendance_report_is_refused():
    with pytest.raises(reports.UnreadableReport):
        reports.parse(b"Name,Organisation\nAna,ISHR\n")
    with pytest.raises(reports.UnreadableReport):
        reports.parse(b"\x89PNG\r\n\x1a\n\x00\x00")
