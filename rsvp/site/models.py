"""The site's settings: one row, whose empty fields fall back on the configuration."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rsvp.db import Base, UTCDateTime
from rsvp.personal import not_personal
from rsvp.timeutil import now_utc


class SiteSettings(Base):
    """What a site admin set on /manage/site; NULL means "as the configuration says"."""

    __tablename__ = "site_settings"

    #: Always 1: the site has one set of settings.
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(80), info=not_personal("the site's name"))
    organisation: Mapped[str | None] = mapped_column(
        sa.String(200), info=not_personal("the organisation running the site"))
    address: Mapped[str | None] = mapped_column(
        sa.String(500), info=not_personal("the organisation's postal address"))
    website: Mapped[str | None] = mapped_column(
        sa.String(300), info=not_personal("the organisation's website"))
    #: "#rrggbb", checked for contrast with white text when it was set.
    colour: Mapped[str | None] = mapped_column(sa.String(7), info=not_personal("a colour"))
    #: A stored image's name (rsvp.events.uploads), re-encoded at upload.
    logo: Mapped[str | None] = mapped_column(sa.String(64), info=not_personal("a random file name"))
    logo_alt: Mapped[str | None] = mapped_column(
        sa.String(200), info=not_personal("the logo's description"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
