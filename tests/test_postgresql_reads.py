"""PostgreSQL: a page's reads run outside a transaction; a write in it begins one (rsvp.postgresql).

What must hold for the round trips saved: a GET that writes is as atomic as a POST, a row
it locks stays locked until it commits, and the connection goes back to the pool as the
worker and the commands expect it, in transactions.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask import Flask
from psycopg import pq

from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.registrations.models import OrganisationType, Registration, RegistrationStatus
from rsvp.timeutil import now_utc
from tests.factories import make_event

pytestmark = pytest.mark.skipif(not os.environ.get("RSVP_TEST_DATABASE_URL"),
                                reason="PostgreSQL's transactions")

IDLE = pq.TransactionStatus.IDLE


def _status() -> pq.TransactionStatus:
    return db.session.connection().connection.driver_connection.info.transaction_status


def _summary(event_id: int) -> str:
    with db.engine.connect() as other:  # another connection: what is committed
        return other.scalar(sa.select(Event.summary).where(Event.id == event_id))


def _saved_event(app: Flask) -> int:
    with app.app_context():
        event = make_event(summary="before")
        db.session.commit()
        return event.id


def _new_registration(event: Event) -> None:
    db.session.add(Registration(event=event, email="first@example.org", name="First",
                                organisation_type=OrganisationType.NGO,
                                attendance_mode=AttendanceMode.ONLINE, consent_at=now_utc(),
                                status=RegistrationStatus.CONFIRMED))


def test_a_pages_reads_leave_no_transaction_open(app: Flask, live_db: None) -> None:
    event_id = _saved_event(app)
    with app.test_request_context("/", method="GET"):
        assert db.session.get(Event, event_id).summary == "before"
        assert _status() is IDLE  # no BEGIN was sent, and no ROLLBACK will be
        db.session.remove()
    with app.test_request_context("/", method="POST"):
        db.session.get(Event, event_id)
        assert _status() is pq.TransactionStatus.INTRANS  # a form's request, as before
        db.session.remove()


@pytest.mark.parametrize("ending", ["rollback", "commit"])
def test_a_write_in_a_page_is_kept_or_undone_whole(app: Flask, live_db: None, ending: str) -> None:
    """Two writes in a GET (the event's summary, a new registration) are one transaction: not
    committed piece by piece, then both undone by its rollback or both kept by its commit."""
    event_id = _saved_event(app)
    with app.test_request_context("/", method="GET"):
        event = db.session.get(Event, event_id)
        event.summary = "changed"
        _new_registration(event)
        db.session.flush()
        assert _status() is pq.TransactionStatus.INTRANS
        assert _summary(event_id) == "before"  # not committed piece by piece
        getattr(db.session, ending)()
        db.session.remove()
    with app.app_context():
        assert _summary(event_id) == ("before" if ending == "rollback" else "changed")
        registrations = db.session.scalar(sa.select(sa.func.count(Registration.id)))
        assert registrations == (1 if ending == "commit" else 0)


def test_a_row_a_page_locks_stays_locked_until_it_commits(app: Flask, live_db: None) -> None:
    event_id = _saved_event(app)
    locking = sa.select(Event.id).where(Event.id == event_id).with_for_update(nowait=True)
    with app.test_request_context("/", method="GET"):
        db.session.execute(sa.select(Event.id).where(Event.id == event_id).with_for_update())
        with db.engine.connect() as other, pytest.raises(sa.exc.OperationalError, match="lock"):
            other.execute(locking)
        db.session.commit()
        with db.engine.connect() as other:
            assert other.execute(locking).scalar() == event_id
        db.session.remove()


def test_the_connection_goes_back_to_transactions_after_a_page(app: Flask, live_db: None) -> None:
    event_id = _saved_event(app)
    with app.test_request_context("/", method="GET"):
        db.session.get(Event, event_id)
        db.session.remove()
    with app.app_context():  # the worker's or a command's work, on the pooled connection
        db.session.get(Event, event_id).summary = "by the worker"
        db.session.flush()
        db.session.execute(sa.select(Event.summary))
        assert _status() is pq.TransactionStatus.INTRANS
        db.session.rollback()
        assert _summary(event_id) == "before"
        db.session.remove()


def test_a_results_description_stays_that_of_its_own_result(app: Flask) -> None:
    """Its columns are made when asked for (rsvp.postgresql.DescribedLazily), from the result it
    describes, not from whatever the cursor ran since."""
    with app.app_context(), db.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute("SELECT 1 AS first_column, 'x' AS second_column")
        described = cursor.description
        cursor.execute("SELECT 2 AS other")
        assert len(described) == 2
        assert [column.name for column in described] == ["first_column", "second_column"]
        assert described[1][0] == "second_column"
        assert cursor.description[0].name == "other"
        cursor.execute("SET application_name = 'rsvp-test'")
        assert cursor.description is None


def test_a_page_streams_a_large_read_in_a_transaction(app: Flask, live_db: None) -> None:
    """A server-side cursor (an export streaming its rows) lives in a transaction only."""
    event_id = _saved_event(app)
    with app.test_request_context("/", method="GET"):
        streamed = db.session.execute(sa.select(Event.id, Event.summary),
                                      execution_options={"stream_results": True, "yield_per": 1})
        assert [tuple(row) for row in streamed] == [(event_id, "before")]
        db.session.remove()
