"""The event editor's pages: a new event, its details, the Markdown preview, publish, cancel, clone.

The list pages (programme, partners, questions, documents and image) are in
rsvp.editor.views.lists, on the same blueprint. Every view wears an access
decorator from rsvp.auth.access, which also checks the CSRF token.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from rsvp.auth.access import Role, admin_required, current_organiser, event_role_required, login_required
from rsvp.editor import lifecycle
from rsvp.editor import services as editor
from rsvp.editor.forms import EventForm, form_data
from rsvp.editor.lifecycle_forms import CancelForm
from rsvp.editor.views import nav
from rsvp.events import uploads
from rsvp.events.models import AttendanceMode, Event, EventStatus
from rsvp.events.services import render_markdown
from rsvp.extensions import db
from rsvp.i18n import language_in_sentence

bp = Blueprint("editor", __name__)

Page = str | Response | tuple[str, int]


def _details_page(form: EventForm, event: Event | None, status: int = 200,
                  preview: str | None = None) -> tuple[str, int]:
    return render_template(
        "manage/events/details.html", form=form, event=event, preview=preview,
        hidden_html=preview is not None and editor.hidden_html(form.description.data or ""),
        registrants=lifecycle.active_registrations(event) if event else 0), status


def _unless_valid(form: EventForm, event: Event | None) -> tuple[str, int] | None:
    """The page to show instead of saving: the blank form, a preview, or the errors."""
    if not form.is_submitted():
        return _details_page(form, event)
    if "preview" in request.form:
        return _details_page(form, event, preview=render_markdown(form.description.data or ""))
    if not form.validate():
        return _details_page(form, event, 422)
    return None


def _explain(form: EventForm, error: editor.EditorError) -> int:
    """Put a service's refusal next to the field it is about; returns the HTTP status."""
    if isinstance(error, editor.SlugTaken):
        form.slug.errors.append(_("Another event uses this address already: choose another."))
        return 409
    if isinstance(error, editor.SlugLocked):
        form.move_slug.errors.append(_("This event is public and people may have its address: tick "
                                       "this box to change it anyway, or keep the address it has."))
        return 409
    if isinstance(error, editor.BadSlug):
        form.slug.errors.append(_("Use lower-case letters, digits and hyphens only."))
    elif isinstance(error, editor.UnknownZone):
        field = form.timezone if error.name == form.timezone.data else form.other_zones
        field.errors.append(_("%(name)s: not a time zone we know.", name=error.name))
    elif isinstance(error, editor.EndsBeforeStart):
        form.end_time.errors.append(_("The event must end after it starts."))
    elif isinstance(error, editor.WindowOrder):
        form.closes_date.errors.append(_("Registration must close after it opens."))
    elif isinstance(error, editor.TranslatedAlready):
        form.content_language.errors.append(_(
            "The event has a translation into %(language)s: remove it on the Translations page first, "
            "or keep the language the text is written in.", language=language_in_sentence(error.language)))
    elif isinstance(error, editor.CapacityTooLow):
        field = (form.capacity_in_person if error.mode is AttendanceMode.IN_PERSON
                 else form.capacity_online)
        field.errors.append(_("%(taken)s people already hold a seat: the capacity cannot be lower than "
                              "that. Cancel registrations first, or keep more seats.", taken=error.taken))
    return 422


def warn_hidden_html(description: str) -> None:
    if editor.hidden_html(description):
        flash(_("Part of the description is HTML that is never shown (such as a script, a style or an "
                "image) or formatting event pages do not use. It is kept as you typed it and removed "
                "wherever the description appears: check the preview."), "warning")


@bp.route("/manage/events/new", methods=["GET", "POST"])
@admin_required
def new() -> Page:
    form = EventForm()
    shown = _unless_valid(form, None)
    if shown is not None:
        return shown
    details = form.details()
    if not form.slug.data:
        details.slug = editor.free_slug(details.slug)
    organiser = current_organiser()
    try:
        event = editor.create_event(details, organiser)
    except editor.EditorError as error:
        db.session.rollback()
        return _details_page(form, None, _explain(form, error))
    db.session.commit()
    flash(_("The draft is saved. Add its programme, questions and documents, then publish it."),
          "success")
    warn_hidden_html(details.description)
    return redirect(url_for("editor.details", event_id=event.public_id), code=303)


