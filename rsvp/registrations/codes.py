"""What a registrant shows at the door: a QR code holding a signed check-in link, and a short
code to type where no camera works, derived from the registration's public id (and stored
with it, indexed, so the desk finds it at once)."""

from __future__ import annotations

import io

from rsvp import qr, tokens
from rsvp.registrations.models import Registration, door_code
from rsvp.urls import public_url


def checkin_token(registration: Registration) -> str:
    return tokens.sign("check-in", [registration.public_id, registration.token_version])


def code_for(registration: Registration) -> str:
    """Eight characters printed under the QR code, e.g. "K7Q2-M9XA"."""
    return door_code(registration.public_id)


def checkin_url(registration: Registration) -> str:
    """The link the QR code holds: the organisers' check-in page for this person."""
    return public_url("checkin.scan", event_id=registration.event.public_id,
                      checkin_token=checkin_token(registration))


def qr_png(data: str) -> bytes:
    return qr.png(qr.make(data), scale=6, border=2)


def qr_svg(data: str) -> str:
    """An inline SVG (no script, no style attribute: fine under the CSP)."""
    buffer = io.BytesIO()
    qr.make(data).save(buffer, kind="svg", scale=5, border=2, xmldecl=False,
                                     svgns=True, title="QR code", svgclass="qr",
                                     lineclass=None)
    return buffer.getvalue().decode()
