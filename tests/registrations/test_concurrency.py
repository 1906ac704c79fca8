"""Real concurrent requests against a real database (SQLite or PostgreSQL): no overselling."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.notify import manage_url
from tests.factories import make_event, make_registration

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


def _taken(event_id: int) -> int:
    return db.session.scalar(sa.text("SELECT taken_online FROM events WHERE id = :id"),
                             {"id": event_id})


def test_200_people_for_50_seats_50_confirmed_150_waitlisted(app, live_db):
    event = make_event(capacity_online=50)
    event_id, slug = event.id, event.slug
    statuses = _post_all(app, slug, [f"delegate{n}@example.org" for n in range(200)])
    assert statuses == [303] * 200  # nobody sees an error
    assert _counts(event_id) == {RegistrationStatus.CONFIRMED.value: 50,
                                 RegistrationStatus.WAITLISTED.value: 150}
    assert _taken(event_id) == 50
    emails = db.session.scalar(sa.text("SELECT count(DISTINCT recipient) FROM outbox_messages"))
    assert emails == 200  # each person told where they stand, once


def test_concurrent_cancellations_promote_exactly_as_many(app, live_db):
    event = make_event(capacity_online=20, taken_online=20)
    event_id = event.id
    holders = [make_registration(event) for _ in range(20)]
    waiting = [make_registration(event, status=RegistrationStatus.WAITLISTED) for _ in range(30)]
    paths = [manage_url(r).removeprefix("http://localhost") + "/cancel" for r in holders[:15]]
    holder_ids, oldest_waiting = {h.id for h in holders}, {w.id for w in waiting[:15]}

    def cancel(path: str) -> int:
        with app.test_client() as client:
            return client.post(path).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert list(pool.map(cancel, paths)) == [303] * 15
    assert _counts(event_id) == {RegistrationStatus.CONFIRMED.value: 20,
                                 RegistrationStatus.WAITLISTED.value: 15,
                                 RegistrationStatus.CANCELLED.value: 15}
    assert _taken(event_id) == 20
    promoted = set(db.session.scalars(sa.select(Registration.id).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)))
    assert promoted - holder_ids == oldest_waiting  # the longest waiting first


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
