"""The organisers' pages for an event's registrations: overview, list, one registration,
decisions one by one or many at once, editing on someone's behalf, messages, the audit log.

Every view declares the role it needs; reading a list or a registration and
every change are written to the audit log (without attendees' personal data).
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.auth.roles import can
from rsvp.events.models import Event
from rsvp.events.questions import answer_text, questions_for
from rsvp.exports.jobs import delete_export_files
from rsvp.extensions import db
from rsvp.i18n import country_name, isolate
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import codes, decisions, messaging, selfservice, services, texts, tracking
from rsvp.registrations.forms import ORGANISATION_TYPE_LABELS, STATUS_LABELS, details_form
from rsvp.registrations.models import Registration, door_code

bp = Blueprint("attendees", __name__)

Page = str | Response | tuple[str, int]

REFUSALS = {
    services.TransitionRefused: _l("not possible in its current status"),
    services.EventFull: _l("no seat is free in that attendance mode"),
}


def _actor() -> str:
    return current_organiser().email


def _load(event: Event, registration_id: str) -> Registration:
    registration = services.get_by_public_id(registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


#: Co-sponsors see no country with fewer people than this (k-anonymity against re-identification).
SMALL_COUNT = 5


@bp.get("/manage/events/<event_id>")
@event_role_required(Role.CO_SPONSOR)
def overview(event: Event) -> str:
    return render_template("manage/attendees/overview.html", event=event,
                           board=tracking.dashboard(event),
                           may_list=can(current_organiser(), event, Role.VIEWER),
                           SMALL_COUNT=SMALL_COUNT)


@bp.get("/manage/events/<event_id>/registrations")
@event_role_required(Role.VIEWER)
def index(event: Event) -> str:
    selection = tracking.AttendeeFilter.from_query(request.args)
    sort = request.args.get("sort", "newest")
    may_act = can(current_organiser(), event, Role.MANAGER)
    if selection.search.strip() and not may_act and selection.confidential is None:
        # A name searched for must not tell a viewer that a confidential person registered.
        selection = replace(selection, confidential=False)
    cursor = tracking.cursor_of(event, request.args.get("after"), request.args.get("before"))
    page = tracking.attendees(event, selection, sort, request.args.get("page", 1, type=int),
                              current_app.config.get("REGISTRATIONS_PER_PAGE", 50), cursor)
    audit.record(event, _actor(), AuditAction.VIEWED_LIST,
                 f"registrations page {page.page} ({selection.describe()})")
    # Rendered before the commit, which would expire the page's rows: each read again alone.
    html = render_template("manage/attendees/index.html", event=event, page=page,
                           selection=selection, sort=sort, sorts=tracking.SORTS, may_act=may_act)
    db.session.commit()
    return html


@bp.post("/manage/events/<event_id>/registrations/bulk")
@event_role_required(Role.MANAGER)
def bulk(event: Event) -> Response:
    action = request.form.get("action", "")
    chosen = request.form.getlist("registration")
    back = request.form.get("back") or url_for("attendees.index", event_id=event.public_id)
    if not back.startswith("/manage/"):
        back = url_for("attendees.index", event_id=event.public_id)
    if action not in decisions.ACTIONS or not chosen:
        flash(_("Tick at least one registration and choose what to do."), "warning")
        return redirect(back, code=303)
    registrations = [r for r in (services.get_by_public_id(p) for p in chosen[:500])
                     if r is not None and r.event_id == event.id]
    outcome = decisions.decide_many(registrations, action, _actor(),
                                    request.form.get("reason", "")[:1000])
    done = sum(1 for error in outcome.values() if error is None)
    if done:
        audit.record(event, _actor(), AuditAction.CHANGED_REGISTRATION,
                     f"{action}: {done} registration(s)")
    db.session.commit()
    flash(ngettext("%(num)d registration done.", "%(num)d registrations done.", done), "success")
    refused = len(outcome) - done
    if refused:
        flash(ngettext("%(num)d registration could not be changed: its status does not allow it, "
                       "or no seat was free.",
                       "%(num)d registrations could not be changed: their status does not allow "
                       "it, or no seat was free.", refused), "warning")
    return redirect(back, code=303)


@bp.get("/manage/events/<event_id>/registrations/<registration_id>")
@event_role_required(Role.VIEWER)
def show(event: Event, registration_id: str) -> str:
    registration = _load(event, registration_id)
    questions = questions_for(event)
    answers = [(q, answer_text(q, (registration.answers or {}).get(q.key))) for q in questions]
    audit.record(event, _actor(), AuditAction.VIEWED_REGISTRATION,
                 f"registration {codes.code_for(registration)}")
    db.session.commit()
    return render_template("manage/attendees/show.html", event=event, registration=registration,
                           answers=answers, code=codes.code_for(registration),
                           may_act=can(current_organiser(), event, Role.MANAGER),
                           form=FlaskForm())


@bp.post("/manage/events/<event_id>/registrations/<registration_id>/decide")
@event_role_required(Role.MANAGER)
def decide(event: Event, registration_id: str) -> Response:
    registration = _load(event, registration_id)
    action = request.form.get("action", "")
    if action not in decisions.ACTIONS:
        abort(400)
    try:
        decisions.apply(registration, action, _actor(), request.form.get("reason", "")[:1000])
    except (services.TransitionRefused, services.EventFull) as error:
        db.session.rollback()
        flash(_("This could not be done: %(why)s.", why=REFUSALS[type(error)]), "warning")
    else:
        audit.record(event, _actor(), AuditAction.CHANGED_REGISTRATION,
                     f"{action}: registration {codes.code_for(registration)}")
        db.session.commit()
        flash(_("Done: the registration is now %(status)s; the person has been emailed.",
                status=STATUS_WORDS[registration.status.value]), "success")
    return redirect(url_for("attendees.show", event_id=event.public_id,
                            registration_id=registration.public_id), code=303)


class OnBehalfForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation or delegation"), validators=[Length(max=300)])


@bp.route("/manage/events/<event_id>/registrations/<registration_id>/edit",
          methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def edit(event: Event, registration_id: str) -> Page:
    registration = _load(event, registration_id)
    questions = questions_for(event)
    form = details_form(registration, questions)
    who = OnBehalfForm(data={"name": registration.name, "organisation": registration.organisation})
    context = {"event": event, "registration": registration, "form": form, "who": who}
    if request.method == "GET":
        return render_template("manage/attendees/edit.html", **context)
    if not (form.validate_on_submit() & who.validate()):
        return render_template("manage/attendees/edit.html", **context), 422
    details = form.details()
    try:
        changed = selfservice.update_details(registration, details, actor=_actor())
    except services.EventFull:
        db.session.rollback()
        form.attendance_mode.errors = [_("No seat is free in that attendance mode.")]
        return render_template("manage/attendees/edit.html", **context), 409
    except (services.TransitionRefused, services.RegistrationClosed):
        db.session.rollback()
        flash(_("This registration can no longer be changed."), "warning")
        return redirect(url_for("attendees.show", event_id=event.public_id,
                                registration_id=registration.public_id), code=303)
    registration.name = who.name.data.strip()
    registration.organisation = (who.organisation.data or "").strip()
    audit.record(event, _actor(), AuditAction.CHANGED_REGISTRATION,
                 f"edited registration {codes.code_for(registration)}: "
                 + (", ".join(changed) or "name or organisation"))
    db.session.commit()
    flash(_("The registration is saved."), "success")
    return redirect(url_for("attendees.show", event_id=event.public_id,
                            registration_id=registration.public_id), code=303)


@bp.post("/manage/events/<event_id>/registrations/<registration_id>/erase")
@event_role_required(Role.MANAGER)
def erase(event: Event, registration_id: str) -> Response:
    """Erasure at the person's request, done by an organiser; written to the audit log."""
    registration = _load(event, registration_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the erasure."), "warning")
        return redirect(url_for("attendees.show", event_id=event.public_id,
                                registration_id=registration.public_id), code=303)
    code = codes.code_for(registration)
    selfservice.erase(registration, actor=_actor())
    delete_export_files(event.id)  # a list prepared with them in it goes too; it can be asked again
    audit.record(event, _actor(), AuditAction.ERASED_REGISTRATION,
                 f"registration {code} erased on request")
    db.session.commit()
    flash(_("The person's data is erased; the registration is cancelled."), "success")
    return redirect(url_for("attendees.index", event_id=event.public_id), code=303)


class MessageForm(FlaskForm):
    batch = StringField(validators=[Length(max=64)])


@bp.route("/manage/events/<event_id>/messages", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def messages(event: Event) -> Page:
    selection = tracking.AttendeeFilter.from_query(request.args)
    languages = texts.languages_for(event)
    codes_ = [code for code, _count in languages]
    form = texts.texts_form(MessageForm, codes_)
    if not form.batch.data:
        form.batch.data = secrets.token_urlsafe(16)
    count = messaging.recipients_count(event, selection)
    context = {"event": event, "form": form, "selection": selection, "count": count,
               "languages": languages, "preview": None, "sent": messaging.messages_of(event)}
    if request.method == "GET":
        return render_template("manage/attendees/messages.html", **context)
    if not form.validate_on_submit():
        return render_template("manage/attendees/messages.html", **context), 422
    draft = texts.draft_of(form, codes_, form.batch.data)
    if count == 0:
        flash(_("No one matches these filters: nobody would receive this message. Choose who on "
                "the list first."), "warning")
        return render_template("manage/attendees/messages.html", **context), 422
    if request.form.get("step") != "send":
        context["preview"] = draft
        return render_template("manage/attendees/messages.html", **context)
    job = messaging.send(event, selection, draft, _actor())
    db.session.commit()
    if job is not None:
        flash(ngettext("Your message is on its way to %(num)d person: its progress is below.",
                       "Your message is on its way to %(num)d people: its progress is below.",
                       job.total), "success")
    return redirect(url_for("attendees.messages", event_id=event.public_id), code=303)


@bp.get("/manage/events/<event_id>/audit")
@event_role_required(Role.OWNER)
def audit_log(event: Event) -> str:
    page = audit.entries(event, request.args.get("page", 1, type=int))
    return render_template("manage/attendees/audit.html", event=event, page=page)


STATUS_WORDS = {
    "pending_email": _l("waiting for the email confirmation"),
    "pending_approval": _l("awaiting approval"),
    "confirmed": _l("confirmed"),
    "waitlisted": _l("on the waiting list"),
    "rejected": _l("rejected"),
    "cancelled": _l("cancelled"),
}

AUDIT_LABELS = {
    AuditAction.VIEWED_LIST.value: _l("Viewed the list"),
    AuditAction.VIEWED_REGISTRATION.value: _l("Viewed a registration"),
    AuditAction.EXPORTED_LIST.value: _l("Exported"),
    AuditAction.CHANGED_REGISTRATION.value: _l("Changed registrations"),
    AuditAction.ERASED_REGISTRATION.value: _l("Erased a person's data"),
    AuditAction.CHECKED_IN.value: _l("Checked in"),
    AuditAction.SENT_MESSAGE.value: _l("Sent a message"),
    AuditAction.CHANGED_EVENT.value: _l("Changed the event"),
    AuditAction.CHANGED_ROLES.value: _l("Changed the team"),
    AuditAction.CHANGED_SITE.value: _l("Changed the site's settings"),
    AuditAction.CHANGED_TOKENS.value: _l("Made or revoked an API token"),
}
#: Who acted, where it was not an organiser (whose address the entry shows).
AUDIT_ACTORS = {"attendee": _l("The attendee, through their link"), "system": _l("A rule, automatically")}


def hidden(registration: Registration, sees_confidential: bool) -> bool:
    """Whether the page must not show who this is: they asked for confidentiality, and the reader
    is not a manager."""
    return bool(registration.confidential) and not sees_confidential


def person_name(registration: Registration, sees_confidential: bool) -> Markup:
    """The person's name in a <bdi>, or "Confidential participant" and their door code."""
    if hidden(registration, sees_confidential):
        return Markup("{} <code>{}</code>").format(_("Confidential participant"),
                                                  door_code(registration.public_id))
    return isolate(registration.name)


@bp.record_once
def _label_globals(state) -> None:  # type: ignore[no-untyped-def]
    # Globals, not a context processor: imported macros see globals only.
    state.app.jinja_env.globals.update(
        STATUS_LABELS_BY_VALUE={s.value: label for s, label in STATUS_LABELS.items()},
        ORGANISATION_TYPE_LABELS_BY_VALUE={
            k.value: label for k, label in ORGANISATION_TYPE_LABELS.items()},
        AUDIT_LABELS=AUDIT_LABELS, AUDIT_ACTORS=AUDIT_ACTORS, country_name=country_name,
        person_name=person_name, hidden=hidden)
