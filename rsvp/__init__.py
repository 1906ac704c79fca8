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

    :raises RuntimeError: production without RSVP_SECRET_KEY or RSVP_PUBLIC_BASE_URL.
    """
    app = Flask(
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
    if proxies := int(app.config["PROXIES"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The visitor's address (rate limits) and https (secure cookies, HSTS) as the proxy saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from rsvp import web
    from rsvp.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app, add_context_processor=False)  # see rsvp.auth.access
    web.init_app(app)

    from rsvp.events.views import bp as events_bp
    from rsvp.registrations import manage_views  # noqa: F401  (adds the /r/<token> routes to bp)
    from rsvp.registrations.views import bp as registrations_bp
    from rsvp.speakers.views import bp as speakers_bp

    app.register_blueprint(events_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(speakers_bp)

    from rsvp.auth.manage import bp as manage_bp
    from rsvp.auth.views import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(manage_bp)

    from rsvp.exports.views import bp as exports_bp
    from rsvp.registrations.back_office import bp as attendees_bp
    from rsvp.registrations.door import bp as checkin_bp

    app.register_blueprint(attendees_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(exports_bp)

    from rsvp.mail.views import bp as emails_bp

    app.register_blueprint(emails_bp)

    import rsvp.events.manage_translations  # noqa: F401  (adds the editor's Translations pages to its bp)
    from rsvp.events import manage_lists  # noqa: F401  (adds the editor's list pages to its bp)
    from rsvp.events.manage_views import bp as editor_bp

    app.register_blueprint(editor_bp)

    from rsvp.speakers.console import bp as speakers_console_bp

    app.register_blueprint(speakers_console_bp)

    from rsvp.language import bp as language_bp

    app.register_blueprint(language_bp)

    from rsvp.cli import register_commands

    register_commands(app)
    return app
