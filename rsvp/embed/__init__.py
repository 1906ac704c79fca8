"""The registration form and the speakers-list inscription, framed on the organisation's own site.

The pages are the same views (rsvp.registrations, rsvp.speakers), rendered in a compact frame
(templates/embed/base.html) while ``embedded()`` is true, with their form actions and
redirects kept inside the frame (rsvp.embed.views.frames), and framable only by the origins in
EMBED_ORIGINS: every other page keeps ``frame-ancestors 'none'``.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context

#: The page's own template, and the one framed pages extend instead.
BASE, FRAMED_BASE = "base.html", "embed/base.html"
#: The pages' own endpoints -> their framed twins: links and redirects stay in the frame.
FRAMED = {
    "registrations.register": "embed.register",
    "registrations.registered": "embed.registered",
    "speakers.inscribe": "embed.inscribe",
    "speakers.inscribed": "embed.inscribed",
}


def embedded() -> bool:
    return has_request_context() and bool(g.get("embedded"))


def allowed_origins() -> list[str]:
    """EMBED_ORIGINS, a list or a text of origins separated by commas or spaces."""
    setting = current_app.config["EMBED_ORIGINS"]
    values = setting.replace(",", " ").split() if isinstance(setting, str) else list(setting)
    return [value.rstrip("/") for value in values if value.startswith(("https://", "http://"))]


def frame_ancestors() -> str:
    return " ".join(allowed_origins()) or "'none'"
