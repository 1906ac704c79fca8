"""Reading and changing the site's look; the colour's contrast checked by WCAG's formula."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g

from rsvp.events import uploads
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.site.models import SiteSettings
from rsvp.timeutil import now_utc

#: White text on the colour (the header, buttons) and the colour as text on the pages' pale
#: background (links) both need WCAG AA's 4.5:1 for normal text.
MIN_CONTRAST = 4.5
WHITE = "#ffffff"
#: The pages' background (static/css/app.css --wash): links in the colour sit on it.
WASH = "#f3f5f7"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Branding:
    """What pages and emails show of the site: the settings over the configuration's defaults."""

    name: str
    organisation: str
    address: str
    website: str
    colour: str
    #: The colour darkened, for hover states.
    colour_dark: str
    logo: str | None
    logo_alt: str
    #: Changes whenever the settings do: part of the style sheet's and logo's addresses.
    version: str

    @property
    def custom_colour(self) -> bool:
        return self.colour.lower() != current_app.config["SITE_COLOUR"].lower()


def _row() -> SiteSettings | None:
    return db.session.get(SiteSettings, 1)


def current() -> Branding:
    """The site's look, read once per request (or per batch of emails: one app context).

    When the database cannot answer (the "try again shortly" page is rendering), the
    configuration's look: that page must not fail in turn.
    """
    if "branding" not in g:
        try:
            row = _row()
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            row = None
        g.branding = _branding(row)
    return g.branding  # type: ignore[no-any-return]


def _branding(row: SiteSettings | None) -> Branding:
    config = current_app.config

    def pick(column: str, default: str) -> str:
        value = getattr(row, column, None) if row is not None else None
        return value or default

    organisation = pick("organisation", config["SITE_ORGANISATION"])
    colour = pick("colour", config["SITE_COLOUR"]).lower()
    return Branding(
        name=pick("name", config["SITE_NAME"]), organisation=organisation,
        address=pick("address", config["SITE_ORGANISATION_ADDRESS"]),
        website=pick("website", config["SITE_ORGANISATION_URL"]),
        colour=colour, colour_dark=darker(colour),
        logo=row.logo if row else None,
        logo_alt=pick("logo_alt", organisation),
        version=row.updated_at.strftime("%Y%m%d%H%M%S%f") if row else "0")


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of "#rrggbb"."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g_, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g_) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darker(colour: str, by: float = 0.25) -> str:
    """The colour mixed with ``by`` of black."""
    return "#" + "".join(f"{round(int(colour[i:i + 2], 16) * (1 - by)):02x}" for i in (1, 3, 5))


def colour_problem(colour: str) -> str | None:
    """Why ``colour`` cannot be the site's colour, or None. The message is the organiser's."""
    from flask_babel import gettext as _

    if not _HEX.fullmatch(colour):
        return _("Enter a colour as # and six hexadecimal digits, for example #0b4f8a.")
    worst = min(contrast(colour, WHITE), contrast(colour, WASH))
    if worst < MIN_CONTRAST:
        return _("White text on this colour, and this colour as link text, would be hard to read: "
                 "its contrast is %(ratio)s:1 and needs at least %(needed)s:1. Choose a darker "
                 "colour.", ratio=f"{worst:.1f}", needed=MIN_CONTRAST)
    return None


@dataclass(frozen=True)
class Changes:
    """What the admin asked for on /manage/site (blank text: back to the configuration)."""

    name: str
    organisation: str
    address: str
    website: str
    colour: str
    logo_alt: str
    #: The new logo's bytes and file name, if one was uploaded.
    logo: tuple[bytes, str] | None = None
    remove_logo: bool = False


def save(changes: Changes, actor: str) -> list[str]:
    """Store the settings and say so in the audit log; the names of the fields that changed.

    :raises uploads.UploadRefused: the logo is not an image we take (nothing is stored then).
    """
    row = _row() or SiteSettings(id=1)
    before = _branding(row if row.id and row.updated_at else None)
    old_logo = row.logo
    new_logo = None
    if changes.logo is not None:
        data, kind = uploads.prepare_image(*changes.logo)
        new_logo = uploads.store(data, kind)
    values = {"name": changes.name, "organisation": changes.organisation,
              "address": changes.address, "website": changes.website,
              "colour": changes.colour.lower(), "logo_alt": changes.logo_alt}
    shown = {"logo_alt": row.logo_alt or ""}  # the others as pages showed them
    changed = [key for key, value in values.items() if shown.get(key, getattr(before, key)) != value]
    for key, value in values.items():
        setattr(row, key, value or None)
    if new_logo or (changes.remove_logo and old_logo):
        row.logo = new_logo
        changed.append("logo")
    if not changed:
        return []
    row.updated_at = now_utc()
    db.session.add(row)
    audit.record(None, actor, AuditAction.CHANGED_SITE, "site settings: " + ", ".join(changed))
    db.session.commit()
    g.pop("branding", None)
    if "logo" in changed:
        uploads.discard(old_logo)
    return changed


def brand_css(branding: Branding) -> str:
    """The style sheet that gives the pages the site's colour (a file: the CSP allows no inline style)."""
    return (f":root {{ --brand: {branding.colour}; --brand-dark: {branding.colour_dark}; }}\n")
