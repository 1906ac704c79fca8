"""Export downloads: each checks the role, writes the audit log, then streams.

Lists with personal data need the manager role; the interpretation brief
without names is open to viewers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.auth.roles import can
from rsvp.events.models import Event
from rsvp.exports import services as exports
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import tracking
from rsvp.registrations.questions import questions_for
from rsvp.registrations.tracking import AttendeeFilter

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/manage/events/<event_id>/exports")
@event_role_required(Role.VIEWER)
def index(event: Event) -> str:
    return render_template("manage/exports.html", event=event, columns=exports.BASE_COLUMNS,
                           default_columns=exports.DEFAULT_COLUMNS,
                           questions=questions_for(event),
                           selection=AttendeeFilter.from_query(request.args),
                           may_export_people=can(current_organiser(), event, Role.MANAGER))


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
    keys = request.args.getlist("column") or list(exports.DEFAULT_COLUMNS)
    export = exports.attendee_export(event, selection, keys,
                                     with_questions=request.args.get("questions", "1") == "1")
    rows = tracking.count_matching(event, selection)
    return _send(event, export, "attendees", _format(fmt), rows,
                 f"filter {selection.describe()}; columns {','.join(c.key for c in export.columns)}")


@bp.get("/manage/events/<event_id>/exports/grounds-passes.<fmt>")
@event_role_required(Role.MANAGER)
def grounds_passes(event: Event, fmt: str) -> Response:
    export = exports.grounds_pass_export(event)
    rows = exports.grounds_pass_count(event)
    return _send(event, export, "grounds-passes", _format(fmt), rows, "pass requests")


@bp.get("/manage/events/<event_id>/exports/interpretation.<fmt>")
@event_role_required(Role.VIEWER)
def interpretation(event: Event, fmt: str) -> Response:
    with_names = request.args.get("names") == "1"
    if with_names and not can(current_organiser(), event, Role.MANAGER):
        abort(404)
    export = exports.interpretation_brief(event, with_names)
    rows = len(export.rows) if isinstance(export.rows, list) else 0
    return _send(event, export, "interpretation", _format(fmt), rows,
                 "with names" if with_names else "without names")
