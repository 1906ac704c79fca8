"""The speaking-time report afterwards, on the console's blueprint: the page, and its CSV and
XLSX files (an export of names, recorded in the audit log)."""

from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.events.models import Event
from rsvp.exports.services import Export, file_name, write_csv, write_xlsx
from rsvp.extensions import db
from rsvp.privacy.audit import record
from rsvp.privacy.models import AuditAction
from rsvp.speakers import reports, screens
from rsvp.speakers.views.console import asked_list, bp, list_of, may_act_on, page_lists


@bp.get("/manage/events/<event_id>/speakers/report")
@event_role_required(Role.VIEWER)
def report(event: Event) -> str:
    speakers_list = asked_list(event)
    return render_template("manage/speakers/report.html", event=event, speakers_list=speakers_list,
                           report=reports.report(speakers_list) if speakers_list else None,
                           may_act=may_act_on(event), shown_name=screens.shown_name,
                           signatory_names=screens.signatory_names, **page_lists(event))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(event: Event, export: Export) -> Response:
    return Response(b"".join(write_csv(export)), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{file_name(event, export.title, "csv")}"',
        "Cache-Control": "private, no-store"})


def _xlsx(event: Event, export: Export) -> Response:
    with write_xlsx(export) as handle:
        body = handle.read()  # one row per speaker: small
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{file_name(event, export.title, "xlsx")}"',
        "Cache-Control": "private, no-store"})


@bp.get("/manage/events/<event_id>/speakers/report/speakers.csv", defaults={"fmt": "csv"})
@bp.get("/manage/events/<event_id>/speakers/report/speakers.<fmt>")
@event_role_required(Role.VIEWER)
def report_by_speaker(event: Event, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    speakers_list = list_of(event)
    # Confidential speakers' names leave the site only when a manager deliberately asks.
    included = request.args.get("include_confidential") == "1" and may_act_on(event)
    # Names leave the site: recorded, like any export of personal data. Written before the
    # export is read: on SQLite this GET's transaction then holds the write lock early.
    record(event, current_organiser().email, AuditAction.EXPORTED_LIST,
           f"speaking time per speaker ({fmt.upper()})"
           + ("; including the names of confidential speakers" if included else ""))
    db.session.flush()
    export = reports.by_speaker(reports.report(speakers_list), event, included)
    response = _csv(event, export) if fmt == "csv" else _xlsx(event, export)
    db.session.commit()
    return response


@bp.get("/manage/events/<event_id>/speakers/report/categories.csv")
@event_role_required(Role.VIEWER)
def report_by_category(event: Event) -> Response:
    return _csv(event, reports.by_category(reports.report(list_of(event))))
