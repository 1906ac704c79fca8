"""The public registration form and the page that confirms it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from rsvp import tokens
from rsvp.events.models import AttendanceMode
from rsvp.events.views import load_public_event
from rsvp.extensions import db
from rsvp.registrations import notify, services
from rsvp.registrations.forms import RegistrationForm
from rsvp.registrations.models import OrganisationType, Registration

bp = Blueprint("registrations", __name__)

#: Session key holding the registration just made, so its page needs no id in the URL.
_JUST_REGISTERED = "just_registered"


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str) -> str | Response | tuple[str, int]:
    event = load_public_event(slug)
    window = services.window(event)
    form = RegistrationForm(event)
    context = {"event": event, "form": form, "window": window,
               "closes_at": services.closes_at(event)}
    if window is not services.Window.OPEN:
        return render_template("registrations/register.html", **context), 200
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("registrations/register.html", **context), status

    data = services.RegistrationData(
        name=form.name.data,
        email=form.email.data,
        organisation=form.organisation.data or "",
        organisation_type=OrganisationType(form.organisation_type.data),
        country=form.country.data or None,
        attendance_mode=AttendanceMode(form.attendance_mode.data),
        interpretation_language=form.interpretation_language.data or None,
        captions=bool(form.captions.data) and bool(event.caption_languages),
        accessibility_needs=form.accessibility_needs.data or "",
        language=str(get_locale() or "en"),
        timezone=form.timezone.data or None,
    )
    try:
        registration = services.register(event, data)
        db.session.commit()
    except services.AlreadyRegistered:
        db.session.rollback()
        form.email.errors = [_("This email address is already registered for this event. "
                               "Use the link in your confirmation email to change or "
                               "cancel that registration.")]
        return render_template("registrations/register.html", **context), 409
    except services.EventFull:
        db.session.rollback()
        form.attendance_mode.errors = [_("There are no seats left for this way of attending.")]
        return render_template("registrations/register.html", **context), 409
    except services.RegistrationClosed as closed:
        db.session.rollback()
        context["window"] = closed.window
        return render_template("registrations/register.html", **context), 409
    session[_JUST_REGISTERED] = registration.public_id
    return redirect(url_for("registrations.registered", slug=slug), code=303)


@bp.get("/events/<slug>/registered")
def registered(slug: str) -> str | Response:
    event = load_public_event(slug)
    registration = services.get_by_public_id(session.get(_JUST_REGISTERED, ""))
    if registration is None or registration.event_id != event.id:
        return redirect(url_for("events.show", slug=slug))
    return render_template("registrations/registered.html", event=event,
                           registration=registration)


def _load_from_token(token: str) -> Registration | tuple[str, int]:
    try:
        return services.from_manage_token(token)
    except tokens.TokenExpired:
        return render_template("registrations/bad_link.html", expired=True), 410
    except tokens.TokenInvalid:
        return render_template("registrations/bad_link.html", expired=False), 404


@bp.get("/r/<token>")
def manage(token: str) -> str | tuple[str, int]:
    registration = _load_from_token(token)
    if not isinstance(registration, Registration):
        return registration
    return render_template("registrations/manage.html", registration=registration,
                           event=registration.event, token=token,
                           join_url=notify.join_url_for(registration),
                           form=FlaskForm())


@bp.post("/r/<token>/cancel")
def cancel(token: str) -> Response | tuple[str, int]:
    registration = _load_from_token(token)
    if not isinstance(registration, Registration):
        return registration
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        services.cancel(registration)
        db.session.commit()
    except services.TransitionRefused:
        db.session.rollback()
        flash(_("This registration was already cancelled."), "warning")
    else:
        flash(_("Your registration is cancelled. We have sent you a confirmation."), "success")
    return redirect(url_for("registrations.manage", token=token), code=303)
