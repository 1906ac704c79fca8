"""The organiser's list in name or organisation order, filtered, on every page; search right
after a registration or an erasure; a large event's names opened off the request.

The list in a sealed column's order walks the names kept opened a chunk at a time
(ordering.walk): chunks are made tiny here so every page crosses several, from the
front and from the back, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.registrations import blocks, listing, opened, ordering, tracking
from rsvp.registrations.kept import folded
from rsvp.registrations.models import OrganisationType, Registration, RegistrationStatus
from rsvp.registrations.selfservice import erase
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration

S = RegistrationStatus
FIRST = ["Zoë", "adam", "Émile", "Bea", "Ngọc", "Ana", "carl", "Dora", "Olu", "Ömer", "Yan"]
FILTERS = [
    AttendeeFilter(),
    AttendeeFilter(statuses=(S.CONFIRMED,)),
    AttendeeFilter(statuses=(S.WAITLISTED, S.CANCELLED)),
    AttendeeFilter(mode=AttendanceMode.IN_PERSON, checked_in=False),
    AttendeeFilter(language="fr"),
    AttendeeFilter(language="floor", organisation_type=OrganisationType.STATE),
    AttendeeFilter(confidential=True),
    AttendeeFilter(statuses=(S.REJECTED,)),  # selects nobody
]


@pytest.fixture
def crowd(app, db_session, monkeypatch):
    """47 registrations of mixed status, mode, language and kind; duplicate names (ties by id),
    one erased (blank: it would sort first), one in another event."""
    monkeypatch.setattr(ordering, "WALK_MOST", 5)
    monkeypatch.setattr(blocks, "BLOCK", 5)
    pick = random.Random(19)
    event = make_event(format=EventFormat.HYBRID, interpretation_languages=["fr"])
    for i in range(47):
        make_registration(
            event, name=f"{pick.choice(FIRST)} {pick.choice(['Sy', 'Ba', 'Ng'])}",
            organisation=pick.choice(["Amnesty", "ÉcoNet", "zeta", "Bureau", "amnesty"]),
            status=pick.choice([S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.CANCELLED]),
            attendance_mode=pick.choice(list(AttendanceMode)),
            interpretation_language=pick.choice([None, "fr"]),
            organisation_type=pick.choice([OrganisationType.NGO, OrganisationType.STATE]),
            checked_in_at=now_utc() if i % 6 == 0 else None, confidential=i % 9 == 0)
    erase(make_registration(event, name="Erased Person"), actor="test")
    make_registration(make_event(), name="Aaron Elsewhere")
    db.session.commit()
    return event


def expected(event, selection: AttendeeFilter, column: str) -> list[int]:
    rows = db.session.execute(sa.select(Registration.id, getattr(Registration, column))
                              .where(*selection.conditions(event))).all()
    return [i for _key, i in sorted((folded(value), i) for i, value in rows)]


@pytest.mark.parametrize("far", [2, 1000])  # deep pages counted in one query first, or walked
@pytest.mark.parametrize("sort", ["name", "organisation"])
def test_every_page_of_a_filtered_list_in_name_order_holds_every_match_once(crowd, sort, far,
                                                                            monkeypatch):
    monkeypatch.setattr(ordering, "WALK_FAR", far)
    for selection in FILTERS:
        wanted = expected(crowd, selection, sort)
        pages = max(1, -(-len(wanted) // 4))
        seen = []
        for number in range(1, pages + 1):
            page = tracking.attendees(crowd, selection, sort, number, per_page=4)
            assert (page.total, page.pages or 1, page.preparing) == (len(wanted), pages, None)
            seen.extend(r.id for r in page.items)
        assert seen == wanted, selection  # each once, in order, from the front and the back
        numbers = list(range(1, pages + 1))
        random.Random(len(wanted)).shuffle(numbers)  # what earlier walks learnt, used anywhere
        for number in numbers:
            page = tracking.attendees(crowd, selection, sort, number, per_page=4)
            assert [r.id for r in page.items] == wanted[(number - 1) * 4:number * 4]
        beyond = tracking.attendees(crowd, selection, sort, pages + 3, per_page=4)
        assert [r.id for r in beyond.items] == wanted[(pages - 1) * 4:]  # the last page


def test_a_change_of_status_moves_a_row_between_filtered_lists_at_once(crowd):
    confirmed = AttendeeFilter(statuses=(S.CONFIRMED,))
    first = tracking.attendees(crowd, confirmed, "name", 1, per_page=50).items[0]
    first.status = S.CANCELLED
    db.session.commit()
    assert first not in tracking.attendees(crowd, confirmed, "name", 1, per_page=50).items
    assert [r.id for r in tracking.attendees(crowd, confirmed, "name", 1, per_page=50).items] == \
        expected(crowd, confirmed, "name")


def test_a_search_finds_a_new_name_at_once_and_never_an_erased_one(app, db_session):
    event = make_event()
    for i in range(5):
        make_registration(event, name=f"Person {i}")
    assert tracking.attendees(event, AttendeeFilter(search="wanjiru")).total == 0  # names kept
    client = app.test_client()
    response = client.post(f"/events/{event.slug}/register", data={
        "name": "Wanjiru Mathai", "email": "wanjiru@example.org", "organisation": "NGO",
        "organisation_type": "ngo", "country": "KE", "attendance_mode": "online",
        "consent": "y", "timezone": "Africa/Nairobi"})
    assert response.status_code == 303
    found = tracking.attendees(event, AttendeeFilter(search="WANJIRU"))
    assert [r.name for r in found.items] == ["Wanjiru Mathai"]
    by_name = tracking.attendees(event, AttendeeFilter(), "name", 2, per_page=5)
    assert [r.name for r in by_name.items] == ["Wanjiru Mathai"]  # after the five "Person"s
    erase(found.items[0], actor="test")
    db.session.commit()
    assert tracking.attendees(event, AttendeeFilter(search="wanjiru")).total == 0
    assert tracking.attendees(event, AttendeeFilter(search="erased")).total == 0
    assert "Wanjiru" not in {r.name for r in tracking.attendees(event, AttendeeFilter(), "name").items}


def test_a_large_event_s_names_open_off_the_request_and_the_page_says_so(app, live_db, monkeypatch):
    """Above WAIT_AT_MOST the first search answers at once with what is opened so far and says
    so; once the names are open, the same search is complete and says nothing."""
    monkeypatch.setattr(opened, "WAIT_AT_MOST", 3)
    opened.forget()
    event = make_event()
    for i in range(8):
        make_registration(event, name=f"Kofi {i}" if i % 2 else f"Ama {i}")
    manager = make_organiser(email="lists-manager@example.org")
    grant_role(event, manager, Role.MANAGER)
    client = app.test_client()
    log_in(client, manager.email)
    url = f"/manage/events/{event.public_id}/registrations"
    try:
        first = client.get(f"{url}?q=kofi&sort=name")
        assert first.status_code == 200
        assert b"The search is being prepared" in first.data
        assert b"Results will complete in a moment" in first.data
        opened.settle()
        again = client.get(f"{url}?q=kofi&sort=name")
        assert b"being prepared" not in again.data
        assert all(f"Kofi {i}".encode() in again.data for i in (1, 3, 5, 7))
        assert b"Ama " not in again.data
        sorted_page = tracking.attendees(event, AttendeeFilter(), "name", 1, per_page=50)
        assert sorted_page.preparing is None
        assert [r.name for r in sorted_page.items] == sorted(r.name for r in sorted_page.items)
    finally:
        opened.settle()
        opened.forget()


def test_a_sort_by_name_while_names_open_shows_the_list_newest_first_and_says_so(
        app, live_db, monkeypatch):
    monkeypatch.setattr(opened, "WAIT_AT_MOST", 3)
    opened.forget()
    event = make_event()
    made = [make_registration(event, name=name) for name in ("Zed", "Abe", "Mia", "Kai")]
    try:
        page = tracking.attendees(event, AttendeeFilter(), "name")
        assert page.preparing is not None and page.preparing.of == 4
        assert [r.id for r in page.items] == [r.id for r in reversed(made)]  # newest first
        opened.settle()
        page = tracking.attendees(event, AttendeeFilter(), "name")
        assert page.preparing is None
        assert [r.name for r in page.items] == ["Abe", "Kai", "Mia", "Zed"]
    finally:
        opened.settle()
        opened.forget()



def _every_page_right(event, sort: str = "name") -> None:
    """Every page of every filter of FILTERS holds the matches in order, each once."""
    for selection in FILTERS:
        wanted = expected(event, selection, sort)
        pages = max(1, -(-len(wanted) // 4))
        seen = [r.id for number in range(pages, 0, -1)  # deepest first: nothing learnt on the way
                for r in reversed(tracking.attendees(event, selection, sort, number, per_page=4).items)]
        assert seen[::-1] == wanted, selection


def test_pages_after_writes_read_only_the_blocks_they_touch(crowd, monkeypatch):
    """After a registration, a rename, a change of status, a check-in and an erasure, every page
    of every filtered list is right at once, and none of them sorted the event again or asked
    the database for every id a filter selects: the blocks the writes did not touch kept what
    they knew (a deep page after a write costs what it costs at any size)."""
    _every_page_right(crowd)
    _every_page_right(crowd, "organisation")
    people = list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == crowd.id, Registration.erased_at.is_(None))
        .order_by(Registration.id)))
    make_registration(crowd, name="Mia Middle", status=S.CONFIRMED, interpretation_language="fr")
    people[3].name = "Aaa First Now"
    people[10].status = S.CANCELLED if people[10].status is not S.CANCELLED else S.CONFIRMED
    people[20].checked_in_at = None if people[20].checked_in_at else now_utc()
    erase(people[30], actor="test")
    db.session.commit()

    def refused(*args, **kwargs):
        raise AssertionError("the event was sorted or counted whole again")

    monkeypatch.setattr(blocks.KeptOrder, "build", classmethod(refused))
    monkeypatch.setattr(ordering, "_count_blocks", refused)
    monkeypatch.setattr(ordering, "walk", refused)
    _every_page_right(crowd)
    _every_page_right(crowd, "organisation")
    kept = opened.kept_order(crowd.id, Registration.name)  # erased rows too, sorted first
    names = db.session.execute(sa.select(Registration.id, Registration.name)
                               .where(Registration.event_id == crowd.id)).all()
    assert kept.ids == [i for _name, i in sorted((folded(name), i) for i, name in names)]


def test_many_rows_into_one_block_split_it_and_pages_stay_right(crowd):
    _every_page_right(crowd)
    for i in range(25):  # all between "Dora" and "Émile": one block grows past twice its size
        make_registration(crowd, name=f"Dorb {i:02d}", status=S.CONFIRMED)
    db.session.commit()
    _every_page_right(crowd)
    kept = opened.kept_order(crowd.id, Registration.name)
    assert max(block.size for block in kept.blocks) <= 2 * blocks.BLOCK
    assert sum(block.size for block in kept.blocks) == len(kept.ids)


def test_a_write_the_process_did_not_see_is_answered_by_the_database(crowd, monkeypatch):
    """A change whose row kept its ``updated_at`` (as a server whose clock lags far behind
    would leave it): the kept traits disagree with the database's counts, and the pages are
    walked as the database says, still right."""
    _every_page_right(crowd)
    confirmed = db.session.scalars(sa.select(Registration.id).where(
        Registration.event_id == crowd.id, Registration.status == S.CONFIRMED)
        .order_by(Registration.id)).all()
    db.session.execute(sa.update(Registration).where(Registration.id.in_(confirmed[:3]))
                       .values(status=S.WAITLISTED, updated_at=Registration.updated_at))
    db.session.commit()
    walks = []
    real_walk = listing.walk
    monkeypatch.setattr(listing, "walk", lambda *args: walks.append(args) or real_walk(*args))
    _every_page_right(crowd)
    assert walks  # the database's word, not the kept traits'
