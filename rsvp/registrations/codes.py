"""What a registrant shows at the door: a QR code holding a signed check-in link, and a short
code to type where no camera works. Derived from the registration; nothing more is stored."""

from __future__ import annotations

import hashlib
import io

import segno

from rsvp import tokens
from rsvp.registrations.models import Registration
from rsvp.urls import public_url

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L) when read or typed.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def checkin_token(registration: Registration) -> str:
    return tokens.sign("check-in", [registration.public_id, registration.token_version])


def code_for(registration: Registration) -> str:
    """Eight characters printed under the QR code, e.g. "K7Q2-M9XA"."""
    return code_of(registration.public_id)


def code_of(public_id: str) -> str:
    digest = hashlib.sha256(public_id.encode()).digest()
    code = "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:8])
    return f"{code[:4]}-{code[4:]}"


def checkin_url(registration: Registration) -> str:
    """The link the QR code holds: the organisers' check-in page for this person."""
    return public_url("checkin.scan", event_id=registration.event.public_id,
                      checkin_token=checkin_token(registration))


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """An inline SVG (no script, no style attribute: fine under the CSP)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False,
                                     svgns=True, title="QR code", svgclass="qr",
                                     lineclass=None)
    return buffer.getvalue().decode()
