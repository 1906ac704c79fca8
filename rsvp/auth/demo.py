"""The demo organiser that `make run` prints: a site admin who owns every demo event (development only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from rsvp.auth import services
from rsvp.auth.models import EventRole, Role
from rsvp.events.demo import seed_records
from rsvp.events.models import Event
from rsvp.extensions import db

DEMO_EMAIL = "organiser@example.org"
#: Documented in the README; the account is only ever created in development.
DEMO_PASSWORD = "demo-organiser-password"  # noqa: S105


def ensure_demo_organiser() -> str:
    """Create the demo organiser once and make it owner of every demo event; returns the line to print.

    Outside development nothing is created: a known password must never reach a real site.
    """
    if current_app.config["ENV"] != "development":
        return "Demo organiser: only created in development; use `rsvp create-organiser`."
    organiser = services.find_by_email(DEMO_EMAIL) or services.create_organiser(
        DEMO_EMAIL, "Demo Organiser", is_admin=True, password=DEMO_PASSWORD)
    slugs = [record["slug"] for record in seed_records()]
    owned = set(db.session.scalars(sa.select(EventRole.event_id).where(
        EventRole.organiser_id == organiser.id)))
    for event in db.session.scalars(sa.select(Event).where(Event.slug.in_(slugs))):
        if event.id not in owned:
            db.session.add(EventRole(event_id=event.id, organiser_id=organiser.id, role=Role.OWNER))
    db.session.flush()
    return f"Organiser login: {DEMO_EMAIL} / {DEMO_PASSWORD}"
