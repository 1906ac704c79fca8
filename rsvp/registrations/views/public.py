"""The public registration form, the email confirmation, and the page after registering.

After a registration, and after a second one with the same address, the
screen says the same thing ("check your email"): the form never reveals
whether someone is registered. The manage link's pages are in manage_link.py.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from rsvp import tokens
from rsvp.db import reads_first, writes_next
from rsvp.events.labels import watch_only
from rsvp.events.services import public_event, public_event_and_questions
from rsvp.extensions import db, limiter
from rsvp.postgresql import commit
from rsvp.registrations import posted, selfservice, services
from rsvp.registrations.entered import registration_data
from rsvp.registrations.forms import LinkRequestForm, RegistrationForm, registration_form_class
from rsvp.registrations.notice import notice_lines
from rsvp.web import public_form_limit

bp = Blueprint("registrations", __name__)

#: Session key holding the address just used, so the next page needs nothing in its URL.
_JUST_REGISTERED = "just_registered"


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def register(slug: str) -> str | Response | tuple[str, int]:
    reads_first()  # validate without holding SQLite's write lock; see the commit below
    event, questions = public_event_and_questions(slug)
    if watch_only(event):  # nobody registers: the event page links to its livestream
        return redirect(url_for("events.show", slug=slug), code=303)
    window = services.window(event)
    form_class = registration_form_class(questions)
    # Most posts are plainly valid, and the form is then never shown: they are judged without
    # building it. Any other post, and every page shown, is the form's (posted.py).
    values = (posted.plainly_valid(form_class, request.form, event)
              if window is services.Window.OPEN and request.method == "POST" and not request.files
              else None)
    form: RegistrationForm | None = None

    def page(status: int, shown: services.Window = window,
             mode_error: str | None = None) -> tuple[str, int]:
        """The form again; its privacy notice is worked out only when it is shown."""
        shown_form = form or form_class(event, questions)
        if mode_error:
            shown_form.attendance_mode.errors = [mode_error]
        return render_template("registrations/register.html", event=event, form=shown_form,
                               window=shown, closes_at=services.closes_at(event),
                               notice=notice_lines(event, shown_form)), status

    language = str(get_locale() or "en")
    if values is None:
        form = form_class(event, questions)
        if window is not services.Window.OPEN:
            return page(200)
        if not form.validate_on_submit():
            return page(422 if form.is_submitted() else 200)
        if form.is_bot:  # the same answer a person gets, and nothing stored or sent
            session[_JUST_REGISTERED] = [slug, form.email.data.strip().lower()]
            return redirect(url_for("registrations.registered", slug=slug), code=303)
        data = form.registration_data(language=language)
    else:
        data = registration_data(event, questions, values, language)

    writes_next(db.session())  # the write transaction starts with the seat
    try:
        services.register_row(event, data)  # its row only: nothing of it is shown
    except services.AlreadyRegistered as already:
        selfservice.resend_link(already.existing)
    except services.EventFull:
        db.session.rollback()
        return page(409, mode_error=_("There are no seats left for this way of attending."))
    except services.RegistrationClosed as closed:
        db.session.rollback()
        return page(409, closed.window)
    commit(db.session())  # nothing to send when the registration's one statement committed alone
    session[_JUST_REGISTERED] = [slug, data.email.strip().lower()]
    return redirect(url_for("registrations.registered", slug=slug), code=303)


@bp.get("/events/<slug>/registered")
def registered(slug: str) -> str | Response:
    event = public_event(slug)
    just = session.get(_JUST_REGISTERED)
    if not just or just[0] != slug:
        return redirect(url_for("events.show", slug=slug))
    return render_template("registrations/registered.html", event=event, email=just[1])


@bp.errorhandler(tokens.TokenInvalid)
def _bad_link(error: tokens.TokenInvalid) -> tuple[str, int]:
    """A confirmation or manage link that is tampered, revoked or too old (410): say which, and
    offer the manage links again by email (the confirmation's page explains what to do instead)."""
    expired = isinstance(error, tokens.TokenExpired)
    confirm = error.args[:1] == ("confirm-email",)
    page = render_template("registrations/bad_link.html", expired=expired, confirm=confirm,
                           **({} if confirm else {"form": LinkRequestForm()}))
    return page, 410 if expired else 404


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> str | Response | tuple[str, int]:
    """A page with a button, not a GET that confirms: mail scanners open links, people press buttons."""
    hours = current_app.config["REGISTRATION_CONFIRM_HOURS"]
    registration = services.from_token("confirm-email", token, max_age=hours * 3600)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            selfservice.confirm_email(registration)
            db.session.commit()
        except services.TransitionRefused:
            db.session.rollback()  # already confirmed: the manage page says where it stands
        except services.RegistrationClosed:
            db.session.rollback()
            return render_template("registrations/confirm.html", registration=registration,
                                   event=registration.event, form=form, closed=True), 409
        manage_token = tokens.sign("manage-registration",
                                   [registration.public_id, registration.token_version])
        return redirect(url_for("registrations.manage", token=manage_token), code=303)
    return render_template("registrations/confirm.html", registration=registration,
                           event=registration.event, form=form, closed=False)
