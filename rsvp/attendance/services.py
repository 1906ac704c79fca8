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


#: Matched rows the page shows with the registrant's name (opened one by one); the rest are counted.
SHOWN = 200


@dataclass
class Matched:
    #: The registration's id, and the registration itself for the first SHOWN rows only.
    registration_id: int
    row: Row
    registration: Registration | None = None


@dataclass
class Outcome:
    platform: str
    matched: list[Matched] = field(default_factory=list)
    unmatched: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class _Found:
    id: int
    active: bool
    minutes: int | None


def _registrations_by_hash(event: Event, rows: list[Row]) -> dict[str, _Found]:
    """The event's registrations for the rows' addresses (one still holding a place first), by
    each hash the rows' addresses have under the data keys: ids and plain columns only, nothing
    sealed is opened."""
    hashes = [h for row in rows for h in sealing.digests(row.email)]
    found: dict[str, _Found] = {}
    for start in range(0, len(hashes), CHUNK):
        for id_, email_hash, status, minutes in db.session.execute(sa.select(
                Registration.id, Registration.email_hash, Registration.status,
                Registration.attended_minutes).where(
                Registration.event_id == event.id, Registration.erased_at.is_(None),
                Registration.email_hash.in_(hashes[start:start + CHUNK])).order_by(Registration.id)):
            known = found.get(email_hash)
            if known is None or (not known.active and status in ACTIVE_STATUSES):
                found[email_hash] = _Found(id_, status in ACTIVE_STATUSES, minutes)
    return found


def import_report(event: Event, report: Report, actor: str) -> Outcome:
    """Mark the registrants the report names as attended, with their minutes; the caller commits.

    The registrations are read and written CHUNK at a time (an UPDATE by primary key for many
    rows at once): a webinar's report of thousands of rows takes a few statements per chunk.
    """
    outcome = Outcome(report.platform)
    with_address = [row for row in report.rows if row.email]
    found = _registrations_by_hash(event, with_address)
    changes: dict[int, dict[str, object]] = {}
    for row in with_address:
        registration = next((found[h] for h in sealing.digests(row.email) if h in found), None)
        if registration is None:
            outcome.unmatched.append(row)
            continue
        minutes = registration.minutes
        if row.minutes is not None:
            minutes = max(minutes or 0, row.minutes)
        changes[registration.id] = {"id": registration.id, "attended": True,
                                    "attended_minutes": minutes}
        outcome.matched.append(Matched(registration.id, row))
    outcome.unmatched.extend(row for row in report.rows if not row.email)
    values = list(changes.values())
    for start in range(0, len(values), CHUNK):
        db.session.execute(sa.update(Registration), values[start:start + CHUNK])
    shown = {r.id: r for r in db.session.scalars(sa.select(Registration).where(
        Registration.id.in_([m.registration_id for m in outcome.matched[:SHOWN]])))}
    for match in outcome.matched[:SHOWN]:
        match.registration = shown.get(match.registration_id)
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
