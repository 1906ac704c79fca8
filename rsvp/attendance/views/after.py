"""After the event: import the platforms' attendance reports, see who came, send the follow-up."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from rsvp.attendance import followup, reports, services
from rsvp.attendance.forms import REPORT_MAX_BYTES, FollowUpForm, ReportForm, follow_up_texts
from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.registrations import texts

bp = Blueprint("attendance", __name__)

Page = str | Response | tuple[str, int]


def _page(event: Event, form: ReportForm, outcome: services.Outcome | None = None) -> str:
    return render_template(
        "manage/attendance/index.html", event=event, form=form, outcome=outcome, SHOWN=services.SHOWN,
        summary=services.summary(event),
        attendees=services.online_attendees(event, request.args.get("page", 1, type=int)))


@bp.route("/manage/events/<event_id>/attendance", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def index(event: Event) -> Page:
    form = ReportForm()
    if request.method == "GET":
        return _page(event, form)
    if not form.validate_on_submit():
        return _page(event, form), 422
    data = form.report.data.read(REPORT_MAX_BYTES + 1)
    if len(data) > REPORT_MAX_BYTES:
        form.report.errors = [_("This file is too large for an attendance report.")]
        return _page(event, form), 422
    try:
        report = reports.parse(data)
    except reports.UnreadableReport:
        form.report.errors = [_("This is not an attendance report we can read: export the CSV "
                                "from Zoom (webinar attendee report) or Microsoft Teams "
                                "(attendance report) and choose it again.")]
        return _page(event, form), 422
    outcome = services.import_report(event, report, current_organiser().email)
    db.session.commit()
    flash(ngettext("%(num)d registrant marked as attended.", "%(num)d registrants marked as attended.",
                   len(outcome.matched)), "success")
    return _page(event, ReportForm(formdata=None), outcome)


@bp.route("/manage/events/<event_id>/follow-up", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def follow_up(event: Event) -> Page:
    languages = texts.languages_for(event)
    codes = [code for code, _count in languages]
    form = FollowUpForm()
    attended = follow_up_texts(codes, "attended")
    absent = follow_up_texts(codes, "absent")
    came, missed = followup.reach(event)
    context = {"event": event, "form": form, "attended": attended, "absent": absent,
               "languages": languages, "came": came, "missed": missed,
               "sent": followup.follow_ups_of(event)}
    if request.method == "GET":
        return render_template("manage/attendance/follow_up.html", **context)
    if not (form.validate_on_submit() & attended.validate() & absent.validate()):
        return render_template("manage/attendance/follow_up.html", **context), 422
    try:
        told = followup.send(event, texts.draft_of(attended, codes), texts.draft_of(absent, codes),
                             form.recording_url.data or "", form.documents.data or "",
                             current_organiser().email)
    except followup.NotOverYet:
        db.session.rollback()
        flash(_("The event is not over yet: send the follow-up once it has ended."), "warning")
        return render_template("manage/attendance/follow_up.html", **context), 422
    except followup.AlreadySent:
        db.session.rollback()
        flash(_("The follow-up has been sent already: each registrant receives one."), "warning")
        return redirect(url_for("attendance.follow_up", event_id=event.public_id), code=303)
    db.session.commit()
    flash(_("The follow-up is on its way: %(came)d people who attended and %(missed)d who did not "
            "receive their own text. Its progress is below.", came=told[0], missed=told[1]),
          "success")
    return redirect(url_for("attendance.follow_up", event_id=event.public_id), code=303)
