"""The check-in desk's search by name in a large event: it never waits for the event's names to
open. Opening the desk starts opening them in the background; a name typed before they are all
open finds whom the names opened so far hold and says so, in every language; then everyone."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from rsvp import ROOT
from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.registrations import checkin, opened
from rsvp.registrations.models import RegistrationStatus
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration

PREPARING = "Names are still being prepared"
ROOM = AttendanceMode.IN_PERSON


@pytest.fixture
def door(app, live_db, monkeypatch):
    """An event "large" for this test (above WAIT_AT_MOST = 3): four Kofi and three Ama in the
    room, a Kofi online, a confidential Kofi in the room, a cancelled Kofi; desk staff."""
    monkeypatch.setattr(opened, "WAIT_AT_MOST", 3)
    opened.forget()
    event = make_event(format=EventFormat.HYBRID)
    people = {f"Kofi {i}": make_registration(event, name=f"Kofi {i}", attendance_mode=ROOM)
              for i in (4, 1, 3, 2)}
    people.update({f"Ama {i}": make_registration(event, name=f"Ama {i}", attendance_mode=ROOM)
                   for i in range(3)})
    people["Kofi Online"] = make_registration(event, name="Kofi Online",
                                              attendance_mode=AttendanceMode.ONLINE)
    people["Kofi Secret"] = make_registration(event, name="Kofi Secret", attendance_mode=ROOM,
                                              confidential=True)
    people["Kofi Gone"] = make_registration(event, name="Kofi Gone", attendance_mode=ROOM,
                                            status=RegistrationStatus.CANCELLED)
    staff = make_organiser(email="door-staff@example.org")
    grant_role(event, staff, Role.CHECK_IN)
    client = app.test_client()
    log_in(client, staff.email)
    try:
        yield event, people, client
    finally:
        opened.settle()
        opened.forget()


def test_a_name_typed_before_the_names_open_answers_at_once_and_says_so(door):
    event, _people, client = door
    url = f"/manage/events/{event.public_id}/check-in"
    first = client.get(url, query_string={"q": "kofi"}).get_data(as_text=True)
    assert PREPARING in first and "Search again" in first
    assert "Ama " not in first and "Kofi Online" not in first and "Kofi Gone" not in first
    assert "Kofi Secret" not in first  # below managers, never by name
    opened.settle()
    again = client.get(url, query_string={"q": "kofi"}).get_data(as_text=True)
    assert PREPARING not in again
    shown = [name for name in ("Kofi 1", "Kofi 2", "Kofi 3", "Kofi 4") if name in again]
    assert shown == ["Kofi 1", "Kofi 2", "Kofi 3", "Kofi 4"]
    assert again.index("Kofi 1") < again.index("Kofi 2") < again.index("Kofi 4")  # by name
    assert "Ama " not in again and "Kofi Online" not in again and "Kofi Secret" not in again


def test_opening_the_desk_gets_the_names_ready_before_anyone_is_typed(door):
    event, _people, client = door
    url = f"/manage/events/{event.public_id}/check-in"
    assert client.get(url).status_code == 200
    opened.settle()
    page = client.get(url, query_string={"q": "kofi 3"}).get_data(as_text=True)
    assert PREPARING not in page and "Kofi 3" in page


def test_while_the_names_open_the_desk_finds_only_whom_they_hold(door, monkeypatch):
    """What the names opened so far hold (here six of ten: Kofi 3, Ama 1, Kofi Online, Kofi
    Secret, Kofi 1, Kofi Gone), checked against the database: those of them at the door, by
    name, and how far the opening got."""
    event, people, _client = door
    opened_so_far = ("Kofi 3", "Ama 1", "Kofi Online", "Kofi Secret", "Kofi 1", "Kofi Gone")

    def so_far(event_id, needle):
        return [people[name].id for name in opened_so_far if needle in name.lower()], 6, 10

    monkeypatch.setattr(checkin, "prepared", lambda event_id: False)
    monkeypatch.setattr(checkin, "so_far", so_far)
    found = checkin.search_now(event, "Kofi", with_confidential=False)
    assert [r.name for r in found.people] == ["Kofi 1", "Kofi 3"]
    assert (found.preparing.opened, found.preparing.of) == (6, 10)
    managers = checkin.search_now(event, "Kofi", with_confidential=True)
    assert [r.name for r in managers.people] == ["Kofi 1", "Kofi 3", "Kofi Secret"]
    assert [r.name for r in checkin.search_now(event, "Kofi", limit=1).people] == ["Kofi 3"]
    nobody = checkin.search_now(event, "Zz")
    assert nobody.people == [] and nobody.preparing is not None


@pytest.mark.parametrize("lang", ["fr", "es", "pt", "ru", "zh", "ar"])
def test_the_desk_says_the_names_are_being_prepared_in_every_language(door, lang):
    event, _people, client = door
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=lang)
    client.set_cookie("lang", lang)
    page = client.get(f"/manage/events/{event.public_id}/check-in",
                      query_string={"q": "zzz"}).get_data(as_text=True)
    for message in ("Search again", "Nobody found so far for “%(query)s”."):
        translated = catalog.get(message).string
        assert translated and translated != message
        assert translated.replace("%(query)s", "zzz") in page, message
    notice = catalog.get("Names are still being prepared: %(opened)s of %(total)s registrations "
                         "can be searched so far, so the person may not be listed yet. Search "
                         "again in a moment.").string
    assert notice.split("%(")[0] in page
