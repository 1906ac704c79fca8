"""The check-in desk of a large event on the production server (gunicorn, two workers): a name
typed before the event's names are open answers at once and says so; searched again a moment
later, everyone is found, and the person is checked in.

"Large" is made small here (RSVP_NAMES_WAIT_AT_MOST=3): what a page does above that many
registrations is the same at 100,000 (bench/scale.py measures it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.registrations.models import RegistrationStatus
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.served.conftest import RSVP, Served, _empty_tables, launch, setting_up, stop
from tests.served.test_sessions import log_in

PREPARING = "Names are still being prepared"


@pytest.fixture(scope="module")
def large_served(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not Path(RSVP).exists():
        pytest.skip(f"{RSVP} not found: install the project (make install)")
    served = launch(app, tmp_path_factory.mktemp("served-door-names"), "serve",
                    RSVP_NAMES_WAIT_AT_MOST="3")
    try:
        with app.app_context():
            _empty_tables()
        yield served
    finally:
        stop(served.processes)
        with app.app_context():
            _empty_tables()


def test_the_desk_answers_at_once_while_names_open_then_finds_everyone(large_served, app):
    with app.app_context(), setting_up():
        event = make_event(format=EventFormat.IN_PERSON, capacity_in_person=50)
        people = [make_registration(event, name=f"Kofi {n}" if n % 2 else f"Ama {n}",
                                    attendance_mode=AttendanceMode.IN_PERSON,
                                    status=RegistrationStatus.CONFIRMED) for n in range(6)]
        staff = make_organiser()
        grant_role(event, staff, Role.CHECK_IN)
        event_id, email, kofi = event.public_id, staff.email, people[3].public_id

    desk = large_served.visitor()
    log_in(desk, email)
    url = f"/manage/events/{event_id}/check-in"
    first = desk.get(url, params={"q": "kofi"})
    assert first.status_code == 200
    assert PREPARING in first.text and "Search again" in first.text  # no worker had them open
    assert "Ama " not in first.text
    for _attempt in range(100):  # each worker opens the names once, in the background
        page = desk.get(url, params={"q": "kofi"})
        if PREPARING not in page.text:
            break
        time.sleep(0.1)
    assert PREPARING not in page.text
    assert all(f"Kofi {n}" in page.text for n in (1, 3, 5)) and "Ama " not in page.text
    checked = desk.submit(page, f"{url}/{kofi}")  # the journey goes on: Kofi 3 is checked in
    assert checked.status_code == 303
    assert "Kofi 3 is checked in." in desk.follow(checked).text
