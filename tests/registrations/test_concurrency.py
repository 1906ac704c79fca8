"""Real concurrent requests against a real database (SQLite or PostgreSQL): no overselling."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.registrations.models import Registration, RegistrationStatus
from tests.factories import make_event

FORM = {"name": "Delegate", "organisation_type": "state", "attendance_mode": "online",
        "consent": "y"}


def _post_all(app, slug: str, emails: list[str]) -> list[int]:
    def post(email: str) -> int:
        with app.test_client() as client:
            return client.post(f"/events/{slug}/register", data={**FORM, "email": email}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(post, emails))


def _counts(event_id: int) -> dict[str, int]:
    db.session.remove()
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count())
        .where(Registration.event_id == event_id).group_by(Registration.status))
    return {status.value: count for status, count in rows}


def test_last_seats_go_to_exactly_as_many_people_as_there_are_seats(app, live_db):
    event = make_event(capacity_online=10)
    event_id, slug = event.id, event.slug
    statuses = _post_all(app, slug, [f"delegate{n}@example.org" for n in range(60)])
    assert statuses == [303] * 60  # nobody sees an error
    assert _counts(event_id) == {RegistrationStatus.CONFIRMED.value: 10,
                                 RegistrationStatus.WAITLISTED.value: 50}
    taken = db.session.scalar(sa.text("SELECT taken_online FROM events WHERE id = :id"),
                              {"id": event_id})
    assert taken == 10


def test_same_email_racing_itself_registers_once(app, live_db):
    event = make_event(capacity_online=5)
    event_id, slug = event.id, event.slug
    statuses = _post_all(app, slug, ["same@example.org"] * 12)
    assert statuses == [303] * 12  # the same neutral answer for everyone
    assert _counts(event_id) == {RegistrationStatus.CONFIRMED.value: 1}
    links = db.session.scalar(sa.text(
        "SELECT count(*) FROM outbox_messages WHERE kind = 'registration-links'"))
    assert links == 1  # eleven repeats, one reminder of the link
    taken = db.session.scalar(sa.text("SELECT taken_online FROM events WHERE id = :id"),
                              {"id": event_id})
    assert taken == 1  # the losers' seats were given back with their rollback
