"""The editor's fixture: an event and a logged-in organiser who manages it."""

from __future__ import annotations

import pytest

from rsvp.auth.models import Role
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser


@pytest.fixture
def manager(client, db_session):
    """The event, its manager logged in on ``client``."""
    event = make_event(title="Voices of Uyghur camp survivors", slug="voices")
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    return event
