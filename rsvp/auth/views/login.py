"""Logging in and out, changing a password, and resetting it through an emailed link."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask import request as http_request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from rsvp import tokens
from rsvp.auth import services
from rsvp.auth.access import current_organiser, login_required, public, signed_in_organiser
from rsvp.auth.forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetRequestForm
from rsvp.extensions import db, limiter
from rsvp.timeutil import format_clock, zone_abbreviation
from rsvp.urls import safe_next

bp = Blueprint("auth", __name__)

Page = str | Response | tuple[str, int]


def _login_rate_limit() -> str:
    return current_app.config["AUTH_LOGIN_RATE_LIMIT"]


def _lang() -> str:
    return str(get_locale() or "en")


@bp.route("/manage/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> Page:
    form = LoginForm()
    if not form.is_submitted():
        form.next.data = safe_next(http_request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    try:
        organiser = services.authenticate(form.email.data, form.password.data)
    except services.AccountLocked as locked:
        db.session.commit()  # the lock is kept
        zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
        until = f"{format_clock(locked.until, zone)} {zone_abbreviation(locked.until, zone)}"
        form.password.errors = [_("Too many attempts. Try again at %(time)s.", time=until)]
        return render_template("auth/login.html", form=form), 429
    except services.AccountInactive:
        db.session.rollback()
        form.password.errors = [_("This account is deactivated. Ask a site administrator.")]
        return render_template("auth/login.html", form=form), 403
    except services.LoginFailed:
        db.session.commit()  # the failure is counted
        form.password.errors = [_("The email address or the password is wrong.")]
        return render_template("auth/login.html", form=form), 401
    db.session.commit()
    login_user(organiser, remember=False)
    return redirect(safe_next(form.next.data) or url_for("manage.home"), code=303)


@bp.post("/manage/logout")
@login_required
def logout() -> Response:
    services.end_sessions(current_organiser())
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/manage/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Page:
    organiser = current_organiser()
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/password.html", form=form, organiser=organiser), status
    try:
        services.change_password(organiser, form.current_password.data, form.new_password.data)
    except services.WrongPassword:
        db.session.rollback()
        form.current_password.errors = [_("This is not your current password.")]
        return render_template("auth/password.html", form=form, organiser=organiser), 422
    db.session.commit()
    login_user(organiser, remember=False)  # this session carries the new session token
    flash(_("Your password is changed. Any other session with your account has been logged out."),
          "success")
    return redirect(url_for("manage.home"), code=303)


@bp.route("/manage/password-reset", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate_limit, methods=["POST"])
def request_reset() -> Page:
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/reset_request.html", form=form), status
    services.request_password_reset(form.email.data, _lang())
    db.session.commit()
    # The same answer whether or not an account uses this address.
    return render_template("auth/reset_requested.html", email=form.email.data)


@bp.route("/manage/password-reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Page:
    try:
        organiser = services.from_password_token(token)
    except tokens.TokenExpired:
        return render_template("auth/bad_link.html", reason="expired"), 410
    except services.LinkUsed:
        return render_template("auth/bad_link.html", reason="used"), 410
    except tokens.TokenInvalid:
        return render_template("auth/bad_link.html", reason="invalid"), 404
    form = NewPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/reset.html", form=form, organiser=organiser, token=token), status
    services.set_password(organiser, form.new_password.data)
    db.session.commit()
    logout_user()  # whoever was logged in here, the new password is someone's own to use
    flash(_("Your password is set. Log in with it now."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.record_once
def _template_globals(state) -> None:  # type: ignore[no-untyped-def]
    # Flask-Login's context processor is off (see rsvp.auth.access.signed_in_organiser).
    state.app.jinja_env.globals.update(current_user=current_user, signed_in_organiser=signed_in_organiser)
