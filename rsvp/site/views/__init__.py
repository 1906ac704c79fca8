"""The site settings page and what every page fetches of the site's look."""

from __future__ import annotations

from flask import Blueprint

from rsvp.site.views import settings

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (settings,)

BLUEPRINTS: tuple[Blueprint, ...] = (settings.bp,)
