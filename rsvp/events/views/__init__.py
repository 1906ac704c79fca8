"""Events' public pages: the listings, an event's page, its calendar file, image and documents."""

from __future__ import annotations

from flask import Blueprint

from rsvp.events.views import public

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (public)

BLUEPRINTS: tuple[Blueprint, ...] = (public.bp,)
