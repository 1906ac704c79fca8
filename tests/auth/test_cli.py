"""`rsvp create-organiser` and the demo organiser `make run` prints."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.auth import services
from rsvp.auth.demo import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_organiser
from rsvp.auth.models import EventRole, Role
from rsvp.demo import load_demo
from rsvp.extensions import db


def test_create_organiser_reads_the_password_from_stdin(app, db_session):
    result = app.test_cli_runner().invoke(args=[
        "create-organiser", "--email", "Phil@Example.org", "--name", "Phil Lynch", "--admin",
        "--password-stdin"], input="a password from a file\n")
    assert result.exit_code == 0, result.output
    assert "Organiser phil@example.org created (site admin)." in result.output
    organiser = services.authenticate("phil@example.org", "a password from a file")
    assert organiser.is_admin and organiser.name == "Phil Lynch"


def test_create_organiser_prompts_twice_without_echo(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-organiser", "--email", "sarah@example.org", "--name", "Sarah"],
                           input="first try password\nnot the same one!\n"
                                 "typed carefully now\ntyped carefully now\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert "typed carefully" not in result.output  # hidden input
    organiser = services.authenticate("sarah@example.org", "typed carefully now")
    assert not organiser.is_admin


def test_create_organiser_refuses_bad_input(app, db_session):
    runner = app.test_cli_runner()
    base = ["create-organiser", "--name", "Someone", "--password-stdin"]
    result = runner.invoke(args=[*base, "--email", "not an address"], input="long enough password\n")
    assert result.exit_code == 2 and "--email" in result.output
    result = runner.invoke(args=[*base, "--email", "short@example.org"], input="too short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert services.find_by_email("short@example.org") is None
    runner.invoke(args=[*base, "--email", "taken@example.org"], input="long enough password\n")
    result = runner.invoke(args=[*base, "--email", "TAKEN@example.org"], input="long enough password\n")
    assert result.exit_code == 1 and "uses taken@example.org already" in result.output


def test_demo_organiser_owns_every_demo_event_once(app, db_session, monkeypatch):
    events = load_demo()
    assert ensure_demo_organiser().startswith("Demo organiser: only created in development")
    assert services.find_by_email(DEMO_EMAIL) is None

    monkeypatch.setitem(app.config, "ENV", "development")
    assert ensure_demo_organiser() == f"Organiser login: {DEMO_EMAIL} / {DEMO_PASSWORD}"
    ensure_demo_organiser()  # a second `make run`
    organiser = services.authenticate(DEMO_EMAIL, DEMO_PASSWORD)
    assert organiser.is_admin
    held = list(db.session.execute(sa.select(EventRole.event_id, EventRole.role)
                                   .where(EventRole.organiser_id == organiser.id)))
    assert sorted(held) == sorted((event.id, Role.OWNER) for event in events)
