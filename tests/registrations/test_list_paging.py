"""The organiser's list paged by its links and by page numbers, on SQLite and PostgreSQL.

Following "Next" shows every row once while people register, change status or are
renamed meanwhile (the links name the row they follow on from); page N by its URL is
page N reached by following the links; a deep page asks the database about its own rows
only, and newest first without OFFSET; what a process keeps of an event changes in
place, and threads reading pages while another writes never see half a write.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, Event, EventFormat
from rsvp.extensions import db
from rsvp.registrations import blocks, opened, ordering
from rsvp.registrations.kept import folded
from rsvp.registrations.models import OrganisationType, Registration, RegistrationStatus
from rsvp.registrations.tracking import AttendeeFilter, attendees
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration

S = RegistrationStatus
PER_PAGE = 4
SORTS = ["newest", "oldest", "name", "organisation", "status"]
FILTERS = ["", "status=confirmed", "status=confirmed&mode=in_person", "language=fr&status=waitlisted"]
ROW = re.compile(r'<th scope="row"><a href="/manage/events/[^/]+/registrations/([^"]+)"')


@pytest.fixture
def listed(app, client, db_session, monkeypatch):
    """A manager logged in on ``client`` and an event of 30 registrations of mixed status,
    mode and language, listed PER_PAGE to a page; blocks of 5 rows, so pages cross them."""
    monkeypatch.setitem(app.config, "REGISTRATIONS_PER_PAGE", PER_PAGE)
    monkeypatch.setattr(blocks, "BLOCK", 5)
    opened.forget()
    event = make_event(format=EventFormat.HYBRID, interpretation_languages=["fr"])
    pick = random.Random(3)
    for i in range(30):
        make_registration(event, name=f"{pick.choice(['Ana', 'Zoë', 'Émile', 'Kofi'])} {i:02d}",
                          organisation=pick.choice(["Amnesty", "ÉcoNet", "zeta"]),
                          status=pick.choice([S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.CANCELLED]),
                          attendance_mode=pick.choice(list(AttendanceMode)),
                          interpretation_language=pick.choice([None, "fr"]))
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    log_in(client, manager.email)
    yield event
    opened.forget()


def _get(client, url: str) -> tuple[list[str], dict[str, str], int]:
    """The page's rows (public ids), its links (rel -> URL) and its number."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    links = {rel: href.replace("&amp;", "&")
             for href, rel in re.findall(r'href="([^"]+)" rel="(prev|next)"', html)}
    number = re.search(r"Registrations, page (\d+) of", html)
    assert number, url
    return ROW.findall(html), links, int(number.group(1))


def _url(event, sort: str, filters: str, page: int | None = None) -> str:
    url = f"/manage/events/{event.public_id}/registrations?sort={sort}&{filters}"
    return url if page is None else f"{url}&page={page}"


def _walk(client, url: str, between=lambda number: None) -> list[tuple[int, list[str]]]:
    """Every page from ``url`` on by "Next": (number, rows); ``between`` runs before each step."""
    pages = []
    while True:
        rows, links, number = _get(client, url)
        pages.append((number, rows))
        if "next" not in links:
            return pages
        between(number)
        url = links["next"]


@pytest.mark.parametrize("sort", SORTS)
def test_following_next_shows_each_row_once_while_people_register_and_leave(client, listed, sort):
    """Between two pages someone registers (newest: on top; named "Aaron": first by name), a
    confirmed person cancels and a waitlisted one is confirmed: every row there from start to
    end shows once. By page numbers a row shifted onto the next page showed twice, or one
    shifted back was never shown."""
    confirmed = list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == listed.id, Registration.status == S.CONFIRMED)
        .order_by(Registration.id)))
    waiting = list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == listed.id, Registration.status == S.WAITLISTED)
        .order_by(Registration.id)))
    changed: set[str] = set()

    def meanwhile(number: int) -> None:
        newcomer = make_registration(listed, name=f"Aaron {number}", organisation="Aaa",
                                     status=S.CONFIRMED)
        leaving, coming = confirmed.pop(0), waiting.pop(0)
        leaving.status, coming.status = S.CANCELLED, S.CONFIRMED
        db.session.commit()
        changed.update({newcomer.public_id, leaving.public_id, coming.public_id})

    pages = _walk(client, _url(listed, sort, "status=confirmed"), meanwhile)
    seen = [row for _number, rows in pages for row in rows]
    assert len(seen) == len(set(seen)), "a row shown twice"
    still = set(db.session.scalars(sa.select(Registration.public_id).where(
        Registration.event_id == listed.id, Registration.status == S.CONFIRMED)))
    assert still - changed <= set(seen), "a row never shown"
    numbers = [number for number, _rows in pages]
    assert numbers == sorted(numbers) and numbers[0] == 1


