"""The list opens and everyone inscribes at once: real concurrent requests, real commits,
on SQLite or PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.i18n import country_choices
from rsvp.mail.models import OutboxMessage
from rsvp.speakers import lists, services
from rsvp.speakers.models import Speaker, SpeakerCategory
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speakers_list

#: Distinct delegations by category: 300 in all.
MIX = {"member_state": 47, "observer_state": 60, "un_igo": 20, "nhri": 23, "ngo": 130, "other": 20}


def forms() -> list[dict[str, str]]:
    countries = iter(code for code, _name in country_choices())
    result = []
    for category, count in MIX.items():
        for n in range(count):
            form = {"name": f"Speaker {category} {n}", "delegation": f"{category} delegation {n}",
                    "category": category, "capacity": "individual", "language": "en",
                    "email": f"{category}.{n}@example.org", "consent": "y"}
            if category in ("member_state", "observer_state", "nhri"):
                form["country"] = next(countries) if category != "nhri" else "FR"
            result.append(form)
    return result


def duplicates() -> list[dict[str, str]]:
    """Ten NGOs that each send their inscription three more times, spelt differently."""
    return [{"name": f"Again {n}.{k}", "delegation": spelling.format(n=n), "category": "ngo",
             "capacity": "individual", "language": "en", "email": f"again{n}.{k}@example.org", "consent": "y"}
            for n in range(10)
            for k, spelling in enumerate(("NGO delegation {n}", "ngo  DELEGATION {n}.",
                                          "Ngo-delegation {n}"))]


def test_300_inscriptions_as_the_list_opens_all_stored_once_in_arrival_order(app, live_db):
    event = make_event()
    opens_at = now_utc() + timedelta(seconds=3)
    make_speakers_list(event, opens_at=opens_at)
    event_id, slug = event.id, event.slug
    early = {"name": "Too early", "delegation": "Early NGO", "category": "ngo", "capacity": "individual",
             "language": "en", "email": "early@example.org", "consent": "y"}

    def post(form: dict[str, str], wait: bool = True) -> int:
        if wait:
            time.sleep(max((opens_at - now_utc()).total_seconds(), 0))
        with app.test_client() as client:
            return client.post(f"/events/{slug}/speakers", data=form).status_code

    assert post(early, wait=False) == 409  # before the list opens: refused, not stored
    batch = forms()
    racing = duplicates()
    with ThreadPoolExecutor(max_workers=24) as pool:
        # The duplicates are sent among the first requests, racing their originals.
        ordered = list(itertools.chain.from_iterable(itertools.zip_longest(batch, racing)))
        statuses = list(pool.map(post, [form for form in ordered if form]))

    assert Counter(statuses) == {303: 300, 409: 30}  # nobody sees an error page
    db.session.remove()
    stored = list(db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event_id)))
    assert len(stored) == 300
    assert len({s.delegation_key for s in stored}) == 300  # none duplicated
    assert Counter(s.category.value for s in stored) == MIX
    assert all(s.inscribed_at >= opens_at for s in stored)  # the server's clock, in the window
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "speaker-inscribed")) == 300

    lineup = services.lineup(lists.speakers_list_of(stored[0].event))
    assert len(lineup.queue) == 300
    for category in SpeakerCategory:
        arrivals = [(s.inscribed_at, s.id) for s in lineup.queue if s.category is category]
        assert arrivals == sorted(arrivals), f"{category} not in order of server arrival"