@bp.route("/manage/events/<event_id>/edit", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def details(event: Event) -> Page:
    form = EventForm(data=form_data(event))
    shown = _unless_valid(form, event)
    if shown is not None:
        return shown
    details = form.details()
    try:
        changed = editor.update_event(event, details, current_organiser().email,
                                      move_slug=form.move_slug.data)
    except editor.EditorError as error:
        db.session.rollback()
        return _details_page(form, event, _explain(form, error))
    db.session.commit()
    if not changed:
        flash(_("Nothing was changed."), "info")
    elif event.status is EventStatus.PUBLISHED and set(changed) & {"starts_at", "ends_at", "venue",
                                                                   "join_url"}:
        flash(_("Your changes are saved. Registrants are being emailed the new details with an "
                "updated calendar file."), "success")
    else:
        flash(_("Your changes are saved."), "success")
    warn_hidden_html(details.description)
    return redirect(url_for("editor.details", event_id=event.public_id), code=303)


@bp.post("/manage/markdown-preview")
@login_required
def preview() -> Response:
    """The description as visitors will see it: sanitised HTML for static/js/markdown-preview.js."""
    text = request.form.get("text", "")
    return jsonify(html=str(render_markdown(text)), hidden_html=editor.hidden_html(text))


def _status_page(event: Event, form: CancelForm | None = None, status: int = 200,
                 problems: list[str] | None = None) -> tuple[str, int]:
    return render_template(
        "manage/events/status.html", event=event, cancel_form=form or CancelForm(),
        problems=lifecycle.publish_problems(event) if problems is None else problems,
        registrants=lifecycle.active_registrations(event), may_clone=current_organiser().is_admin), status


@bp.get("/manage/events/<event_id>/edit/status")
@event_role_required(Role.MANAGER)
def status(event: Event) -> Page:
    return _status_page(event)


@bp.post("/manage/events/<event_id>/publish")
@event_role_required(Role.MANAGER)
def publish(event: Event) -> Page:
    try:
        lifecycle.publish(event, current_organiser().email)
    except lifecycle.NotReady as error:
        db.session.rollback()
        flash(_("The event is not published yet: see what is missing below."), "warning")
        return _status_page(event, status=422, problems=error.problems)
    except lifecycle.WrongStatus:
        db.session.rollback()
        flash(_("Only a draft can be published."), "warning")
        return redirect(url_for("editor.status", event_id=event.public_id), code=303)
    db.session.commit()
    flash(_("The event is published: its page and registration form are open to the public."),
          "success")
    return redirect(url_for("editor.status", event_id=event.public_id), code=303)


@bp.post("/manage/events/<event_id>/clone")
@admin_required
def clone(event_id: str) -> Response:
    event = db.session.scalar(sa.select(Event).where(Event.public_id == event_id))
    if event is None:
        abort(404)
    copy = editor.clone(event, current_organiser())
    db.session.commit()
    flash(_("This is a new draft copied from “%(title)s”: change its date and title, then publish it.",
            title=event.title), "success")
    return redirect(url_for("editor.details", event_id=copy.public_id), code=303)


@bp.get("/manage/events/<event_id>/image/<image_name>")
@event_role_required(Role.VIEWER)
def image_file(event: Event, image_name: str) -> Response:
    """The event's image for organisers, whatever its status (the public page serves its own)."""
    return _stored(event.image_path if image_name == event.image_path else None)


@bp.get("/manage/events/<event_id>/documents/<document_id>")
@event_role_required(Role.VIEWER)
def document_file(event: Event, document_id: str) -> Response:
    document = next((d for d in event.documents if d.public_id == document_id), None)
    if document is None:
        abort(404)
    return _stored(document.file_name, f"{event.slug}-{document.language}")


def _stored(name: str | None, download_stem: str | None = None) -> Response:
    if not name:
        abort(404)
    try:
        response = uploads.send_stored(
            name, f"{download_stem}.{uploads.kind_of(name)}" if download_stem else None, max_age=0)
    except FileNotFoundError:
        abort(404)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.record_once
def _globals(state: Any) -> None:
    state.app.jinja_env.globals.update(event_tabs=nav.event_tabs)

