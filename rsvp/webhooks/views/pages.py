"""/manage/events/<event_id>/webhooks (managers) and /manage/webhooks (site admins, every event):
add and remove endpoints, and read the delivery log (each attempt, its answer, the next retry)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from rsvp.auth.access import Role, admin_required, current_organiser, event_role_required
from rsvp.auth.roles import can
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.webhooks import services
from rsvp.webhooks.forms import TYPE_LABELS, EndpointForm

bp = Blueprint("webhooks", __name__)

Page = str | Response | tuple[str, int]


def _page(event: Event | None, form: EndpointForm, status: int = 200) -> tuple[str, int]:
    return render_template("manage/webhooks.html", event=event, form=form,
                           endpoints=services.endpoints_of(event),
                           deliveries=services.recent_deliveries(event),
                           TYPE_LABELS={t.value: label for t, label in TYPE_LABELS.items()}), status


def _endpoints_page(event: Event | None) -> Page:
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(event, form, 422 if form.is_submitted() else 200)
    services.add_endpoint(event, form.url.data, form.chosen_types(), form.details.data == "full",
                          current_organiser().email)
    db.session.commit()
    flash(_("The address is added: it is told of each change from now on."), "success")
    return redirect(request.path, code=303)


def _remove(event: Event | None) -> Response:
    endpoint = services.endpoint_of(event, request.form.get("endpoint", ""))
    if endpoint is None:
        abort(404)
    services.remove_endpoint(endpoint, current_organiser().email)
    db.session.commit()
    flash(_("The address is removed: nothing more is sent to it."), "success")
    if event is None:
        return redirect(url_for("webhooks.site"), code=303)
    return redirect(url_for("webhooks.index", event_id=event.public_id), code=303)


@bp.route("/manage/events/<event_id>/webhooks", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def index(event: Event) -> Page:
    return _endpoints_page(event)


@bp.post("/manage/events/<event_id>/webhooks/remove")
@event_role_required(Role.MANAGER)
def remove(event: Event) -> Response:
    return _remove(event)


@bp.route("/manage/webhooks", methods=["GET", "POST"])
@admin_required
def site() -> Page:
    return _endpoints_page(None)


@bp.post("/manage/webhooks/remove")
@admin_required
def site_remove() -> Response:
    return _remove(None)


def webhooks_allowed(event: Event) -> bool:
    """Whether the logged-in organiser may open the event's webhooks page (for links to it)."""
    return can(current_organiser(), event, Role.MANAGER)


@bp.record_once
def _link_global(state) -> None:  # type: ignore[no-untyped-def]
    state.app.jinja_env.globals.update(webhooks_allowed=webhooks_allowed)
