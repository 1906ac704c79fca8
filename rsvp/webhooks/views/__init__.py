"""The organisers' webhook pages: an event's (managers) and the site-wide ones (site admins)."""

from __future__ import annotations

from flask import Blueprint

from rsvp.webhooks.views import pages

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (pages,)

BLUEPRINTS: tuple[Blueprint, ...] = (pages.bp,)
