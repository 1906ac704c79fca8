"""Export downloads: each checks the role, writes the audit log, then streams.

Lists with personal data need the manager role; the interpretation brief
without names is open to viewers. A large Excel list is built by the worker
(rsvp.exports.jobs): the organiser who asked for it follows its progress and
downloads it; to anyone else it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import IO

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from rsvp import sealing
from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.auth.roles import can
from rsvp.db import end_read
from rsvp.events.models import Event
from rsvp.events.questions import questions_for
from rsvp.exports import jobs
from rsvp.exports import services as exports
from rsvp.exports.models import ExportJob
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import tracking
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import now_utc

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/manage/events/<event_id>/exports")
@event_role_required(Role.VIEWER)
def index(event: Event) -> str:
    may_export_people = can(current_organiser(), event, Role.MANAGER)
    return render_template("manage/exports.html", event=event, columns=exports.BASE_COLUMNS,
                           default_columns=exports.DEFAULT_COLUMNS,
                           questions=questions_for(event),
                           selection=AttendeeFilter.from_query(request.args),
                           may_export_people=may_export_people,
                           passes_to_request=exports.grounds_pass_count(event),
                           prepared=jobs.jobs_of(event, current_organiser().id) if may_export_people
                           else [])


def _send(event: Event, export: exports.Export, what: str, fmt: str, rows: int,
          detail: str) -> Response:
    name = exports.file_name(event, what, fmt)
    audit.record(event, current_organiser().email, AuditAction.EXPORTED_LIST,
                 f"{what}.{fmt}: {rows} row(s); {detail}")
    # The log entry stands even if the download is interrupted. From here on the export reads
    # rows only: the ORM objects of this request expire now, and a server ends its session
    # before the body is streamed.
    db.session.commit()
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Cache-Control": "no-store"}
    if fmt == "csv":
        return Response(stream_with_context(exports.write_csv(export)),
                        mimetype="text/csv", headers=headers)
    handle = exports.write_xlsx(export)
    return Response(_chunks(handle), mimetype=XLSX, headers=headers, direct_passthrough=True)


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(64 * 1024):
            yield chunk


def _format(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return fmt


@bp.get("/manage/events/<event_id>/exports/attendees.<fmt>")
@event_role_required(Role.MANAGER)
def attendees(event: Event, fmt: str) -> Response:
    selection = AttendeeFilter.from_query(request.args)
    included = request.args.get("include_confidential") == "1"
    if selection.confidential is None and not included:
        # Those who asked for confidentiality leave the system only when a manager says so.
        selection = replace(selection, confidential=False)
    keys = request.args.getlist("column") or list(exports.DEFAULT_COLUMNS)
    with_questions = request.args.get("questions", "1") == "1"
    export = exports.attendee_export(event, selection, keys, with_questions)
    rows = tracking.count_matching(event, selection)
    detail = f"filter {selection.describe()}; columns {','.join(c.key for c in export.columns)}"
    if included and selection.confidential is None:
        detail += "; including those who asked for confidentiality"
    if jobs.built_by_worker(_format(fmt), rows):
        end_read(db.session())  # SQLite: write in a transaction of its own, not after these reads
        job = jobs.queue(event, current_organiser().id, fmt, selection, keys, with_questions, rows,
                         detail)
        db.session.commit()
        return redirect(url_for("exports.prepared", event_id=event.public_id, job_id=job.public_id),
                        303)
    return _send(event, export, "attendees", fmt, rows, detail)


def _own_job(event: Event, job_id: str) -> ExportJob:
    job = jobs.job_of(event, current_organiser().id, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/manage/events/<event_id>/exports/prepared/<job_id>")
@event_role_required(Role.MANAGER)
def prepared(event: Event, job_id: str) -> str:
    """A file being built: its progress (kept current by a script), then its link."""
    return render_template("manage/exports_prepared.html", event=event,
                           job=_own_job(event, job_id))


@bp.get("/manage/events/<event_id>/exports/prepared/<job_id>/progress")
@event_role_required(Role.MANAGER)
def progress(event: Event, job_id: str) -> Response:
    job = _own_job(event, job_id)
    return jsonify(status=job.status.value, rows_done=job.rows_done, rows_total=job.rows_total)


@bp.get("/manage/events/<event_id>/exports/prepared/<job_id>/file")
@event_role_required(Role.MANAGER)
def prepared_file(event: Event, job_id: str) -> Response:
    job = _own_job(event, job_id)
    path = jobs.file_of(job)
    if path is None:
        abort(404)
    name = exports.file_name(event, "attendees", job.format)
    mimetype = XLSX if job.format == "xlsx" else "text/csv"
    end_read(db.session())  # SQLite: the entry is written in a transaction of its own
    audit.record(event, current_organiser().email, AuditAction.EXPORTED_LIST,
                 f"attendees.{job.format}: {job.rows_total} row(s); {job.detail}")
    db.session.commit()
    response = send_file(sealing.keyring().open_file(path), mimetype=mimetype, as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/manage/events/<event_id>/exports/grounds-passes.<fmt>")
@event_role_required(Role.MANAGER)
def grounds_passes(event: Event, fmt: str) -> Response:
    export = exports.grounds_pass_export(event)
    rows = exports.grounds_pass_count(event)
    return _send(event, export, "grounds-passes", _format(fmt), rows, "pass requests")


@bp.post("/manage/events/<event_id>/exports/grounds-passes/requested")
@event_role_required(Role.MANAGER)
def passes_requested(event: Event) -> Response:
    """The organisers sent the list to the UN: mark it, and erase the passport details it held."""
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the requests were sent: their passport details are then "
                "erased."), "warning")
        return redirect(url_for("exports.index", event_id=event.public_id), code=303)
    marked = exports.mark_passes_requested(event, now_utc())
    audit.record(event, current_organiser().email, AuditAction.CHANGED_REGISTRATION,
                 f"grounds passes marked requested for {marked} registration(s); "
                 "their passport details erased")
    db.session.commit()
    flash(ngettext("%(num)d pass marked as requested; its passport details are erased.",
                   "%(num)d passes marked as requested; their passport details are erased.",
                   marked), "success")
    return redirect(url_for("exports.index", event_id=event.public_id), code=303)


@bp.get("/manage/events/<event_id>/exports/interpretation.<fmt>")
@event_role_required(Role.CO_SPONSOR)
def interpretation(event: Event, fmt: str) -> Response:
    with_names = request.args.get("names") == "1"
    if with_names and not can(current_organiser(), event, Role.MANAGER):
        abort(404)
    # A co-sponsor gets the demand and the counts; the needs' own words only the team.
    export = exports.interpretation_brief(event, with_names,
                                          with_needs=can(current_organiser(), event, Role.VIEWER))
    rows = len(export.rows) if isinstance(export.rows, list) else 0
    return _send(event, export, "interpretation", _format(fmt), rows,
                 "with names" if with_names else "without names")
