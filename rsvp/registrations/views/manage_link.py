"""The manage link's pages (/r/<token>): see, change, cancel, erase; and asking for links again.

No account: the signed link is the key. Bad links get a clear page that
offers a fresh link by email, answered the same whether or not the address
is registered.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from rsvp.events.content import question_text, reader_language
from rsvp.events.models import AttendanceMode
from rsvp.events.questions import answer_text, questions_for
from rsvp.exports.jobs import delete_export_files
from rsvp.extensions import db, limiter
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import codes, notify, selfservice, services
from rsvp.registrations.forms import DetailsForm, EraseForm, LinkRequestForm, details_form
from rsvp.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from rsvp.registrations.views.public import bp
from rsvp.timeutil import now_utc
from rsvp.web import public_form_limit


def _page(registration: Registration, token: str, form: DetailsForm | None = None,
          erase_form: EraseForm | None = None) -> str:
    event = registration.event
    questions = questions_for(event)
    editable = (registration.status in ACTIVE_STATUSES and not registration.erased_at
                and event.ends_at > now_utc())
    if form is None and editable:
        form = details_form(registration, questions)
    texts = [question_text(q, reader_language()) for q in questions]
    answers = [(text.label, answer_text(q, (registration.answers or {}).get(q.key), text))
               for q, text in zip(questions, texts, strict=True)]
    at_the_door = (registration.status is RegistrationStatus.CONFIRMED
                   and registration.attendance_mode is AttendanceMode.IN_PERSON)
    return render_template(
        "registrations/manage.html", registration=registration, event=event, token=token,
        join_url=notify.join_url_for(registration), form=form if editable else None,
        answers=answers, questions=questions, cancel_form=FlaskForm(), erase_form=erase_form or EraseForm(),
        editable=editable,
        checkin_qr=codes.qr_svg(codes.checkin_url(registration)) if at_the_door else None,
        checkin_code=codes.code_for(registration) if at_the_door else None)


@bp.route("/r/<token>", methods=["GET", "POST"])
def manage(token: str) -> str | Response | tuple[str, int]:
    registration = services.from_manage_token(token)  # a bad link: public._bad_link answers
    if not registration.event.ends_at > now_utc() or registration.status not in ACTIVE_STATUSES:
        return _page(registration, token)
    form = details_form(registration, questions_for(registration.event))
    if not form.validate_on_submit():
        return _page(registration, token, form), 422 if form.is_submitted() else 200
    details = form.details()
    try:
        changed = selfservice.update_details(registration, details)
        db.session.commit()
    except services.EventFull:
        db.session.rollback()
        form.attendance_mode.errors = [_("There is no seat left for this way of attending. "
                                         "You keep the place you have.")]
        return _page(registration, token, form), 409
    except (services.TransitionRefused, services.RegistrationClosed):
        db.session.rollback()
        flash(_("This registration can no longer be changed."), "warning")
    else:
        flash(_("Your changes are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("registrations.manage", token=token), code=303)


@bp.post("/r/<token>/cancel")
def cancel(token: str) -> Response | tuple[str, int]:
    registration = services.from_manage_token(token)  # a bad link: public._bad_link answers
    if not FlaskForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "warning")
        return redirect(url_for("registrations.manage", token=token), code=303)
    try:
        services.cancel(registration)
        db.session.commit()
    except services.TransitionRefused:
        db.session.rollback()
        flash(_("This registration was already cancelled."), "warning")
    else:
        flash(_("Your registration is cancelled. We have sent you a confirmation."), "success")
    return redirect(url_for("registrations.manage", token=token), code=303)


@bp.get("/r/<token>/data.json")
def download(token: str) -> Response | tuple[str, int]:
    registration = services.from_manage_token(token)  # a bad link: public._bad_link answers
    response = jsonify(selfservice.personal_data(registration))
    response.headers["Content-Disposition"] = 'attachment; filename="my-registration.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/r/<token>/erase")
def erase(token: str) -> str | Response | tuple[str, int]:
    registration = services.from_manage_token(token)  # a bad link: public._bad_link answers
    form = EraseForm()
    if not form.validate_on_submit():
        return _page(registration, token, erase_form=form), 422
    event = registration.event
    code = codes.code_for(registration)
    selfservice.erase(registration)
    audit.record(event, "attendee", AuditAction.ERASED_REGISTRATION,
                 f"registration {code} erased at the attendee's request, through their link")
    delete_export_files(event.id)  # a list prepared with them in it goes too; it can be asked again
    db.session.commit()
    return render_template("registrations/erased.html", event=event)


@bp.route("/my-registrations", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def request_links() -> str | tuple[str, int]:
    form = LinkRequestForm()
    if form.validate_on_submit():
        if not form.is_bot:
            selfservice.request_links(form.email.data)
            db.session.commit()
        return render_template("registrations/links_sent.html", email=form.email.data)
    return render_template("registrations/request_links.html", form=form), (
        422 if form.is_submitted() else 200)
