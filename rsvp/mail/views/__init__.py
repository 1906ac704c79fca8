"""The Emails page of an event: what was sent to whom, and each message as it was sent."""

from __future__ import annotations

from flask import Blueprint

from rsvp.mail.views import emails

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (emails)

BLUEPRINTS: tuple[Blueprint, ...] = (emails.bp,)
