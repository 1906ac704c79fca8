"""Cancelling or postponing a published event, with the organisers' words to registrants in each
language. The request changes the event and stores the notice; the worker writes the emails a
batch at a time (rsvp.registrations.messaging), however many registrants there are.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.editor import lifecycle
from rsvp.editor import services as editor
from rsvp.editor.lifecycle_forms import CancelForm, PostponeForm
from rsvp.editor.views.details import Page, bp
from rsvp.events.models import Event, EventStatus
from rsvp.extensions import db
from rsvp.registrations import texts
from rsvp.timeutil import to_local


def _languages(event: Event) -> list[tuple[str, int]]:
    return texts.languages_for(event)


def _form(base: type[FlaskForm], event: Event, languages: list[tuple[str, int]],
          **kwargs: Any) -> FlaskForm:
    return texts.texts_form(base, [code for code, _count in languages], subject=False,
                            body_label=_l("Reason"), body_missing=_l("Write the reason."), **kwargs)


def _published_only(event: Event) -> Page | None:
    if event.status is not EventStatus.PUBLISHED:
        flash(_("Only a published event can be cancelled or postponed."), "warning")
        return redirect(url_for("editor.status", event_id=event.public_id), code=303)
    return None


@bp.route("/manage/events/<event_id>/cancel", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def cancel(event: Event) -> Page:
    languages = _languages(event)
    form = _form(CancelForm, event, languages)
    refused = _published_only(event)
    if refused is not None:
        return refused
    if not form.validate_on_submit():
        return render_template("manage/events/cancel.html", event=event, form=form,
                               languages=languages, registrants=lifecycle.active_registrations(event)), (
            422 if form.is_submitted() else 200)
    reason = texts.draft_of(form, [code for code, _count in languages])
    told = lifecycle.cancel(event, current_organiser().email, reason)
    db.session.commit()
    flash(_("The event is cancelled. %(count)s registrants are being emailed.", count=told), "success")
    return redirect(url_for("editor.status", event_id=event.public_id), code=303)


@bp.route("/manage/events/<event_id>/postpone", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def postpone(event: Event) -> Page:
    languages = _languages(event)
    start, end = to_local(event.starts_at, event.timezone), to_local(event.ends_at, event.timezone)
    form = _form(PostponeForm, event, languages, data={
        "start_date": start.date(), "start_time": start.time(), "end_time": end.time(),
        "end_date": end.date() if end.date() != start.date() else None})
    refused = _published_only(event)
    if refused is not None:
        return refused
    context = {"event": event, "form": form, "languages": languages,
               "registrants": lifecycle.active_registrations(event)}
    if not form.validate_on_submit():
        return render_template("manage/events/postpone.html", **context), (
            422 if form.is_submitted() else 200)
    starts_at, ends_at = form.new_times(event.timezone)
    reason = texts.draft_of(form, [code for code, _count in languages])
    try:
        told = lifecycle.postpone(event, starts_at, ends_at, reason, current_organiser().email)
    except editor.EndsBeforeStart:
        db.session.rollback()
        form.end_time.errors = [_("The end must be after the start.")]
        return render_template("manage/events/postpone.html", **context), 422
    except lifecycle.NotLater:
        db.session.rollback()
        form.start_date.errors = [_("Choose a date still to come.")]
        return render_template("manage/events/postpone.html", **context), 422
    db.session.commit()
    flash(_("The event is postponed. %(count)s registrants are being emailed the new date with an "
            "updated calendar file.", count=told), "success")
    return redirect(url_for("editor.status", event_id=event.public_id), code=303)
