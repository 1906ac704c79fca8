"""Registrations' pages: the public form (public), the attendee's manage link (manage_link,
on the same blueprint), the organisers' back office (back_office) and the check-in desk (door)."""

from __future__ import annotations

from flask import Blueprint

from rsvp.registrations.views import back_office, door, manage_link, public

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (back_office, door, manage_link, public)

BLUEPRINTS: tuple[Blueprint, ...] = (public.bp, back_office.bp, door.bp)
