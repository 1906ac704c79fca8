"""The demo's speakers list: the seed event that announced one gets it, open from now,
with a few inscriptions from States and NGOs (no email is sent for them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakersList
from rsvp.speakers.services import delegation_key


def add_demo_list(event: Event, settings: dict[str, Any], now: datetime) -> SpeakersList:
    """A list for ``event`` from its seed ``settings``, open from ``now`` until the event starts."""
    speakers_list = SpeakersList(
        event=event, opens_at=now, closes_at=event.starts_at,
        floor_starts_at=event.starts_at + timedelta(minutes=settings["floor_offset_minutes"]),
        floor_minutes=settings["floor_minutes"], individual_seconds=settings["individual_seconds"],
        group_seconds=settings["group_seconds"])
    db.session.add(speakers_list)
    samples = settings.get("sample_speakers", [])
    for number, sample in enumerate(samples, start=1):
        category = SpeakerCategory(sample["category"])
        group_name = sample.get("group_name")
        db.session.add(Speaker(
            event=event, name=sample["name"], delegation=sample["delegation"],
            delegation_key=delegation_key(category, sample["delegation"], sample.get("country"), group_name),
            category=category, country=sample.get("country"), on_behalf_of_group=bool(group_name),
            group_name=group_name, language=sample["language"], email=f"speaker{number}@example.org",
            seconds_allowed=speakers_list.seconds_for(category, bool(group_name)),
            inscribed_at=now - timedelta(minutes=len(samples) - number)))
    db.session.flush()
    return speakers_list
