"""Organisers' messages written by the worker in batches: the request only stores the message,
each batch is its own transaction, a worker that dies leaves the rest to the next, two workers
never write one person twice — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.db import writing
from rsvp.extensions import db
from rsvp.jobs import purge_event
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import messaging
from rsvp.registrations.models import MessageJob, RegistrationStatus
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration


def written_to() -> list[str]:
    return sorted(m.recipient for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "organiser-message")))


def draft(batch: str = "b1") -> messaging.Draft:
    return messaging.Draft(subject="Room change", body="We move to Room XX.", batch=batch)


def test_the_worker_writes_a_message_in_batches_with_its_progress(db_session, monkeypatch):
    monkeypatch.setattr(messaging, "BATCH", 2)
    monkeypatch.setattr(messaging, "BATCHES_PER_PASS", 2)
    event = make_event(capacity_online=100)
    for n in range(7):
        make_registration(event, email=f"p{n}@example.org")
    make_registration(event, email="unconfirmed@example.org", status=RegistrationStatus.PENDING_EMAIL)
    job = messaging.send(event, AttendeeFilter(), draft(), "owner@example.org")
    assert job.total == 7 and written_to() == []
    assert messaging.write_messages() == 4  # two batches per pass, then the emails may leave
    db.session.refresh(job)
    assert (job.status.value, job.queued, job.claim) == ("sending", 4, None)
    assert messaging.write_messages() == 3
    db.session.refresh(job)
    assert (job.status.value, job.queued) == ("sent", 7) and job.finished_at is not None
    assert written_to() == [f"p{n}@example.org" for n in range(7)]
    assert messaging.write_messages() == 0


def test_a_message_to_a_search_reaches_only_those_found(db_session):
    event = make_event(capacity_online=100)
    make_registration(event, name="Ana Quispe", email="ana@example.org")
    make_registration(event, name="Bo Tan", email="bo@example.org")
    job = messaging.send(event, AttendeeFilter(search="QUISPE"), draft(), "owner@example.org")
    assert job.total == 1 and job.audience["q"] == "QUISPE"
    messaging.write_messages()
    assert written_to() == ["ana@example.org"]


def test_a_worker_that_dies_leaves_the_rest_to_another(db_session, monkeypatch):
    monkeypatch.setattr(messaging, "BATCH", 2)
    event = make_event(capacity_online=100)
    for n in range(5):
        make_registration(event, email=f"p{n}@example.org")
    job = messaging.send(event, AttendeeFilter(), draft(), "owner@example.org")
    claimed = messaging._claim(now_utc())
    assert claimed is not None and messaging._write_batch(*claimed) == (2, False)
    # The worker dies here, holding the message: no one else writes it until its lease runs out.
    assert messaging.write_messages() == 0
    assert messaging.write_messages(now_utc() + messaging.LEASE + timedelta(seconds=1)) == 3
    db.session.refresh(job)
    assert job.status.value == "sent" and written_to() == [f"p{n}@example.org" for n in range(5)]


def test_two_workers_write_each_person_once(app, live_db, monkeypatch):
    monkeypatch.setattr(messaging, "BATCH", 3)
    monkeypatch.setattr(messaging, "BATCHES_PER_PASS", 1)
    event = make_event(capacity_online=100)
    for n in range(40):
        make_registration(event, email=f"p{n:02d}@example.org")
    messaging.send(event, AttendeeFilter(), draft(), "owner@example.org")
    db.session.commit()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                with writing():
                    # Bounded by time, not by passes: a worker whose pass finds the message held
                    # by the other waits a moment, as the worker's loop does between passes (a
                    # count of passes ran out on a loaded machine while the other held it).
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline:
                        if db.session.scalar(sa.select(MessageJob.status)).value == "sent":
                            break
                        if messaging.write_messages() == 0:
                            time.sleep(0.01)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    db.session.expire_all()
    job = db.session.execute(sa.select(MessageJob.status, MessageJob.queued, MessageJob.total)).one()
    assert written_to() == [f"p{n:02d}@example.org" for n in range(40)], job  # the job, if not


def test_the_purge_takes_the_message_with_the_event_data(db_session):
    event = make_event(starts_at=now_utc() - timedelta(days=60), ends_at=now_utc() - timedelta(days=59))
    make_registration(event)
    messaging.send(event, AttendeeFilter(), draft(), "owner@example.org")
    purge_event(event, now_utc())
    assert db.session.scalars(sa.select(MessageJob)).all() == []


def test_a_message_to_no_one_is_refused_with_the_words_kept(app, db_session):
    event = make_event()
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    db.session.commit()
    client = app.test_client()
    log_in(client, manager.email)
    response = client.post(f"/manage/events/{event.public_id}/messages", data={
        "subject": "Room change", "body": "We move to Room XX.", "batch": "b0", "step": "send"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "nobody would receive this message" in page
    assert "We move to Room XX." in page  # nothing typed is lost
    assert db.session.scalars(sa.select(MessageJob)).all() == []
