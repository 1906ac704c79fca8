"""Exports' pages: the exports page, the downloads and the lists the worker prepares."""

from __future__ import annotations

from flask import Blueprint

from rsvp.exports.views import downloads

#: Every module with routes, the blueprints they are on, handed to create_app.
MODULES = (downloads)

BLUEPRINTS: tuple[Blueprint, ...] = (downloads.bp,)
