"""The demo: the real seed announcements (demo_events.json), re-dated around today."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from importlib import resources

import sqlalchemy as sa

from rsvp.events.models import (
    Event,
    EventDocument,
    EventFormat,
    EventPartner,
    EventPerson,
    EventStatus,
    EventTranslation,
    EventType,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
    RegistrationRule,
    UnPremises,
)
from rsvp.extensions import db
from rsvp.timeutil import local_to_utc, now_utc, to_local


def seed_records() -> list[dict]:
    text = resources.files("rsvp.events").joinpath("demo_events.json").read_text("utf-8")
    return json.loads(text)


#: What an announcement may say beyond the programme; absent from a record means not given.
_ANNOUNCED = ("duty_station", "organiser_name", "organiser_email", "social_account", "hashtag",
              "recording_url", "image_alt")


def _closes_at(record: dict, day: date, zone_name: str) -> datetime | None:
    """The RSVP deadline as announced ("by 12:00 pm Friday"): days before the event, at a local time."""
    closes = record.get("registration_closes")
    if not closes:
        return None
    return local_to_utc(datetime.combine(day - timedelta(days=closes["days_before"]),
                                         time.fromisoformat(closes["time"])), zone_name)


def build_event(record: dict, now: datetime) -> Event:
    """An Event from one seed record, moved to ``demo_offset_days`` from ``now``.

    The local wall-clock time of the announcement is kept, so "14:00 CEST"
    stays 14:00 in Geneva whatever the date becomes.
    """
    zone_name = record["timezone"]
    original = datetime.fromisoformat(record["original_start"])
    day = to_local(now, zone_name).date() + timedelta(days=record["demo_offset_days"])
    starts_at = local_to_utc(datetime.combine(day, original.time()), zone_name)
    rule = RegistrationRule(record.get("registration_rule", RegistrationRule.EVERYONE.value))
    event = Event(
        slug=record["slug"],
        title=record["title"],
        event_type=EventType(record["event_type"]),
        session=record["session"],
        summary=record["summary"],
        description=record["description"],
        format=EventFormat(record["format"]),
        status=EventStatus.PUBLISHED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=record["duration_minutes"]),
        timezone=zone_name,
        display_timezones=record["display_timezones"],
        venue=record["venue"],
        livestream_url=record["livestream_url"],
        # A watch-only event has no private link: everyone follows its public livestream.
        join_url=None if record["format"] == "in_person" or rule is RegistrationRule.NOBODY
        else f"https://meet.example.org/rsvp-demo/{record['slug']}",
        floor_language=record["floor_language"],
        interpretation_languages=record["interpretation_languages"],
        caption_languages=record["caption_languages"],
        image_credit=record["image_credit"],
        capacity_in_person=record["capacity_in_person"],
        capacity_online=record["capacity_online"],
        grounds_pass_required=record.get("grounds_pass_required", False),
        registration_rule=rule,
        un_premises=UnPremises(record.get("un_premises", UnPremises.GENEVA.value)),
        registration_closes_at=_closes_at(record, day, zone_name),
        **{name: record.get(name) for name in _ANNOUNCED},
    )
    event.partners = [
        EventPartner(name=p["name"], kind=PartnerKind(p["kind"]), role=PartnerRole(p["role"]),
                     position=i) for i, p in enumerate(record["partners"])]
    event.people = [
        EventPerson(name=p["name"], affiliation=p["affiliation"], role=ProgrammeRole(p["role"]),
                    segment=p["segment"], position=i) for i, p in enumerate(record["people"])]
    event.documents = [
        EventDocument(title=d["title"], language=d["language"], url=d["url"], position=i)
        for i, d in enumerate(record["documents"])]
    # The seeds are written in English (the default content_language); some carry translations.
    event.translations = [
        EventTranslation(language=code, title=t["title"], summary=t["summary"], description=t["description"],
                         phrases=t.get("phrases", {}))
        for code, t in record.get("translations", {}).items()]
    return event


def load_events(now: datetime | None = None) -> list[Event]:
    """Add every seed event not yet present (matched by slug); returns those added.

    The events only: rsvp.demo adds what other features give them (questions, speakers lists).
    """
    now = now or now_utc()
    existing = set(db.session.scalars(sa.select(Event.slug)))
    added = [build_event(r, now) for r in seed_records() if r["slug"] not in existing]
    db.session.add_all(added)
    db.session.flush()
    return added
