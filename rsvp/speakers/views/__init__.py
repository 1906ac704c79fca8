"""Speakers lists' pages: inscription and the live list (public), the organisers' console (console)."""

from __future__ import annotations

from flask import Blueprint

from rsvp.speakers.views import console, console_files, console_report, public

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (console, console_files, console_report, public)

BLUEPRINTS: tuple[Blueprint, ...] = (public.bp, console.bp)
