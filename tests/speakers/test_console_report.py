"""Speaking time afterwards: the report page and its CSV files, read back with csv."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy.models import AuditAction, AuditEntry
from rsvp.speakers import live
from rsvp.speakers.models import SpeakerCategory
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers.test_console import console, signed_in


@pytest.fixture
def event(db_session):
    event = make_event(slug="hrc-side-event", timezone="Europe/Zurich")
    make_speakers_list(event)
    now = now_utc().replace(microsecond=0)
    state = make_speaker(event, delegation="Permanent Mission of Lithuania", name="Tomas Petrauskas",
                         category=SpeakerCategory.MEMBER_STATE, country="LT")
    group = make_speaker(event, delegation="=HYPERLINK(\"http://evil.example\")", name="+41 22 000",
                         on_behalf_of_group=True, group_name="-a group of 14 NGOs")
    absent = make_speaker(event, delegation="@ISHR", name="Daniel Moreau")
    make_speaker(event, delegation="CIVICUS", name="Lysa John")  # still waiting
    live.start(group, now - timedelta(seconds=130))
    live.mark_delivered(group, now)  # 130 of 120 seconds
    live.start(state, now + timedelta(seconds=5))
    live.mark_delivered(state, now + timedelta(seconds=50))  # 45 of 60
    live.mark_absent(absent)
    db.session.commit()
    return event


def rows_of(response) -> list[list[str]]:
    assert response.data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_report_page_gives_time_allowed_and_used_per_category_and_per_speaker(client, event):
    signed_in(client, event, Role.VIEWER)
    page = client.get(console(event, "/report")).get_data(as_text=True)
    per_category = page.split('id="categories-caption"')[1].split("</table>")[0]
    assert per_category.count("<tr>") == 4  # header, member States, NGOs, the total
    assert "+0:10" in per_category and "−0:15" in per_category and "−0:05" in per_category
    per_speaker = page.split('id="speakers-caption"')[1].split("</table>")[0]
    assert per_speaker.index("HYPERLINK") < per_speaker.index("Lithuania") < per_speaker.index("CIVICUS")
    assert "Absent" in per_speaker and "Inscribed" in per_speaker


def test_per_speaker_csv_is_utf8_with_bom_formula_safe_and_recorded(client, event):
    organiser = signed_in(client, event, Role.VIEWER)
    response = client.get(console(event, "/report/speakers.csv"))
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="hrc-side-event-speaking-time.csv"')
    header, *rows = rows_of(response)
    assert header == ["Order", "Delegation or organisation", "Speaker", "Category", "On behalf of",
                      "Signatories", "Language", "State", "Spoke at (Europe/Zurich)", "Seconds allowed",
                      "Seconds used", "Seconds over (+) or under (-)", "Draws, swaps and substitutions"]
    group, state, absent, waiting = rows
    assert group[:5] == ["1", "'=HYPERLINK(\"http://evil.example\")", "'+41 22 000", "NGO",
                         "'-a group of 14 NGOs"]
    assert group[7] == "Delivered" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", group[8])
    assert group[9:] == ["120", "130", "10", ""]
    assert state[1:4] == ["Permanent Mission of Lithuania", "Tomas Petrauskas", "Member State"]
    assert state[7] == "Delivered" and state[9:] == ["60", "45", "-15", ""]
    assert absent[1] == "'@ISHR" and absent[7:] == ["Absent", "", "60", "", "", ""]
    assert waiting[1] == "CIVICUS" and waiting[7] == "Inscribed"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.event_id == event.id))
    assert (entry.action, entry.actor) == (AuditAction.EXPORTED_LIST, organiser.email)
    assert "Tomas" not in entry.detail


def test_per_category_csv_adds_up_delivered_interventions(client, event):
    signed_in(client, event, Role.VIEWER)
    header, *rows = rows_of(client.get(console(event, "/report/categories.csv")))
    assert header == ["Category", "Delivered", "Absent", "Seconds allowed", "Seconds used",
                      "Seconds over (+) or under (-)"]
    assert rows == [["Member State", "1", "0", "60", "45", "-15"],
                    ["NGO", "1", "1", "120", "130", "10"],
                    ["Total", "2", "1", "180", "175", "-5"]]


def test_the_report_needs_a_role_on_the_event(client, event):
    assert client.get(console(event, "/report/speakers.csv")).status_code == 302
    other = make_event()
    signed_in(client, other, Role.OWNER)
    assert client.get(console(event, "/report/speakers.csv")).status_code == 404
    assert client.get(console(event, "/report")).status_code == 404
