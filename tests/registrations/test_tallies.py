"""The counts the database keeps (rsvp.registrations.tallies): exact after every kind of write.

The overview, the check-in desk and the list's count read them instead of counting
registrations; each test compares them with a count of the registrations themselves,
on SQLite and PostgreSQL, after registrations, cancellations, check-ins, erasure,
bulk updates, deletions, and concurrent registrations and cancellations.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from rsvp.events.models import AttendanceMode, Event, EventFormat
from rsvp.extensions import db
from rsvp.registrations import erasure, ordering, tallies, tracking
from rsvp.registrations.models import OrganisationType, Registration, RegistrationStatus
from rsvp.registrations.notify import manage_url
from rsvp.registrations.selfservice import erase
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import now_utc, to_local
from tests.factories import make_event, make_registration
from tests.speakers.test_migration import NOW, empty_app, event_row, insert  # noqa: F401 - a fixture

S = RegistrationStatus
COUNTED = {s.value for s in tracking.COUNTED}


def by_counting(event) -> dict[str, Any]:
    """What the overview must show, counted from the registrations one by one."""
    db.session.expire_all()
    rows = list(db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)))
    counted = [r for r in rows if r.status.value in COUNTED]
    in_the_room = [r for r in rows if r.attendance_mode is AttendanceMode.IN_PERSON]
    languages: dict[str, Counter[str]] = {}
    for r in counted:
        languages.setdefault(r.interpretation_language or "floor", Counter())[
            r.attendance_mode.value] += 1
    days = Counter(to_local(r.created_at, event.timezone).date() for r in rows)
    return {
        "by_status": dict(Counter(r.status.value for r in rows)),
        "by_mode": dict(Counter(r.attendance_mode.value for r in counted)),
        "by_organisation_type": dict(Counter(r.organisation_type.value for r in counted)),
        "by_country": sorted(Counter(r.country or "" for r in counted).items(),
                             key=lambda pair: (-pair[1], pair[0])),
        "languages": {k: dict(v) for k, v in languages.items()},
        "captions": sum(1 for r in counted if r.captions),
        "accessibility": sum(1 for r in counted if r.accessibility_needs),
        "grounds_pass_needed": sum(1 for r in counted if r.has_grounds_pass is False),
        "checked_in": sum(1 for r in rows if r.checked_in_at),
        "days": {day: days[day] for day in sorted(days)},
        "listed": sum(1 for r in rows if r.erased_at is None),
        "door": {"checked_in": sum(1 for r in in_the_room if r.checked_in_at),  # the room only
                 "expected": sum(1 for r in in_the_room if r.status is S.CONFIRMED)},
    }


def by_tallies(event) -> dict[str, Any]:
    board = tracking.dashboard(event)
    return {
        "by_status": board.by_status, "by_mode": board.by_mode,
        "by_organisation_type": board.by_organisation_type, "by_country": board.by_country,
        "languages": board.languages,
        "captions": board.captions, "accessibility": board.accessibility,
        "grounds_pass_needed": board.grounds_pass_needed, "checked_in": board.checked_in,
        "days": {day: count for day, count, _total in board.over_time},
        "listed": AttendeeFilter().count(event),
        "door": tracking.door_counts(event),
    }


def test_counts_follow_every_kind_of_write(app, db_session):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True,
                       timezone="Asia/Kathmandu")  # 5:45 ahead: days split inside UTC hours
    start = now_utc().replace(microsecond=0) - timedelta(days=3)
    people = [make_registration(
        event, created_at=start + timedelta(minutes=47 * i), country=["CH", "KE", None][i % 3],
        attendance_mode=AttendanceMode.IN_PERSON if i % 2 else AttendanceMode.ONLINE,
        interpretation_language=[None, "fr", "es"][i % 3], captions=i % 4 == 0,
        accessibility_needs="Step-free access" if i % 5 == 0 else "",
        has_grounds_pass=[None, True, False][i % 3], organisation_type=list(OrganisationType)[i % 7],
        status=[S.CONFIRMED, S.WAITLISTED, S.PENDING_EMAIL, S.PENDING_APPROVAL][i % 4])
        for i in range(40)]
    other = make_event()
    make_registration(other)
    assert by_tallies(event) == by_counting(event)

    people[0].status = S.CANCELLED                      # the ORM, one row
    people[1].checked_in_at = now_utc()
    people[2].attendance_mode = AttendanceMode.IN_PERSON
    people[3].interpretation_language = "fr"
    people[4].accessibility_needs = ""
    people[5].confidential = True
    db.session.commit()
    assert by_tallies(event) == by_counting(event)

    db.session.execute(sa.update(Registration)          # a bulk UPDATE, many rows
                       .where(Registration.event_id == event.id, Registration.status == S.WAITLISTED)
                       .values(status=S.CONFIRMED))
    erase(people[6], actor="test")                       # erasure: left out of the list
    erasure.erase(Registration.id == people[9].id, now_utc())  # the retention purge's bulk erasure
    db.session.commit()
    assert by_tallies(event) == by_counting(event)
    assert by_counting(event)["listed"] == 38

    db.session.delete(people[7])                         # a row deleted
    db.session.commit()
    assert by_tallies(event) == by_counting(event)
    assert tallies.total(event.id) == 39
    assert by_tallies(other)["by_status"] == {"confirmed": 1}


def test_the_list_counts_what_it_shows(app, db_session):
    event = make_event(format=EventFormat.HYBRID)
    for i in range(12):
        make_registration(event, status=[S.CONFIRMED, S.WAITLISTED, S.CANCELLED][i % 3],
                          attendance_mode=AttendanceMode.IN_PERSON if i % 2 else AttendanceMode.ONLINE,
                          interpretation_language="fr" if i % 4 == 0 else None,
                          organisation_type=OrganisationType.STATE if i < 5 else OrganisationType.NGO,
                          checked_in_at=now_utc() if i % 5 == 0 else None, confidential=i == 7)
    filters = [AttendeeFilter(), AttendeeFilter(statuses=(S.CONFIRMED, S.CANCELLED)),
               AttendeeFilter(mode=AttendanceMode.ONLINE), AttendeeFilter(language="floor"),
               AttendeeFilter(language="fr"), AttendeeFilter(organisation_type=OrganisationType.STATE),
               AttendeeFilter(checked_in=True), AttendeeFilter(checked_in=False),
               AttendeeFilter(confidential=True), AttendeeFilter(confidential=False),
               AttendeeFilter(statuses=(S.WAITLISTED,), mode=AttendanceMode.IN_PERSON, checked_in=False)]
    for selection in filters:
        expected = db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                                     .where(*selection.conditions(event)))
        assert selection.count(event) == expected, selection
        assert tracking.count_matching(event, selection) == expected


def test_every_page_of_the_list_holds_every_row_once(app, db_session):
    event = make_event()
    moment = now_utc().replace(microsecond=0)
    ids = {make_registration(event, created_at=moment + timedelta(seconds=i // 3),  # ties too
                             status=[S.CONFIRMED, S.WAITLISTED][i % 2]).id for i in range(23)}
    erased = make_registration(event, created_at=moment)
    erase(erased, actor="test")
    db.session.commit()
    for sort in ("newest", "oldest", "status"):
        seen: list[int] = []
        pages = []
        for number in range(1, 6):
            page = tracking.attendees(event, AttendeeFilter(), sort, number, per_page=5)
            assert page.total == 23 and page.pages == 5
            pages.append(page.items)
            seen.extend(r.id for r in page.items)
        assert sorted(seen) == sorted(ids), sort       # every row once, the erased one never
        assert [len(items) for items in pages] == [5, 5, 5, 5, 3]
        rows = [r for items in pages for r in items]
        keys = {"newest": lambda r: (-r.created_at.timestamp(), -r.id),
                "oldest": lambda r: (r.created_at, r.id),
                "status": lambda r: (r.status.value, r.created_at, r.id)}[sort]
        assert rows == sorted(rows, key=keys), sort    # in order across the middle too
        beyond = tracking.attendees(event, AttendeeFilter(), sort, 6, per_page=5)
        assert (beyond.page, beyond.items) == (5, pages[-1])  # a page past the last is the last


def _cancel_all(app, paths: list[str]) -> list[int]:
    def cancel(path: str) -> int:
        with app.test_client() as client:
            return client.post(path, data={"confirm": "yes"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(cancel, paths))


def test_counts_stay_exact_under_concurrent_registrations_and_cancellations(app, live_db):
    event = make_event(capacity_online=30)
    event_id, slug = event.id, event.slug
    holders = [make_registration(event) for _ in range(20)]
    paths = [manage_url(r).removeprefix("http://localhost") + "/cancel" for r in holders]
    db.session.execute(sa.text("UPDATE events SET taken_online = 20 WHERE id = :id"), {"id": event_id})
    db.session.commit()
    form = {"name": "Delegate", "organisation_type": "state", "attendance_mode": "online",
            "consent": "y"}

    def register(n: int) -> int:
        with app.test_client() as client:
            return client.post(f"/events/{slug}/register",
                               data={**form, "email": f"concurrent{n}@example.org"}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        registered = pool.map(register, range(40))
        cancelled = _cancel_all(app, paths)
        assert list(registered) == [303] * 40
    assert all(code in (200, 302, 303) for code in cancelled)
    db.session.remove()
    event = db.session.get(type(event), event_id)
    counted = by_counting(event)
    assert counted["by_status"]["cancelled"] == 20
    assert sum(counted["by_status"].values()) == 60
    assert by_tallies(event) == counted


def test_counts_kept_at_commit_leave_out_what_the_transaction_undid(app, live_db):
    """On PostgreSQL the counts are kept when the transaction commits (migration c6e2f8a1d4b7),
    after everything it did: a registration written and deleted in it counts nothing, an event
    deleted after its registrations commits (their counts went with it), and the rest counts."""
    kept, gone = make_event(), make_event()
    make_registration(gone)
    kept_id, gone_id = kept.id, gone.id
    registration = Registration(event=kept, email="brief@example.org", name="Brief",
                                organisation_type=OrganisationType.NGO,
                                attendance_mode=AttendanceMode.ONLINE, consent_at=now_utc(),
                                status=S.CONFIRMED)
    db.session.add_all([registration, Registration(
        event=kept, email="stays@example.org", name="Stays", organisation_type=OrganisationType.NGO,
        attendance_mode=AttendanceMode.ONLINE, consent_at=now_utc(), status=S.WAITLISTED)])
    db.session.flush()
    db.session.delete(registration)
    db.session.execute(sa.delete(Registration).where(Registration.event_id == gone_id))
    db.session.execute(sa.delete(Event).where(Event.id == gone_id))
    db.session.commit()
    event = db.session.get(Event, kept_id)
    assert by_tallies(event) == by_counting(event)
    assert tracking.dashboard(event).by_status == {"waitlisted": 1}
    for table in (tallies.RegistrationTally, tallies.RegistrationTrait, tallies.RegistrationDay):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)
                                 .where(table.event_id == gone_id)) == 0


def test_the_migration_counts_registrations_already_there_and_goes_back(empty_app):  # noqa: F811
    before = "b1c2d3e4f5a6"
    with empty_app.app_context():
        upgrade(revision=before)
        with db.engine.begin() as connection:  # the event as its columns were then
            event_id = insert(connection, "events", **{
                k: v for k, v in event_row("counted", None).items() if k != "speakers_list"})
            for i, (status, made) in enumerate([("confirmed", NOW), ("confirmed", NOW),
                                                ("cancelled", NOW + timedelta(days=1))]):
                insert(connection, "registrations", public_id=f"r{i}", event_id=event_id,
                       door_code=f"AAAA-AAA{i}", email=f"{i}@example.org", email_hash=f"h{i}",
                       name="A", organisation="", organisation_type="ngo", attendance_mode="online",
                       language="en", captions=i == 0, accessibility_needs="", consent_at=NOW,
                       status=status, token_version=1, created_at=made, updated_at=made)
        upgrade()
        event = db.session.get(Event, event_id)
        board = tracking.dashboard(event)
        assert board.by_status == {"confirmed": 2, "cancelled": 1} and board.captions == 1
        assert [(count, total) for _day, count, total in board.over_time] == [(2, 2), (1, 3)]
        db.session.remove()

        downgrade(revision=before)
        with db.engine.connect() as connection:
            assert not sa.inspect(connection).has_table("registration_tallies")
        with db.engine.begin() as connection:  # and the triggers went with the tables
            connection.execute(sa.text("UPDATE registrations SET status = 'cancelled'"))


def test_a_search_finds_every_match_once_whatever_how_many(app, db_session, monkeypatch):
    event = make_event()
    names = ["Émile Zola", "Ana Zolá", "Zoltan Kodály", "Bea Smith", "Carl Jones", "Dora Zolaz"]
    people = {name: make_registration(event, name=name, organisation="Zolatech" if i == 4 else "NGO",
                                      status=S.CANCELLED if i == 5 else S.CONFIRMED)
              for i, name in enumerate(names)}
    make_registration(make_event(), name="Zola elsewhere")
    for few in (ordering.FOUND_FEW, 2):  # the ids found filtered a few at a time, or while reading all
        monkeypatch.setattr(ordering, "FOUND_FEW", few)
        found = tracking.attendees(event, AttendeeFilter(search="zola"), "newest")
        assert sorted(r.name for r in found.items) == ["Ana Zolá", "Carl Jones", "Dora Zolaz",
                                                       "Émile Zola"]
        assert found.total == 4
        confirmed = tracking.attendees(event, AttendeeFilter(search="ZOLA", statuses=(S.CONFIRMED,)))
        assert {r.id for r in confirmed.items} == {people[n].id for n in
                                                   ("Ana Zolá", "Carl Jones", "Émile Zola")}
    people["Bea Smith"].name = "Bea Zola"  # a change is found at the next search
    db.session.commit()
    assert tracking.count_matching(event, AttendeeFilter(search="zola")) == 5
    assert tracking.attendees(event, AttendeeFilter(search="zola\nx")).total == 0


def test_days_follow_the_event_zone_across_a_clock_change(app, db_session):
    event = make_event(timezone="Europe/Zurich")  # clocks went back at 01:00 UTC on 25 October
    change = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    for minutes in (-181, -125, -61, -59, -1, 0, 1, 59, 61, 22 * 60 + 59, 23 * 60 + 1, 23 * 60 + 30):
        make_registration(event, created_at=change + timedelta(minutes=minutes))
    assert by_tallies(event)["days"] == by_counting(event)["days"]
    assert [count for _day, count, _total in tracking.dashboard(event).over_time] == [1, 8, 3]


def test_the_list_by_name_is_in_order_on_every_page(app, db_session):
    event = make_event()
    names = [f"{letter} Person {i}" for i, letter in enumerate("QWERTYUIOPASDFGHJKLZXCVBNM")]
    for i, name in enumerate(names):
        make_registration(event, name=name, organisation=f"Org {25 - i:02d}",
                          status=S.CANCELLED if i % 5 == 0 else S.CONFIRMED)
    erase(make_registration(event, name="Erased Person"), actor="test")  # blank: would sort first
    db.session.commit()
    for sort, column in (("name", "name"), ("organisation", "organisation")):
        rows = [r for number in (1, 2, 3, 4)
                for r in tracking.attendees(event, AttendeeFilter(), sort, number, 8).items]
        assert [getattr(r, column) for r in rows] == sorted(getattr(r, column) for r in rows)
        assert len(rows) == 26
        confirmed = tracking.attendees(event, AttendeeFilter(statuses=(S.CONFIRMED,)), sort, 1, 50)
        assert [getattr(r, column) for r in confirmed.items] == sorted(
            getattr(r, column) for r in rows if r.status is S.CONFIRMED)
    late = make_registration(event, name="A Aardvark")  # kept names brought up to date
    assert tracking.attendees(event, AttendeeFilter(), "name", 1, 8).items[0] == late
