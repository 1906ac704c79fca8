"""The organisers' side of the speakers list (/manage): its settings, the live console and the
JSON it polls. Speakers' files (console_files.py) and the speaking-time report
(console_report.py) are on the same blueprint, with the helpers here.

Viewers see all of it; managers act. Every button is a plain POST form that
works without JavaScript (answered by a redirect and a flash message); the
console's script posts the same forms with ``Accept: application/json`` and
gets the message as JSON. Running the floor writes nothing to the audit log:
the list keeps its own record. A change of settings is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from rsvp.auth import roles
from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.privacy.audit import record
from rsvp.privacy.models import AuditAction
from rsvp.speakers import errors, lists, live, screens, services
from rsvp.speakers.console_forms import (
    CutForm,
    DrawForm,
    ReplyForm,
    SettingsForm,
    SubstitutionForm,
    changed,
    initial,
)
from rsvp.speakers.labels import STATE_LABELS
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakersList

bp = Blueprint("console", __name__)

Page = str | Response | tuple[str, int]

#: What each console button does to one speaker, and what the organiser is told then.
#: Messages may use %(who)s, %(place)s (after up or down) and %(used)s (after delivered).
ACTIONS: dict[str, tuple[Callable[[Speaker], Any], Any]] = {
    "confirm": (live.confirm, _l("%(who)s is confirmed.")),
    "start": (live.start, _l("%(who)s has the floor.")),
    "stop": (live.stop, _l("The time of %(who)s is stopped.")),
    "delivered": (live.mark_delivered, _l("%(who)s delivered their statement in %(used)s.")),
    "absent": (live.mark_absent, _l("%(who)s is marked absent.")),
    "end": (live.move_to_end, _l("%(who)s is moved to the end of the list.")),
    "withdraw": (services.withdraw, _l("%(who)s is withdrawn from the list; we have emailed them.")),
    "up": (lambda speaker: live.step(speaker, -1), _l("%(who)s is now number %(place)s in the queue.")),
    "down": (lambda speaker: live.step(speaker, 1), _l("%(who)s is now number %(place)s in the queue.")),
}


def _number() -> int | None:
    """The list asked for (``?list=2``); None for the event's first."""
    number = request.args.get("list", type=int)
    return number if number and number > 0 else None


def _showing(speakers_list: SpeakersList | None) -> SpeakersList | None:
    """Remember the list this page is about: every console address built for it names it."""
    g.speakers_list_number = speakers_list.number if speakers_list is not None else None
    return speakers_list


@bp.url_defaults
def _same_list(endpoint: str, values: dict[str, Any]) -> None:
    number = g.get("speakers_list_number")
    if number and number > 1 and "list" not in values and endpoint.startswith("console."):
        values["list"] = number


def asked_list(event: Event) -> SpeakersList | None:
    """The list of ``?list=`` (the first without it); a number the event has not: 404."""
    speakers_list = lists.speakers_list_of(event, _number())
    if speakers_list is None and _number() is not None:
        abort(404)
    return _showing(speakers_list)


def list_of(event: Event) -> SpeakersList:
    speakers_list = asked_list(event)
    if speakers_list is None:
        abort(404)
    return speakers_list


def speaker_of(event: Event, public_id: str | None) -> Speaker:
    speaker = services.get_by_public_id(public_id or "")
    if speaker is None or speaker.event_id != event.id:
        abort(404)
    _showing(speaker.speakers_list)
    return speaker


def may_act_on(event: Event) -> bool:
    return roles.can(current_organiser(), event, Role.MANAGER)


def _clock(seconds: int | None) -> str:
    return f"{(seconds or 0) // 60}:{(seconds or 0) % 60:02d}"


