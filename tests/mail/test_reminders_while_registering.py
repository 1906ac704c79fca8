"""A reminder pass by two workers at once, while people go on registering (SQLite and PostgreSQL).

Each batch of recipients is read without the write lock and written in one
statement that skips keys already queued: two workers racing over the same
batches, and registrations taking the lock between them, must still leave
each registrant exactly one reminder, sent once, and every registration taken.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.jobs import deliver_due
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations import reminders
from rsvp.registrations.models import Registration
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration
from tests.registrations.test_concurrency import FORM

REGISTRANTS = 45
NEWCOMERS = 24


def test_each_registrant_is_reminded_once_while_others_register(app, live_db, smtp, monkeypatch):
    monkeypatch.setattr(reminders, "REMINDER_BATCH", 7)  # many short batches, for the others to cut in
    monkeypatch.setattr(reminders, "REMINDER_WRITES", 3)
    start = now_utc().replace(microsecond=0) + timedelta(hours=20)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    for n in range(REGISTRANTS):
        make_registration(event, email=f"p{n}@example.org", created_at=start - timedelta(days=3))
    slug, event_id = event.slug, event.id
    db.session.commit()
    db.session.remove()

    def worker() -> int:
        with app.app_context():
            try:
                return deliver_due(now_utc()).sent
            finally:
                db.session.remove()

    def register(n: int) -> int:
        with app.test_client() as client:
            return client.post(f"/events/{slug}/register",
                               data={**FORM, "email": f"new{n}@example.org"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        workers = [pool.submit(worker) for _ in range(2)]
        statuses = list(pool.map(register, range(NEWCOMERS)))
        for running in workers:
            running.result()
    # The messages queued during a pass are due from its next one; then nothing more is sent.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _n: worker(), range(2)))
    assert worker() == 0

    assert statuses == [303] * NEWCOMERS  # nobody was told to try again
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id)) == REGISTRANTS + NEWCOMERS
    queued = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.status).where(
        OutboxMessage.kind == "reminder")).all()
    assert sorted(r for r, _status in queued) == sorted(f"p{n}@example.org" for n in range(REGISTRANTS))
    assert {status for _r, status in queued} == {OutboxStatus.SENT}
    received = Counter(message["To"] for message in smtp.inbox.messages)
    # Each registrant received one email, their reminder; each newcomer their confirmation only.
    assert received == Counter({f"p{n}@example.org": 1 for n in range(REGISTRANTS)}
                               | {f"new{n}@example.org": 1 for n in range(NEWCOMERS)})
