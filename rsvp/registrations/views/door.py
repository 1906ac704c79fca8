"""Check-in at the door, on a phone: the QR code's link, a typed code, or a name; undo; live counts.

Scanning needs no app: the code in each confirmation email is a link to this
page, so a phone's own camera opens it. Where the browser offers a barcode
detector, the desk page can also scan in place.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from rsvp import tokens
from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.auth.roles import can
from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.registrations import checkin, codes, services, tracking
from rsvp.registrations.models import RegistrationStatus

bp = Blueprint("checkin", __name__)

#: The desk may use the phone's camera (the rest of the site may not).
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"


@bp.get("/manage/events/<event_id>/check-in")
@event_role_required(Role.CHECK_IN)
def desk(event: Event) -> Response:
    query = _query()
    sees = _sees_confidential(event)
    found = _find(event, query, sees)
    response = make_response(render_template(
        "manage/checkin/desk.html", event=event, query=query, found=found.people,
        preparing=found.preparing, counts=tracking.door_counts(event), code_for=codes.code_for,
        sees_confidential=sees))
    response.headers["Permissions-Policy"] = CAMERA_ALLOWED
    return response


@bp.get("/manage/events/<event_id>/check-in/found")
@event_role_required(Role.CHECK_IN)
def found_part(event: Event) -> Response:
    """What the desk found for a code or a name, without the page around it: the desk's script
    shows it in place, so the next code is typed at once (the page itself works without it)."""
    query = _query()
    sees = _sees_confidential(event)
    found = _find(event, query, sees)
    response = make_response(render_template(
        "manage/checkin/_found.html", event=event, query=query, found=found.people,
        preparing=found.preparing, code_for=codes.code_for, sees_confidential=sees))
    return response  # no-store, as every organiser page (rsvp.web)


def _query() -> str:
    return request.args.get("q", "").strip()[:100]


def _find(event: Event, query: str, sees: bool) -> checkin.Found:
    """The person with this code, else the names that match (none for an empty query)."""
    if not query:
        checkin.get_names_ready(event)
        return checkin.Found()
    by_code = checkin.find_by_code(event, query)
    # Below managers, a confidential person is found by their code or QR code, never by name.
    return (checkin.Found([by_code]) if by_code
            else checkin.search_now(event, query, with_confidential=sees))


@bp.get("/manage/events/<event_id>/check-in/counts")
@event_role_required(Role.CHECK_IN)
def counts(event: Event) -> Response:
    return jsonify(tracking.door_counts(event))


@bp.get("/manage/events/<event_id>/check-in/t/<checkin_token>")
@event_role_required(Role.CHECK_IN)
def scan(event: Event, checkin_token: str) -> str | tuple[str, int]:
    """Where the QR code leads: the person, and one button to check them in."""
    try:
        registration = checkin.find_by_token(event, checkin_token)
    except tokens.TokenInvalid:
        return render_template("manage/checkin/bad_code.html", event=event), 404
    return render_template("manage/checkin/person.html", event=event, registration=registration,
                           code=codes.code_for(registration), counts=tracking.door_counts(event),
                           sees_confidential=_sees_confidential(event))


@bp.post("/manage/events/<event_id>/check-in/<registration_id>")
@event_role_required(Role.CHECK_IN)
def mark(event: Event, registration_id: str) -> Response:
    registration = services.get_by_public_id(registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    actor = current_organiser().email
    name = (_("A confidential participant") if registration.confidential
            and not _sees_confidential(event) else registration.name)
    if request.form.get("action") == "undo":
        checkin.undo_check_in(registration, actor)
        flash(_("Check-in undone for %(name)s.", name=name), "success")
    else:
        try:
            if checkin.check_in(registration, actor):
                flash(_("%(name)s is checked in.", name=name), "success")
            else:
                flash(_("%(name)s was already checked in.", name=name), "warning")
        except checkin.NotInTheRoom:
            flash(_("%(name)s attends online: there is nothing to check in at the door.", name=name),
                  "warning")
        except services.TransitionRefused:
            flash(_("%(name)s cannot be checked in: the registration is not confirmed.",
                    name=name), "warning")
    db.session.commit()
    return redirect(url_for("checkin.desk", event_id=event.public_id), code=303)


@bp.get("/manage/events/<event_id>/check-in/sheet")
@event_role_required(Role.CHECK_IN)
def sheet(event: Event) -> str:
    """A printable, alphabetical list of everyone confirmed, for a door without a phone."""
    selection = tracking.AttendeeFilter(statuses=(RegistrationStatus.CONFIRMED,),
                                        mode=AttendanceMode.IN_PERSON)
    people = sorted(tracking.matching(event, selection), key=lambda r: r.name.lower())
    return render_template("manage/checkin/sheet.html", event=event, people=people,
                           code_for=codes.code_for, sees_confidential=_sees_confidential(event))


def _sees_confidential(event: Event) -> bool:
    """Managers see who asked for confidentiality; check-in staff see a code instead."""
    return can(current_organiser(), event, Role.MANAGER)
