"""The emails a speaker receives, queued in the caller's transaction: inscribed, withdrawn.

The inscription's email is written by the worker (rsvp.mail.outbox.queue_later): its
place and projected time come from the whole list, which an inscription need not
read while the list's writers wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import force_locale

from rsvp import tokens
from rsvp.events.content import email_context
from rsvp.i18n import language_name
from rsvp.mail.outbox import Rendered, queue_later, queue_rendered, render_email
from rsvp.speakers.models import Speaker
from rsvp.timeutil import (
    format_clock,
    format_day_and_span,
    format_moment,
    is_zone,
    time_lines,
    zone_abbreviation,
)
from rsvp.urls import public_url

if TYPE_CHECKING:
    from rsvp.speakers.ordering import Lineup


def speaker_url(speaker: Speaker) -> str:
    """The speaker's own page: their place and time, change, withdraw."""
    token = tokens.sign("speaker", [speaker.public_id, speaker.token_version])
    return public_url("speakers.own", token=token)


def _context(speaker: Speaker) -> dict[str, Any]:
    event = speaker.event
    lines = time_lines(event.starts_at, event.ends_at, event.timezone, event.display_timezones)
    return {
        "speaker": speaker, **email_context(event, speaker.email_language),
        "when_event": format_day_and_span(event.starts_at, event.ends_at, event.timezone),
        "when_extra": lines[1:],
        "statement_language": language_name(speaker.language),
        "speaker_url": speaker_url(speaker),
        "event_url": public_url("events.show", slug=event.slug),
        "live_url": public_url("speakers.live", slug=event.slug),
        "inscribe_url": public_url("speakers.inscribe", slug=event.slug),
    }


def _render(name: str, speaker: Speaker, **extra: Any) -> Rendered:
    with force_locale(speaker.email_language):
        context = _context(speaker) | extra
    return render_email(name, speaker.email_language, event=speaker.event, **context)


def inscribed(speaker: Speaker) -> None:
    """Queue the speaker's place and time; the worker writes it (render_inscribed) when it sends."""
    queue_later("speaker-inscribed", to=speaker.email, render="speaker-inscribed",
                args={"speaker_id": speaker.id}, event=speaker.event)


def render_inscribed(speaker: Speaker, lineup: Lineup) -> Rendered:
    """Place on the list, time allowed, projected speaking time, and the speaker's link."""
    event = speaker.event
    slot = lineup.slot_of(speaker)
    projected, projected_extra = None, []
    if slot is not None:
        with force_locale(speaker.email_language):
            projected = format_moment(slot.starts_at, event.timezone)
            projected_extra = [
                f"{format_clock(slot.starts_at, zone)} {zone_abbreviation(slot.starts_at, zone)}"
                for zone in event.display_timezones if is_zone(zone)]
    return _render("speaker-inscribed", speaker, place=lineup.place_of(speaker),
                   projected=projected, projected_extra=projected_extra,
                   fits=slot.fits if slot else True)


def withdrawn(speaker: Speaker) -> None:
    queue_rendered("speaker-withdrawn", _render("speaker-withdrawn", speaker), to=speaker.email,
                   event=speaker.event)
