"""The event editor's pages, one blueprint ("editor"): a new event, its details, publish, cancel and
clone (details), cancelling or postponing with a notice to registrants (notices), its lists, files
and image (lists), its translations (translations)."""

from __future__ import annotations

from flask import Blueprint

from rsvp.editor.views import details, lists, notices, translations

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (details, lists, notices, translations)

BLUEPRINTS: tuple[Blueprint, ...] = (details.bp,)
