"""The After-the-event pages of an event: attendance (the desk's and the platforms' reports) and
the follow-up."""

from __future__ import annotations

from flask import Blueprint

from rsvp.attendance.views import after

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (after,)

BLUEPRINTS: tuple[Blueprint, ...] = (after.bp,)
