"""The demo events' own registration questions, from the same seed file as the events."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.events.demo import seed_records
from rsvp.events.models import Event, Question, QuestionKind
from rsvp.extensions import db


def add_demo_questions(events: list[Event]) -> int:
    """Give each newly loaded demo event the questions its seed record lists; returns how many."""
    by_slug = {r["slug"]: r for r in seed_records()}
    added = 0
    for event in events:
        has_some = db.session.scalar(sa.select(Question.id).where(Question.event_id == event.id))
        if has_some:
            continue
        for position, item in enumerate(by_slug.get(event.slug, {}).get("questions", [])):
            db.session.add(Question(event_id=event.id, position=position,
                                    kind=QuestionKind(item["kind"]), label=item["label"],
                                    help_text=item["help_text"], required=item["required"],
                                    options=item["options"], personal_data=item["personal_data"]))
            added += 1
    db.session.flush()
    return added
