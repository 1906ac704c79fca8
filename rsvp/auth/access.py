"""Who may open which /manage page: the decorators every /manage view wears, and the login session.

    from rsvp.auth.access import Role, admin_required, event_role_required, login_required, public

    @bp.get("/manage/events/<event_id>/registrations")
    @event_role_required(Role.VIEWER)
    def registrations(event: Event) -> str: ...

- ``public``: anyone (the login and password-reset pages).
- ``login_required``: any logged-in organiser.
- ``admin_required``: site admins; other organisers get 403.
- ``event_role_required(role)``: the URL has ``<event_id>`` (the event's
  public_id) and the view receives ``event`` instead. An organiser without a
  sufficient role on it, or when no such event exists, gets 404: no hint that
  it exists. Site admins pass everything (see rsvp.auth.roles for the order).

Anonymous visitors are sent to the login page with ``next`` set. Each
decorator records what it requires as ``view.access`` (``("public",)``,
``("login",)``, ``("admin",)``, ``("event", Role.MANAGER)``); the access
matrix test fails for any /manage route without one. Access is checked first,
then the CSRF token of a POST: the app-wide CSRF check is switched off for
these views so that a refused visitor learns nothing from a token error.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, g, session
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rsvp.auth import roles, services
from rsvp.auth.models import Organiser, Role
from rsvp.extensions import csrf, login_manager

__all__ = ["Role", "admin_required", "current_organiser", "event_role_required", "login_required",
           "public", "signed_in_organiser"]

View = Callable[..., ResponseReturnValue]

login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # translated when flashed; the session stores plain text


#: Set on ``g`` by load_organiser: the login's organiser was looked for in this request.
_LOADED = "rsvp_login_loaded"


@login_manager.user_loader
def load_organiser(session_id: str) -> Organiser | None:
    """The organiser of a login session, unless deactivated or the password changed since."""
    setattr(g, _LOADED, True)
    public_id, _, token = session_id.partition(":")
    organiser = roles.read_ahead_organiser(public_id) or services.get_by_public_id(public_id)
    if (organiser is None or not organiser.is_active
            or not hmac.compare_digest(organiser.session_token, token)):
        return None
    return organiser


def signed_in_organiser() -> Organiser | None:
    """The logged-in organiser for page templates (the header, the footer), or None.

    The session is looked at first, and Flask-Login's eager template context
    processor is off (see create_app): loading the user for a visitor who never
    logged in would make strong session protection rewrite their cookies on
    every public page. ``current_user`` stays available to templates, lazily.
    """
    if "_user_id" not in session:
        return None
    return current_organiser() if current_user.is_authenticated else None


def current_organiser() -> Organiser:
    """The logged-in organiser (inside a view guarded by one of the decorators below)."""
    organiser = current_user._get_current_object()  # noqa: SLF001 - Flask-Login's proxy
    assert isinstance(organiser, Organiser)
    return organiser


def _guard(view: View, access: tuple[Any, ...],
           check: Callable[[dict[str, Any]], ResponseReturnValue | None]) -> View:
    @functools.wraps(view)
    def guarded(**kwargs: Any) -> ResponseReturnValue:
        refused = check(kwargs)
        if refused is not None:
            return refused
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()  # only for POST and the like
        return view(**kwargs)

    guarded.access = access  # type: ignore[attr-defined]
    csrf.exempt(guarded)  # checked above, after access
    return guarded


def _anyone(kwargs: dict[str, Any]) -> None:
    return None


def _logged_in(kwargs: dict[str, Any]) -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def public(view: View) -> View:
    return _guard(view, ("public",), _anyone)


def login_required(view: View) -> View:
    return _guard(view, ("login",), _logged_in)


def admin_required(view: View) -> View:
    def check(kwargs: dict[str, Any]) -> ResponseReturnValue | None:
        refused = _logged_in(kwargs)
        if refused is None and not current_organiser().is_admin:
            abort(403)
        return refused

    return _guard(view, ("admin",), check)


def event_role_required(role: Role) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        def check(kwargs: dict[str, Any]) -> ResponseReturnValue | None:
            event_id = kwargs.pop("event_id")
            if (session_id := session.get("_user_id")) and _LOADED not in g:
                # The login session's organiser, the event and their role, read at once; the
                # login is then checked as ever, its loader given the organiser read here.
                roles.read_ahead(str(session_id).partition(":")[0], event_id)
            refused = _logged_in(kwargs)
            if refused is not None:
                return refused
            event = roles.event_for(current_organiser(), event_id, role)
            if event is None:
                abort(404)
            kwargs["event"] = event
            return None

        return _guard(view, ("event", role), check)

    return decorator
