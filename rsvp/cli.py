"""The `rsvp` command: Flask's commands (run, db, shell) plus the project's own."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from rsvp import create_app
from rsvp.extensions import db


@click.command("demo")
def demo_command() -> None:
    """Load the seed events, re-dated into the coming weeks (idempotent)."""
    from rsvp.events.demo import load_demo

    added = load_demo()
    db.session.commit()
    click.echo(f"Demo: {len(added)} event(s) added." if added else "Demo: already loaded.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """RSVP: registration for human-rights side events and webinars."""
