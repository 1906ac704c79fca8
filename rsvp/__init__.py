"""RSVP: registration for human-rights side events and webinars."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, commands.

    The environment is RSVP_ENV (development, testing, production; production
    when unset). RSVP_* variables override the files, ``overrides`` everything.

    :raises RuntimeError: production without RSVP_SECRET_KEY, RSVP_DATA_KEYS or
        RSVP_PUBLIC_BASE_URL.
    """
    from rsvp import ratelimits, web

    app = web.App(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("RSVP_INSTANCE_PATH", str(ROOT / "instance")),
    )
    env = (overrides or {}).get("ENV") or os.environ.get("RSVP_ENV", "production")
    if env not in ("development", "testing", "production"):
        raise RuntimeError(f"RSVP_ENV={env!r}: use development, testing or production")
    app.config.from_object("config.default")
    app.config.from_object(f"config.{env}")
    app.config.from_prefixed_env("RSVP")
    app.config.update(overrides or {})
    app.config["ENV"] = env
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("RSVP_SECRET_KEY is not set: production refuses to start without it")
    if not app.config.get("PUBLIC_BASE_URL"):
        raise RuntimeError("RSVP_PUBLIC_BASE_URL is not set: production needs the site's address "
                           "(https://…) for the links in its emails")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_data_keys(app)
    if proxies := int(app.config["PROXIES"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The visitor's address (rate limits) and https (secure cookies, HSTS) as the proxy saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from rsvp.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    if app.config["RATELIMIT_STORAGE_URI"] == ratelimits.INSTANCE:
        app.config["RATELIMIT_STORAGE_URI"] = ratelimits.uri_for(app.instance_path)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app, add_context_processor=False)  # see rsvp.auth.access
    web.init_app(app)

    from rsvp.api.views import BLUEPRINTS as api
    from rsvp.attendance.views import BLUEPRINTS as attendance_pages
    from rsvp.auth.views import BLUEPRINTS as organiser_pages
    from rsvp.editor.views import BLUEPRINTS as editor_pages
    from rsvp.embed.views import BLUEPRINTS as framed_pages
    from rsvp.events.views import BLUEPRINTS as event_pages
    from rsvp.exports.views import BLUEPRINTS as export_pages
    from rsvp.feeds.views import BLUEPRINTS as feeds
    from rsvp.language import bp as language_switcher
    from rsvp.mail.views import BLUEPRINTS as email_pages
    from rsvp.registrations.views import BLUEPRINTS as registration_pages
    from rsvp.site.views import BLUEPRINTS as site_pages
    from rsvp.speakers.views import BLUEPRINTS as speaker_pages
    from rsvp.webhooks.views import BLUEPRINTS as webhook_pages

    for blueprint in (*event_pages, *registration_pages, *speaker_pages, *organiser_pages,
                      *export_pages, *email_pages, *editor_pages, *attendance_pages, *feeds,
                      *site_pages, *api, *webhook_pages, *framed_pages, language_switcher):
        app.register_blueprint(blueprint)

    from rsvp.auth.services import RENDERERS as organiser_emails
    from rsvp.mail.outbox import register_renderers
    from rsvp.registrations.notify import RENDERERS as registration_emails
    from rsvp.speakers.services import RENDERERS as speaker_emails

    for renderers in (registration_emails, speaker_emails, organiser_emails):
        register_renderers(app, renderers)

    from rsvp.webhooks.events import install as tell_webhooks

    tell_webhooks()  # a delivery row in the same transaction as each change it tells of

    from rsvp.embed.views.frames import install as frame_templates

    frame_templates(app)

    from rsvp.cli import register_commands

    register_commands(app)
    return app


def _load_data_keys(app: Flask) -> None:
    """The keys that seal personal data (rsvp.sealing): RSVP_DATA_KEYS, or in development a key
    made once into the instance folder. Production refuses to start without them."""
    from rsvp import sealing

    keys = app.config.get("DATA_KEYS")
    if not keys and app.config["ENV"] == "development":
        keys = sealing.development_keys(app.instance_path)
    if not keys:
        raise RuntimeError("RSVP_DATA_KEYS is not set: production needs the keys that seal "
                           "personal data (`rsvp keys new` makes one; keep it apart from the "
                           "database's backups)")
    try:
        app.extensions[sealing.EXTENSION] = sealing.Keyring.parse(keys)
    except ValueError as error:
        raise RuntimeError(f"RSVP_DATA_KEYS: {error}") from None
