"""The `rsvp` command: Flask's commands (run, db, shell) plus the project's own.

The project's commands belong to the group itself, so ``rsvp --help`` lists
them even where the app cannot be built (a production machine before its
secret is set); building it then fails with a one-line reason, not a traceback.
"""

from __future__ import annotations

import contextvars
import os
from importlib.metadata import version

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException, with_appcontext

from rsvp import create_app
from rsvp.extensions import db


def _create_app() -> Flask:
    """create_app for the command line: a configuration error is a message, not a traceback."""
    try:
        return create_app()
    except RuntimeError as error:
        raise NoAppException(f"{error} (RSVP_ENV=development runs locally without one)") from error


@click.command("demo")
def demo_command() -> None:
    """Load the seed events, re-dated into the coming weeks (idempotent)."""
    from rsvp.demo import ensure_demo_organiser, load_demo

    added = load_demo()
    db.session.commit()
    click.echo(f"Demo: {len(added)} event(s) added." if added else "Demo: already loaded.")

    login_line = ensure_demo_organiser()
    db.session.commit()
    click.echo(login_line)


@click.command("send-pending")
def send_pending_command() -> None:
    """Send every due email once, queue due reminders, and exit (for cron)."""
    from rsvp.jobs import deliver_due
    from rsvp.timeutil import now_utc

    result = deliver_due(now_utc())
    click.echo(f"sent={result.sent} retried={result.retried} failed={result.failed}")


@click.command("worker")
@click.option("--poll", type=float, default=None, help="Seconds between passes.")
def worker_command(poll: float | None) -> None:
    """Send email and reminders until stopped (SIGINT/SIGTERM: the current message, then exit)."""
    import signal

    from flask import current_app

    from rsvp.jobs import deliver_due
    from rsvp.mail.worker import run_worker
    from rsvp.serve import configure_logging

    configure_logging(current_app.config.get("LOG_FORMAT", "text"), "worker")
    # Background work yields the CPU to pages people wait for (MAIL_WORKER_NICE).
    os.nice(max(0, min(19, int(current_app.config["MAIL_WORKER_NICE"]))))
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: stopping.append(signum))

    click.echo("worker: sending email; Ctrl+C to stop")
    run_worker(poll or current_app.config["MAIL_WORKER_POLL_SECONDS"], deliver_due,
               lambda: bool(stopping))


@click.command("purge")
def purge_command() -> None:
    """Erase attendees' personal data of events past their retention time (the worker does it too)."""
    from flask import current_app

    from rsvp.db import checkpoint
    from rsvp.jobs import purge
    from rsvp.registrations.selfservice import expire_unconfirmed
    from rsvp.timeutil import now_utc

    now = now_utc()
    expired = expire_unconfirmed(now, current_app.config["REGISTRATION_CONFIRM_HOURS"])
    result = purge(now)
    db.session.commit()
    checkpoint(db.engine)  # also for an erasure whose own checkpoint found the WAL busy
    click.echo(f"purged: {result.registrations} registration(s) of {result.events} event(s), "
               f"{result.messages} message(s); {expired} unconfirmed registration(s) expired")


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True,
              help="Address and port (the reverse proxy forwards here).")
@click.option("--workers", type=int, default=None, help="Defaults to 2 x CPUs + 1, at most 8.")
@click.option("--timeout", type=int, default=30, show_default=True, help="Seconds per request.")
def serve_command(bind: str, workers: int | None, timeout: int) -> None:
    """Serve the app with gunicorn (production)."""
    from flask import current_app

    from rsvp.serve import Server, default_workers, options

    log_format = current_app.config.get("LOG_FORMAT", "text")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    workers = workers or default_workers()
    if workers > 1 and str(current_app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        click.echo(f"serve: rate limits are counted in each of the {workers} workers' memory, so "
                   f"each limit lets up to {workers} times as much through; set "
                   "RSVP_RATELIMIT_STORAGE_URI=instance (this machine's workers share a file) or "
                   "redis://... (several servers; deploy/rsvp.env)", err=True)
    server = Server(app, options(bind, workers, timeout, log_format))
    # This command runs inside the CLI's app context. Forked workers would inherit it, and a
    # request reuses an app context already pushed for its app: every visitor would then share
    # one ``g`` (the logged-in organiser, the CSRF token, the language). The server runs in an
    # empty context instead, so each request pushes its own.
    contextvars.Context().run(server.run)


@click.command("mailcatcher")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=None, help="Defaults to MAIL_PORT.")
def mailcatcher_command(host: str, port: int | None) -> None:
    """Run a local SMTP server that stores what it receives in instance/mailcatcher/."""
    import time
    from pathlib import Path

    from flask import current_app

    from rsvp.mail.catcher import serve

    folder = Path(current_app.instance_path) / "mailcatcher"
    controller = serve(folder, host, port or current_app.config["MAIL_PORT"])
    click.echo(f"mailcatcher: listening on {host}:{controller.port}, storing in {folder}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


@click.command("create-organiser")
@click.option("--email", required=True, help="The address they log in with and receive links at.")
@click.option("--name", required=True, help="Their name, as their co-organisers see it.")
@click.option("--admin", is_flag=True, help="A site admin: creates organisers, owner of every event.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_organiser_command(email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create an organiser account with a password (prompted twice, not shown)."""
    import sys

    from email_validator import EmailNotValidError, validate_email

    from rsvp.auth import services

    try:
        email = services.normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from error
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        organiser = services.create_organiser(email, name, is_admin=admin, password=password)
    except services.EmailTaken as error:
        raise click.ClickException(f"An organiser account uses {email} already.") from error
    except services.PasswordTooShort as error:
        raise click.ClickException(
            f"The password needs at least {services.MIN_PASSWORD_LENGTH} characters.") from error
    db.session.commit()
    click.echo(f"Organiser {organiser.email} created{' (site admin)' if admin else ''}.")


COMMANDS = (demo_command, send_pending_command, worker_command, mailcatcher_command, purge_command,
            serve_command, create_organiser_command)


@click.group("keys")
def keys_group() -> None:
    """The keys that seal personal data at rest (RSVP_DATA_KEYS)."""


@keys_group.command("new")
def new_key_command() -> None:
    """Print a new data key: put it first in RSVP_DATA_KEYS, then run `rsvp keys rotate`."""
    from rsvp.sealing import new_key

    click.echo(new_key())


@keys_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Re-seal every row under the first key of RSVP_DATA_KEYS, while the app serves."""
    from rsvp.keys import rotate
    from rsvp.sealing import keyring

    rotation = rotate()
    click.echo(f"re-sealed {rotation.rows} row(s) and {rotation.files} prepared export(s) under key "
               f"{keyring().active}; "
               f"{rotation.left} value(s) left under older keys")
    if rotation.left:
        raise click.ClickException("some rows are still sealed under an older key: is every web "
                                   "server and worker running with the new key first?")


def register_commands(app: Flask) -> None:
    """The commands on ``app.cli`` too, for ``flask --app rsvp`` and app.test_cli_runner()."""
    for command in COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(keys_group)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
@click.version_option(version("rsvp"), prog_name="rsvp")
def main() -> None:
    """RSVP: registration for human-rights side events and webinars."""


for _command in COMMANDS:
    # On the group, a command pushes the app context itself (app.cli's commands get one for free).
    assert _command.callback is not None  # every command here is a function
    _command.callback = with_appcontext(_command.callback)
    main.add_command(_command)
main.add_command(keys_group)  # its commands ask for the app themselves: `keys new` needs none


if __name__ == "__main__":
    main()
