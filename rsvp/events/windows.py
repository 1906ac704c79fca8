"""Whether what an event takes from people is open now: registration, or inscription on a
speakers list. Each has its own opening and closing times; the event's own state comes first.
"""

from __future__ import annotations

import enum
from datetime import datetime

from rsvp.events.models import Event, EventStatus
from rsvp.timeutil import now_utc


class Window(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    EVENT_OVER = "event_over"
    EVENT_CANCELLED = "event_cancelled"


def window(event: Event, opens_at: datetime | None, closes_at: datetime,
           now: datetime | None = None) -> Window:
    """Where ``now`` stands: a cancelled or ended event closes everything, whatever the times;
    otherwise open from ``opens_at`` (None: already) until ``closes_at``."""
    now = now or now_utc()
    if event.status is EventStatus.CANCELLED:
        return Window.EVENT_CANCELLED
    if event.ends_at <= now:
        return Window.EVENT_OVER
    if opens_at and now < opens_at:
        return Window.NOT_YET_OPEN
    if now >= closes_at:
        return Window.CLOSED
    return Window.OPEN
