"""/manage/tokens: an organiser makes, lists and revokes their personal access tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from rsvp.api import tokens
from rsvp.api.forms import TokenForm
from rsvp.auth.access import current_organiser, login_required
from rsvp.extensions import db
from rsvp.timeutil import now_utc

bp = Blueprint("api_tokens", __name__)

Page = str | Response | tuple[str, int]


def _page(form: TokenForm, status: int = 200, secret: str | None = None) -> tuple[str, int]:
    organiser = current_organiser()
    return render_template("manage/tokens.html", form=form, tokens=tokens.tokens_of(organiser),
                           secret=secret, now=now_utc(), revoke_form=FlaskForm()), status


@bp.route("/manage/tokens", methods=["GET", "POST"])
@login_required
def index() -> Page:
    organiser = current_organiser()
    form = TokenForm()
    form.offer([event for event, _role in tokens.organiser_events(organiser)])
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    now = now_utc()
    _token, secret = tokens.create(organiser, form.name.data, form.chosen_events(),
                                   form.access.data == "write", form.expires_at(now), now)
    db.session.commit()
    # Shown on this answer only (POST: never cached); a fresh form for the next one.
    fresh = TokenForm(formdata=None)
    fresh.offer([event for event, _role in tokens.organiser_events(organiser)])
    return _page(fresh, secret=secret)


@bp.post("/manage/tokens/revoke")
@login_required
def revoke() -> Response:
    """The token named by the form's ``token`` (one of the organiser's own, else 404)."""
    token = tokens.get_own(current_organiser(), request.form.get("token", ""))
    if token is None:
        abort(404)
    tokens.revoke(token, current_organiser().email)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked: the tool using it is refused from now on.",
            name=token.name), "success")
    return redirect(url_for("api_tokens.index"), code=303)
