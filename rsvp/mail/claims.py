"""Claims on the outbox: which worker sends which due message, and until when (its lease).

Claims are leases: a worker that dies leaves its rows to be reclaimed once the
lease expires, so a crash costs at most one duplicate per message in flight,
never a lost email. PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite's
single writer makes the same conditional UPDATE atomic. A worker that stops
(SIGTERM) gives back what it claimed and did not send, so no one waits for its lease.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from rsvp.db import reading, writing
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.timeutil import now_utc

_DUE_STATUSES = (OutboxStatus.QUEUED, OutboxStatus.RETRY)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(OutboxMessage.status.in_(_DUE_STATUSES), OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_expires_at < now),
    )


def _candidates(limit: int, now: datetime) -> list[sa.Select[int, datetime]]:
    """The first ``limit`` due messages of each due status, by time then id.

    One query per status, each read in the order of the (status, next_attempt_at)
    index: the OR of them all made the database sort every due message to
    find the first few, 90 ms a claim with 100,000 reminders queued.
    """
    order = (OutboxMessage.next_attempt_at, OutboxMessage.id)
    columns = sa.select(OutboxMessage.id, OutboxMessage.next_attempt_at)
    return [columns.where(OutboxMessage.status == status, OutboxMessage.next_attempt_at <= now)
            .order_by(*order).limit(limit) for status in _DUE_STATUSES] + [
        columns.where(OutboxMessage.status == OutboxStatus.SENDING,
                      OutboxMessage.lease_expires_at < now).order_by(*order).limit(limit)]


def _first_due(limit: int, now: datetime, lock: bool) -> list[int]:
    found = [row for query in _candidates(limit, now) for row in db.session.execute(
        query.with_for_update(skip_locked=True) if lock else query)]
    return [row.id for row in sorted(found, key=lambda row: (row.next_attempt_at, row.id))[:limit]]


#: Times a worker on SQLite looks again when another took every message it had chosen.
_CLAIM_TRIES = 3


def _lease_end(now: datetime, lease: timedelta) -> datetime:
    """When a claim made now runs out: from the clock, not from ``now`` alone, which is when
    the pass began (a pass of 100,000 reminders lasts longer than a lease, and a claim dated
    from its start would be free for another worker to take, and send again, at once)."""
    return max(now, now_utc()) + lease


def claim(limit: int, now: datetime) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker and commit the claim.

    On SQLite the messages are chosen in a read of their own, and only the
    claim's UPDATE (of those ids, still due) holds the write lock. On
    PostgreSQL they are locked in a statement of their own (FOR UPDATE SKIP
    LOCKED): as a subquery of the UPDATE, PostgreSQL may run it again after
    updating the first rows, skip those (now changed by this very command) and
    claim the next ones, past the limit.
    """
    token = secrets.token_hex(16)
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    locking = db.session.get_bind().dialect.name == "postgresql"
    for _try in range(_CLAIM_TRIES):
        with reading():
            chosen = _first_due(limit, now, locking)
        if not chosen:
            break
        if not locking:
            db.session.commit()  # the read ends: the UPDATE begins its own transaction
        with writing():
            claimed: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(chosen), _due(now))
                .values(status=OutboxStatus.SENDING, claim=token,
                        lease_expires_at=_lease_end(now, lease))
                .execution_options(synchronize_session=False))
            db.session.commit()
        if claimed.rowcount:
            break
    db.session.commit()
    messages = list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.claim == token).order_by(OutboxMessage.id)))
    for message in messages:
        db.session.expunge(message)  # plain values from here on: no reload, no open read
    db.session.commit()
    return messages


def give_back(messages: list[OutboxMessage]) -> None:
    """Messages claimed and not sent, due again at once for any worker, in one statement.

    For a worker that stops mid-batch: the others need not wait for its lease to run
    out. Only rows still claimed by this worker and still being sent go back (not one
    it recorded as sent or retried, not one another worker took after the lease), each
    to the status it was claimed from: queued, or retry once it has been tried.
    """
    if not messages:
        return
    # A read transaction left open ends first: on SQLite a write that upgrades a stale one
    # fails at once instead of waiting for the lock.
    db.session.commit()
    with writing():
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in messages]),
                   OutboxMessage.claim.in_({m.claim for m in messages}),
                   OutboxMessage.status == OutboxStatus.SENDING)
            .values(status=sa.case((OutboxMessage.attempts > 0, OutboxStatus.RETRY),
                                   else_=OutboxStatus.QUEUED),
                    claim=None, lease_expires_at=None)
            .execution_options(synchronize_session=False))
        db.session.commit()


def renewed(messages: list[OutboxMessage], now: datetime) -> tuple[list[OutboxMessage], float]:
    """The messages still this worker's once written, their lease renewed from now, and the
    moment (monotonic) to stop sending them: before the lease runs out, so no other worker
    sends one of them while this one still might. A message whose lease ran out while it was
    being written (a slow render on a loaded machine) may be another worker's by now: left to it.
    The rest of a batch stopped early stays claimed until its lease ends, then is due again."""
    if not messages:
        return messages, 0.0
    seconds = current_app.config["MAIL_LEASE_SECONDS"]
    ids = [m.id for m in messages]
    with writing():
        ours = set(db.session.scalars(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.claim.in_({m.claim for m in messages}),
                   OutboxMessage.status == OutboxStatus.SENDING)
            .values(lease_expires_at=_lease_end(now, timedelta(seconds=seconds)))
            .returning(OutboxMessage.id).execution_options(synchronize_session=False)))
        db.session.commit()
    return [m for m in messages if m.id in ours], time.monotonic() + seconds * 0.8
