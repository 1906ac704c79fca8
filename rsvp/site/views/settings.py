"""/manage/site, where a site admin sets the site's name, organisation, colour and logo; and the
style sheet and logo every page then loads (from this site only: no third-party request)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as Redirect

from rsvp.auth.access import admin_required, current_organiser
from rsvp.events import uploads
from rsvp.extensions import db
from rsvp.site import services
from rsvp.site.forms import SiteForm

bp = Blueprint("site", __name__)

#: The style sheet's and the logo's addresses change with the settings: cache them for long.
A_YEAR = 60 * 60 * 24 * 365


def _page(form: SiteForm, status: int = 200) -> tuple[str, int]:
    return render_template("manage/site.html", form=form, site=services.current()), status


@bp.route("/manage/site", methods=["GET", "POST"])
@admin_required
def settings() -> Redirect | tuple[str, int]:
    form = SiteForm()
    if not form.is_submitted():
        form = SiteForm.of(services.current())
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    try:
        changed = services.save(form.changes(), current_organiser().email)
    except uploads.UploadRefused as refused:
        db.session.rollback()
        form.logo.errors = [refused.message]
        return _page(form, 422)
    flash(_("The site's settings are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("site.settings"), code=303)


@bp.get("/site/brand.css")
def brand_css() -> Response:
    response = Response(services.brand_css(services.current()), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = A_YEAR
    return response


@bp.get("/site/logo/<name>")
def logo(name: str) -> Response:
    if name != services.current().logo:
        abort(404)
    try:
        return uploads.send_stored(name, max_age=A_YEAR)
    except FileNotFoundError:
        abort(404)


@bp.record_once
def _branding_global(state) -> None:  # type: ignore[no-untyped-def]
    # A global, not a context processor: emails and imported macros see it too.
    state.app.jinja_env.globals["branding"] = services.current