@pytest.mark.parametrize("sort", SORTS)
def test_page_n_by_its_url_is_page_n_reached_by_the_links(client, listed, sort):
    """Forwards by "Next", backwards by "Previous", or straight to ?page=N: the same rows,
    every selected row once, in the list's order."""
    for filters in FILTERS:
        forwards = _walk(client, _url(listed, sort, filters))
        for number, rows in forwards:
            assert _get(client, _url(listed, sort, filters, number))[0] == rows, (filters, number)
        url, backwards = _url(listed, sort, filters, len(forwards)), []
        while True:
            rows, links, number = _get(client, url)
            backwards.append((number, rows))
            if "prev" not in links:
                break
            url = links["prev"]
        assert backwards[::-1] == forwards, filters
        seen = [row for _number, rows in forwards for row in rows]
        assert sorted(seen) == sorted(_selected(listed, filters)), filters


def _selected(event, filters: str) -> list[str]:
    selection = AttendeeFilter.from_query(MultiDict(
        pair.split("=") for pair in filters.split("&") if pair))
    return list(db.session.scalars(sa.select(Registration.public_id)
                                   .where(*selection.conditions(event))))


def test_a_deep_page_asks_the_database_about_its_own_rows_only(app, db_session, monkeypatch):
    """The middle page of a narrow filter by name, and of the list newest first, after a write:
    no query names more ids than the page holds, and none skips rows by OFFSET."""
    monkeypatch.setattr(blocks, "BLOCK", 20)
    opened.forget()
    event = make_event(format=EventFormat.HYBRID, interpretation_languages=["fr"])
    for i in range(120):
        make_registration(event, name=f"Person {i:03d}", status=S.REJECTED if i % 3 else S.CONFIRMED,
                          interpretation_language="fr" if i % 2 else None)
    narrow = AttendeeFilter(statuses=(S.CONFIRMED,), language="fr")  # 20 of 120
    for sort in ("name", "newest"):
        attendees(event, narrow, sort, 1, per_page=4)  # what the process keeps, made
    make_registration(event, name="Person 050b", status=S.CONFIRMED, interpretation_language="fr")
    wanted = ordered_ids(event, narrow)
    named: list[int] = []
    real_among = ordering.among
    monkeypatch.setattr(ordering, "among", lambda ids: named.append(len(ids)) or real_among(ids))
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        by_name = attendees(event, narrow, "name", 3, per_page=4)
        newest = attendees(event, AttendeeFilter(), "newest", 16, per_page=4)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert [r.id for r in by_name.items] == wanted[8:12]
    every = ordered_ids(event, AttendeeFilter(), by_time=True)
    assert [r.id for r in newest.items] == every[60:64]
    assert named and max(named) <= 4, named
    assert not [s for s in seen if "OFFSET" in s.upper()], "rows skipped by OFFSET"


def ordered_ids(event, selection: AttendeeFilter, by_time: bool = False) -> list[int]:
    """The ids ``selection`` selects by folded name then id, or newest first."""
    rows = db.session.execute(sa.select(Registration.id, Registration.name, Registration.created_at)
                              .where(*selection.conditions(event))).all()
    if by_time:
        return [i for _made, i in sorted(((made, i) for i, _name, made in rows), reverse=True)]
    return [i for _name, i in sorted((folded(name), i) for i, name, _made in rows)]


