"""The follow-up sent twice at the same moment (two organisers, a double click on two servers)
and written by two workers at once: one follow-up, each registrant written to once — on SQLite
and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from rsvp.attendance import followup
from rsvp.db import writing
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import messaging
from rsvp.registrations.messaging import Draft
from rsvp.registrations.models import MessageJob
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration

CAME = Draft("Thank you", "Thank you for coming.", "")
MISSED = Draft("Sorry", "The recording is online.", "")


def run_together(app, work, times: int = 2) -> list[object]:
    results: list[object] = []
    barrier = threading.Barrier(times)

    def one() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                with writing():
                    results.append(work())
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results.append(error)

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_sends_at_once_make_one_follow_up_written_once_to_each(app, live_db, monkeypatch):
    monkeypatch.setattr(messaging, "BATCH", 4)
    monkeypatch.setattr(messaging, "BATCHES_PER_PASS", 1)
    ended = now_utc() - timedelta(hours=1)
    event = make_event(starts_at=ended - timedelta(hours=1), ends_at=ended, capacity_online=100)
    for n in range(30):
        make_registration(event, email=f"p{n:02d}@example.org",
                          checked_in_at=now_utc() - timedelta(hours=2) if n % 3 == 0 else None)
    db.session.commit()
    event_id = event.id

    def send() -> object:
        try:
            told = followup.send(db.session.get(Event, event_id), CAME, MISSED, "", "", "o@example.org")
        except followup.AlreadySent:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return told

    outcomes = run_together(app, send)
    assert sorted(map(str, outcomes)) == ["(10, 20)", "refused"], outcomes

    def write() -> object:
        for _ in range(40):  # bounded: far more passes than 30 people need
            messaging.write_messages()
        return "done"

    assert run_together(app, write) == ["done", "done"]
    db.session.rollback()  # end this session's read: see what the threads committed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageJob)) == 2
    recipients = list(db.session.scalars(sa.select(OutboxMessage.recipient)
                                         .where(OutboxMessage.kind == "follow-up")))
    assert sorted(recipients) == [f"p{n:02d}@example.org" for n in range(30)]  # each once
