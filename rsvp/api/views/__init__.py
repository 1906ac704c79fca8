"""The API for organisers' tools (bearer tokens) and the page where organisers make the tokens."""

from __future__ import annotations

from flask import Blueprint

from rsvp.api.views import bearer, token_pages

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (bearer, token_pages)

BLUEPRINTS: tuple[Blueprint, ...] = (bearer.bp, token_pages.bp)
