"""The /manage entry: an organiser's events, the site's organisers (admins), an event's team (owners)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from rsvp.auth import roles, services
from rsvp.auth.access import Role, admin_required, current_organiser, event_role_required, login_required
from rsvp.auth.forms import ROLE_HINTS, ROLE_LABELS, STATUS_LABELS, GrantRoleForm, OrganiserForm, RoleForm
from rsvp.auth.models import Organiser
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.registrations import tracking
from rsvp.timeutil import now_utc

bp = Blueprint("manage", __name__)

Page = str | Response | tuple[str, int]


@bp.get("/manage")
@login_required
def home() -> str:
    organiser = current_organiser()
    summaries = tracking.events_of(organiser)
    now = now_utc()
    upcoming = [s for s in summaries if s.event.ends_at >= now]
    past = [s for s in reversed(summaries) if s.event.ends_at < now]
    return render_template("manage/home.html", organiser=organiser, upcoming=upcoming, past=past)


def _organisers_page(form: OrganiserForm, status: int = 200) -> tuple[str, int]:
    return render_template("manage/organisers.html", form=form, organisers=services.all_organisers(),
                           me=current_organiser()), status


@bp.route("/manage/organisers", methods=["GET", "POST"])
@admin_required
def organisers() -> Page:
    form = OrganiserForm()
    if not form.validate_on_submit():
        return _organisers_page(form, 422 if form.is_submitted() else 200)
    try:
        organiser = services.create_organiser(
            form.email.data, form.name.data, is_admin=form.is_admin.data,
            invited_by=current_organiser(), lang=str(get_locale() or "en"))
    except services.EmailTaken:
        db.session.rollback()
        form.email.errors = [_("An organiser account uses this email address already.")]
        return _organisers_page(form, 409)
    db.session.commit()
    flash(_("%(name)s can now log in: we have emailed %(email)s a link to choose a password.",
            name=organiser.name, email=organiser.email), "success")
    return redirect(url_for("manage.organisers"), code=303)


def _load_organiser(organiser_id: str) -> Organiser:
    organiser = services.get_by_public_id(organiser_id)
    if organiser is None:
        abort(404)
    return organiser


def _set_active(organiser_id: str, active: bool) -> Response:
    organiser = _load_organiser(organiser_id)
    try:
        services.set_active(organiser, active, acting=current_organiser())
    except services.CannotDeactivateSelf:
        db.session.rollback()
        flash(_("You cannot deactivate your own account."), "warning")
        return redirect(url_for("manage.organisers"), code=303)
    db.session.commit()
    if active:
        flash(_("%(name)s can log in again.", name=organiser.name), "success")
    else:
        flash(_("%(name)s is deactivated and logged out everywhere.", name=organiser.name), "success")
    return redirect(url_for("manage.organisers"), code=303)


@bp.post("/manage/organisers/<organiser_id>/deactivate")
@admin_required
def deactivate_organiser(organiser_id: str) -> Response:
    return _set_active(organiser_id, False)


@bp.post("/manage/organisers/<organiser_id>/reactivate")
@admin_required
def reactivate_organiser(organiser_id: str) -> Response:
    return _set_active(organiser_id, True)


def _team_page(event: Event, form: GrantRoleForm, status: int = 200) -> tuple[str, int]:
    return render_template("manage/team.html", event=event, form=form, members=roles.team(event),
                           me=current_organiser()), status


@bp.route("/manage/events/<event_id>/team", methods=["GET", "POST"])
@event_role_required(Role.OWNER)
def team(event: Event) -> Page:
    form = GrantRoleForm()
    if not form.validate_on_submit():
        return _team_page(event, form, 422 if form.is_submitted() else 200)
    role = Role(form.role.data)
    try:
        member = roles.grant(event, form.email.data, role)
    except roles.UnknownOrganiser:
        db.session.rollback()
        form.email.errors = [_("No organiser account uses this email address. "
                               "A site administrator can create one.")]
        return _team_page(event, form, 422)
    except roles.AlreadyOnTeam as already:
        db.session.rollback()
        form.email.errors = [_("This organiser is on the team already, as %(role)s. "
                               "Change their role in the list above.", role=ROLE_LABELS[already.role])]
        return _team_page(event, form, 409)
    db.session.commit()
    flash(_("%(name)s is now %(role)s of this event.", name=member.organiser.name,
            role=ROLE_LABELS[role]), "success")
    return redirect(url_for("manage.team", event_id=event.public_id), code=303)


def _team_change(event: Event, organiser_id: str, role: Role | None) -> Response:
    """Change a member's role, or remove them when ``role`` is None."""
    organiser = _load_organiser(organiser_id)
    try:
        if role is None:
            roles.remove(event, organiser)
        else:
            roles.change(event, organiser, role)
    except roles.NotOnTeam:
        db.session.rollback()
        flash(_("%(name)s is not on this event's team.", name=organiser.name), "warning")
    except roles.LastOwner:
        db.session.rollback()
        flash(_("An event needs at least one owner. Make someone else owner first."), "warning")
    else:
        db.session.commit()
        if role is None:
            flash(_("%(name)s is no longer on the team.", name=organiser.name), "success")
        else:
            flash(_("%(name)s is now %(role)s of this event.", name=organiser.name,
                    role=ROLE_LABELS[role]), "success")
    return redirect(url_for("manage.team", event_id=event.public_id), code=303)


@bp.post("/manage/events/<event_id>/team/<organiser_id>/role")
@event_role_required(Role.OWNER)
def change_role(event: Event, organiser_id: str) -> Response:
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _team_change(event, organiser_id, Role(form.role.data))


@bp.post("/manage/events/<event_id>/team/<organiser_id>/remove")
@event_role_required(Role.OWNER)
def remove_member(event: Event, organiser_id: str) -> Response:
    return _team_change(event, organiser_id, None)


@bp.record_once
def _label_globals(state) -> None:  # type: ignore[no-untyped-def]
    # Globals, not a context processor: imported macros see globals only.
    state.app.jinja_env.globals.update(ROLE_LABELS=ROLE_LABELS, ROLE_HINTS=ROLE_HINTS,
                                       EVENT_STATUS_LABELS=STATUS_LABELS)