def test_a_write_changes_what_the_process_keeps_in_place(app, db_session):
    """A rename and a change of status move two rows of the kept orders, in place: the same
    lists, no copy of the event's rows, and pages right at once."""
    opened.forget()
    event = make_event()
    people = [make_registration(event, name=f"Person {i:02d}") for i in range(12)]
    assert [r.id for r in attendees(event, AttendeeFilter(), "name", 1, 50).items] == [
        r.id for r in people]
    attendees(event, AttendeeFilter(), "newest", 1, 50)
    kept = opened._kept[opened._key(event.id)]
    texts, orders = kept.rows.texts, {p: (order, order.ids) for p, order in kept.orders.items()}
    people[5].name = "Aaa First"
    people[7].status = S.CANCELLED
    db.session.commit()
    page = attendees(event, AttendeeFilter(statuses=(S.CONFIRMED,)), "name", 1, 50)
    assert [r.id for r in page.items] == [people[5].id] + [
        r.id for r in people if r not in (people[5], people[7])]
    assert opened._kept[opened._key(event.id)] is kept and kept.rows.texts is texts
    assert {p: (order, order.ids) for p, order in kept.orders.items()} == orders
    assert all(kept.orders[p] is order and order.ids is ids for p, (order, ids) in orders.items())


def test_threads_reading_pages_never_see_half_a_write(app, live_db):
    """One thread renames six people at a time, each write naming them for its round and
    moving them through the name order, and changes their status; four threads read pages and
    what is kept meanwhile. Every read sees all six of a round or none: the six names it
    finds carry one round, each page is in name order and its count the rows it holds."""
    opened.forget()
    event = make_event(format=EventFormat.HYBRID)
    movers = [make_registration(event, name=f"Mover {i}", organisation_type=OrganisationType.NGO)
              for i in range(6)]
    for i in range(40):
        make_registration(event, name=f"Person {i:02d}", status=S.WAITLISTED if i % 4 else S.CONFIRMED)
    event_id, mover_ids = event.id, [r.id for r in movers]
    rounds, failures, done, seen = 25, [], threading.Event(), set()

    def write() -> None:
        with app.app_context():
            try:
                for n in range(1, rounds + 1):
                    status = S.CONFIRMED if n % 2 else S.WAITLISTED
                    db.session.execute(sa.update(Registration).where(
                        Registration.id.in_(mover_ids)).values(status=status, updated_at=now_utc()))
                    for k, i in enumerate(mover_ids):  # sealed: each name written by the ORM
                        db.session.get(Registration, i).name = f"{'ZA'[n % 2]}round {n:02d} {k}"
                    db.session.commit()
                    opened.kept_order(event_id, Registration.name)  # applied to what is kept
            except Exception as error:  # noqa: BLE001 - reported by the test
                failures.append(repr(error))
            finally:
                done.set()
                db.session.remove()

    def read() -> None:
        with app.app_context():
            try:
                event_ = db.session.get(Event, event_id)
                while not done.is_set():
                    texts = opened.opened(event_id)
                    found = {texts[i][0].split()[1] for i in mover_ids
                             if texts[i][0].startswith(("around", "zround"))}
                    if len(found) > 1:
                        failures.append(f"half a write: rounds {found}")
                    seen.update(found)
                    kept = opened.kept_order(event_id, Registration.name)
                    if kept.keys != sorted(kept.keys) or [k[1] for k in kept.keys] != kept.ids:
                        failures.append("an order half moved")
                    if sum(block.size for block in kept.blocks) != len(kept.ids):
                        failures.append("blocks half moved")
                    page = attendees(event_, AttendeeFilter(statuses=(S.CONFIRMED,)), "name",
                                     2, per_page=5)
                    names = [folded(r.name) for r in page.items]
                    if names != sorted(names):
                        failures.append(f"a page out of order: {names}")
                    db.session.remove()
                    event_ = db.session.get(Event, event_id)
            except Exception as error:  # noqa: BLE001 - reported by the test
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=read) for _ in range(4)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not [thread for thread in threads if thread.is_alive()]
    assert not failures, Counter(failures).most_common(5)
    assert len(seen) > 1  # the readers read while the rounds were written
    db.session.remove()  # this thread's view of the database began before the writes
    names = opened.opened(event_id)
    assert {names[i][0].split()[1] for i in mover_ids} == {f"{rounds:02d}"}
    opened.forget()
