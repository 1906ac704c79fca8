"""Organisers' own pages: logging in and out and passwords (login), /manage, the organisers and
each event's team (manage)."""

from __future__ import annotations

from flask import Blueprint

from rsvp.auth.views import login, manage

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (login, manage)

BLUEPRINTS: tuple[Blueprint, ...] = (login.bp, manage.bp)