def _answer(event: Event, message: str, ok: bool) -> Response | tuple[Response, int]:
    """The outcome of a console button: JSON for the console's script, else a flash and the console."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(ok=ok, message=message), 200 if ok else 409
    flash(message, "success" if ok else "warning")
    return redirect(url_for("console.console", event_id=event.public_id), code=303)


def _refused(event: Event, error: errors.SpeakersError, speaker: Speaker | None = None
             ) -> Response | tuple[Response, int]:
    """A button that came too late (someone has the floor, the page was out of date): say why."""
    db.session.rollback()
    if isinstance(error, live.FloorTaken):
        message = _("Someone else has the floor: mark them delivered or absent, or move them to the end, "
                    "first.")
    elif isinstance(error, live.InvalidOrder):
        message = _("The list changed while you were reordering it, so nothing was changed. "
                    "Here it is as it stands now: please try again.")
    elif speaker is not None:  # reloaded after the rollback: as it stands now
        message = _("Nothing was changed: %(who)s is now marked “%(state)s”. The list below is up to date.",
                    who=speaker.delegation, state=STATE_LABELS[speaker.state])
    else:
        message = _("Nothing was changed: the list had changed meanwhile. The list below is up to date.")
    return _answer(event, message, ok=False)


# -- settings -------------------------------------------------------------------------------------

def _settings_page(event: Event, form: SettingsForm, speakers_list: SpeakersList | None,
                   status: int = 200) -> tuple[str, int]:
    return render_template("manage/speakers/settings.html", event=event, form=form,
                           speakers_list=speakers_list, may_act=True, **page_lists(event)), status


def page_lists(event: Event) -> dict[str, Any]:
    """What the pages' list tabs show: the event's lists and the one this page is about."""
    return {"lists": lists.lists_of(event), "number": g.get("speakers_list_number")}


@bp.route("/manage/events/<event_id>/speakers/settings", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def settings(event: Event) -> Page:
    """A list's settings (``?list=2``), or a new list's (``?list=new``: the event's next)."""
    adding = request.args.get("list") == "new"
    speakers_list = None if adding else asked_list(event)
    number = lists.next_number(event) if adding or speakers_list is None else speakers_list.number
    form = SettingsForm(event, data=initial(event, speakers_list))
    if not form.validate_on_submit():
        return _settings_page(event, form, speakers_list, 422 if form.is_submitted() else 200)
    values = form.settings(speakers_list)
    changes = changed(speakers_list, values) if speakers_list else ["created"]
    created = lists.configure(event, number=number, **values)
    if changes:
        record(event, current_organiser().email, AuditAction.CHANGED_EVENT,
               f"speakers list {number}: " + ", ".join(changes))
    db.session.commit()
    flash(_("The speakers list is set up.") if speakers_list is None
          else _("The speakers list settings are saved."), "success")
    _showing(created)
    return redirect(url_for("console.console", event_id=event.public_id), code=303)


# -- the live console -----------------------------------------------------------------------------

@bp.get("/manage/events/<event_id>/speakers")
@event_role_required(Role.VIEWER)
def console(event: Event) -> str:
    speakers_list = asked_list(event)
    state = (screens.live_state(speakers_list, console=True, sees_confidential=may_act_on(event))
             if speakers_list else None)
    return render_template("manage/speakers/console.html", event=event, speakers_list=speakers_list,
                           state=state, may_act=may_act_on(event), **page_lists(event),
                           draws=state["draws"] if state else [], reply_form=ReplyForm())


@bp.get("/manage/events/<event_id>/speakers/console.json")
@event_role_required(Role.VIEWER)
def state(event: Event) -> Response:
    response = jsonify(screens.live_state(list_of(event), console=True, sees_confidential=may_act_on(event)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/manage/events/<event_id>/speakers/<speaker_id>/act")
@event_role_required(Role.MANAGER)
def act(event: Event, speaker_id: str) -> Response | tuple[Response, int]:
    speaker = speaker_of(event, speaker_id)
    if request.form.get("action") not in ACTIONS:
        abort(400)
    operation, message = ACTIONS[request.form["action"]]
    who = speaker.delegation
    try:
        result = operation(speaker)
        db.session.commit()
    except errors.SpeakersError as error:
        return _refused(event, error, speaker)
    return _answer(event, str(message) % {"who": who, "place": result,
                                          "used": _clock(speaker.seconds_used)}, ok=True)


@bp.post("/manage/events/<event_id>/speakers/swap")
@event_role_required(Role.MANAGER)
def swap(event: Event) -> Response | tuple[Response, int]:
    asked_list(event)
    first_id, second_id = request.form.get("first"), request.form.get("second")
    if not first_id or not second_id or first_id == second_id:
        return _answer(event, _("Choose two different speakers to swap."), ok=False)
    first, second = speaker_of(event, first_id), speaker_of(event, second_id)
    try:
        live.swap(first, second)
        db.session.commit()
    except errors.SpeakersError as error:
        return _refused(event, error)
    return _answer(event, _("%(first)s and %(second)s have swapped places.",
                            first=first.delegation, second=second.delegation), ok=True)


@bp.post("/manage/events/<event_id>/speakers/cut")
@event_role_required(Role.MANAGER)
def cut(event: Event) -> Response | tuple[Response, int]:
    """Cut speaking time for everyone still waiting; recorded, since it changes what each may say."""
    speakers_list = list_of(event)
    form = CutForm()
    if not form.validate():
        return _form_refused(event, form)
    before = f"{speakers_list.individual_seconds}/{speakers_list.group_seconds}"
    count = live.cut_time(speakers_list, form.individual_seconds.data, form.group_seconds.data)
    record(event, current_organiser().email, AuditAction.CHANGED_EVENT,
           f"speakers list {speakers_list.number}: time cut from {before} s to "
           f"{form.individual_seconds.data}/{form.group_seconds.data} s for {count} waiting")
    db.session.commit()
    return _answer(event, ngettext(
        "Speaking time is cut to %(individual)s s, %(group)s s on behalf of a group, for the %(num)s "
        "speaker still waiting; the projected times are updated.",
        "Speaking time is cut to %(individual)s s, %(group)s s on behalf of a group, for the %(num)s "
        "speakers still waiting; the projected times are updated.",
        count, individual=form.individual_seconds.data, group=form.group_seconds.data), ok=True)


def _form_refused(event: Event, form: FlaskForm) -> Response | tuple[Response, int]:
    return _answer(event, " ".join(str(e) for f in form for e in f.errors), ok=False)


@bp.post("/manage/events/<event_id>/speakers/draw")
@event_role_required(Role.MANAGER)
def draw(event: Event) -> Response | tuple[Response, int]:
    """Lots drawn for a part of the queue, the seed published; recorded, never redone silently."""
    speakers_list = list_of(event)
    form = DrawForm()
    if not form.validate():
        return _form_refused(event, form)
    try:
        done = live.draw(speakers_list, form.first_place.data, form.last_place.data, form.seed.data,
                         again=bool(form.again.data))
    except live.AlreadyDrawn:
        db.session.rollback()
        return _answer(event, _("Lots were already drawn for this list. To draw again, tick “Draw again”: "
                                "both draws stay on record."), ok=False)
    except live.InvalidDraw:
        db.session.rollback()
        return _answer(event, _("Choose two places or more of the queue: from place 1 to %(last)s.",
                                last=len(services.lineup(speakers_list).queue)), ok=False)
    seed = done.public["seed"]
    record(event, current_organiser().email, AuditAction.CHANGED_EVENT,
           f"speakers list {speakers_list.number}: lots drawn for places {form.first_place.data}-"
           f"{form.last_place.data}, seed {seed}" + (" (drawn again)" if form.again.data else ""))
    db.session.commit()
    return _answer(event, _("Lots are drawn for places %(first)s to %(last)s with the seed %(seed)s; "
                            "the list and the public page show the new order.",
                            first=form.first_place.data, last=form.last_place.data, seed=seed), ok=True)


@bp.post("/manage/events/<event_id>/speakers/substitute")
@event_role_required(Role.MANAGER)
def substitute(event: Event) -> Response | tuple[Response, int]:
    """Another person speaks for the delegation, on its authorisation: recorded (names sealed)."""
    asked_list(event)
    if not request.form.get("speaker"):
        return _answer(event, _("Choose the delegation whose speaker changes."), ok=False)
    speaker = speaker_of(event, request.form["speaker"])
    form = SubstitutionForm()
    if not form.validate():
        return _form_refused(event, form)
    try:
        live.substitute(speaker, form.name.data, form.authorisation.data)
    except errors.SpeakersError as error:
        return _refused(event, error, speaker)
    record(event, current_organiser().email, AuditAction.CHANGED_EVENT,
           f"speakers list {speaker.speakers_list.number}: speaker substituted for {speaker.delegation}")
    db.session.commit()
    return _answer(event, _("%(who)s: the new speaker is recorded with the authorisation.",
                            who=speaker.delegation), ok=True)


@bp.post("/manage/events/<event_id>/speakers/reply")
@event_role_required(Role.MANAGER)
def reply(event: Event) -> Response | tuple[Response, int]:
    """A State's right of reply, asked of the secretariat: into the reply queue after the list."""
    speakers_list = list_of(event)
    form = ReplyForm()
    if not form.validate():
        return _form_refused(event, form)
    speaker = live.add_reply(speakers_list, SpeakerCategory(form.category.data), form.country.data,
                             form.delegation.data, form.name.data or "")
    db.session.commit()
    return _answer(event, _("%(who)s is in the right-of-reply queue, after the list.",
                            who=speaker.delegation), ok=True)


@bp.post("/manage/events/<event_id>/speakers/order")
@event_role_required(Role.MANAGER)
def reorder(event: Event) -> Response | tuple[Response, int]:
    try:
        live.reorder(list_of(event), request.form.getlist("order"))
        db.session.commit()
    except errors.SpeakersError as error:
        return _refused(event, error)
    return _answer(event, _("The new order is saved. Later inscriptions keep it."), ok=True)
