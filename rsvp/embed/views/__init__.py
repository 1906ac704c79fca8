"""The framed pages (rsvp.embed)."""

from __future__ import annotations

from flask import Blueprint

from rsvp.embed.views import frames

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (frames,)

BLUEPRINTS: tuple[Blueprint, ...] = (frames.bp,)
