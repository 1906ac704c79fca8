"""The feeds' addresses: /events.ics and the JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint

from rsvp.feeds.views import public

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (public,)

BLUEPRINTS: tuple[Blueprint, ...] = (public.bp,)
