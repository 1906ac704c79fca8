"""Who came: in the room (checked in at the desk), online (a platform's attendance report).

A report's rows are matched to the event's registrations by email address only, through its
keyed hash (Registration.email_hash): a row whose address matches no registration, or that has
no address, is listed for the organiser as it is — never matched by name or guessed. Importing
the same report twice changes nothing; a person named by two reports keeps the longer time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from rsvp import sealing
from rsvp.attendance.reports import Report, Row
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations.models import ACTIVE_STATUSES, Registration, attended_sql
from rsvp.registrations.tracking import COUNTED

#: Addresses looked up per query: a report of any length reads the registrations in short steps.
CHUNK = 200


@dataclass
class Matched:
    registration: Registration
    row: Row


@dataclass
class Outcome:
    platform: str
    matched: list[Matched] = field(default_factory=list)
    unmatched: list[Row] = field(default_factory=list)


def _registrations_by_hash(event: Event, rows: list[Row]) -> dict[str, Registration]:
    """The event's registrations for the rows' addresses (one still holding a place first), by
    each hash the rows' addresses have under the data keys."""
    hashes = [h for row in rows for h in sealing.digests(row.email)]
    found: dict[str, Registration] = {}
    for start in range(0, len(hashes), CHUNK):
        for registration in db.session.scalars(sa.select(Registration).where(
                Registration.event_id == event.id, Registration.erased_at.is_(None),
                Registration.email_hash.in_(hashes[start:start + CHUNK])).order_by(Registration.id)):
            known = found.get(registration.email_hash)
            if known is None or (known.status not in ACTIVE_STATUSES
                                 and registration.status in ACTIVE_STATUSES):
                found[registration.email_hash] = registration
    return found


def import_report(event: Event, report: Report, actor: str) -> Outcome:
    """Mark the registrants the report names as attended, with their minutes; the caller commits."""
    outcome = Outcome(report.platform)
    with_address = [row for row in report.rows if row.email]
    found = _registrations_by_hash(event, with_address)
    for row in with_address:
        registration = next((found[h] for h in sealing.digests(row.email) if h in found), None)
        if registration is None:
            outcome.unmatched.append(row)
            continue
        registration.attended = True
        if row.minutes is not None:
            registration.attended_minutes = max(registration.attended_minutes or 0, row.minutes)
        outcome.matched.append(Matched(registration, row))
    outcome.unmatched.extend(row for row in report.rows if not row.email)
    db.session.flush()
    audit.record(event, actor, AuditAction.CHANGED_REGISTRATION,
                 f"imported a {report.platform} attendance report: {len(outcome.matched)} "
                 f"registrant(s) marked as attended, {len(outcome.unmatched)} row(s) not matched")
    return outcome


@dataclass(frozen=True)
class Summary:
    registered: int
    in_the_room: int
    online: int
    came: int


def summary(event: Event) -> Summary:
    """Counts only: those registered (still coming), checked in, seen online, and who came at all."""
    counted = sa.and_(Registration.event_id == event.id, Registration.status.in_(COUNTED))
    row = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.count(Registration.checked_in_at),
        sa.func.coalesce(sa.func.sum(sa.case((Registration.attended.is_(True), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((attended_sql(), 1), else_=0)), 0),
    ).where(counted)).one()
    return Summary(*(int(value) for value in row))


def online_attendees(event: Event, page: int, per_page: int = 50) -> Pagination:
    """Those a report named, longest first, a page at a time."""
    return db.paginate(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.attended.is_(True))
        .order_by(Registration.attended_minutes.desc().nulls_last(), Registration.id),
        page=page, per_page=per_page, error_out=False)
