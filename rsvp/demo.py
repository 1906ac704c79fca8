"""The demo `rsvp demo` (and so `make run`) loads: the seed events re-dated into the coming weeks,
with their questions and speakers lists, and in development an organiser who owns them.

It sits above the features, asking each for its part of a seed record.
"""

from __future__ import annotations

from datetime import datetime

from rsvp.auth.demo import ensure_demo_organiser
from rsvp.events.demo import load_events, seed_records
from rsvp.events.models import Event
from rsvp.registrations.demo import add_demo_questions
from rsvp.speakers.demo import add_demo_list
from rsvp.timeutil import now_utc

__all__ = ["ensure_demo_organiser", "load_demo"]


def load_demo(now: datetime | None = None) -> list[Event]:
    """Add every seed event not yet present, with its questions and speakers list; returns those added."""
    now = now or now_utc()
    added = load_events(now)
    records = {record["slug"]: record for record in seed_records()}
    for event in added:
        if settings := records[event.slug]["speakers_list"]:
            add_demo_list(event, settings, now)
    add_demo_questions(added)
    return added
