"""Public speakers-list pages: inscription, the speaker's own link, the live list and its JSON.

The organisers' console (/manage/...) is built on rsvp.speakers.live and .screens elsewhere.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from rsvp import livepush, tokens
from rsvp.db import end_read, reads_first
from rsvp.events.models import Event
from rsvp.events.services import public_event
from rsvp.extensions import db, limiter
from rsvp.registrations.services import Window
from rsvp.speakers import errors, feed, lists, screens, services
from rsvp.speakers.forms import MESSAGES, ChangeForm, InscriptionForm, video_megabytes
from rsvp.speakers.labels import CATEGORY_LABELS, CATEGORY_SHORT, STATE_LABELS, list_title
from rsvp.speakers.models import Speaker, SpeakersList
from rsvp.timeutil import now_utc
from rsvp.web import public_form_limit

bp = Blueprint("speakers", __name__)

#: Session key holding the inscription just made, so its page needs no id in the URL.
_JUST_INSCRIBED = "just_inscribed"
#: The forms that take a video statement; their bodies may be as large as the video allowed.
_VIDEO_FORMS = ("speakers.inscribe", "speakers.own")
#: Room for the rest of such a form beside the largest video.
_FORM_BYTES = 1024 * 1024


@bp.url_value_preprocessor
def _room_for_a_video(endpoint: str | None, _values: dict | None) -> None:
    """Let a video statement through: these forms take SPEAKER_VIDEO_MAX_BYTES and the other
    fields, whatever MAX_CONTENT_LENGTH says for the rest of the site. Runs before any
    before_request (the CSRF check reads the form), so it applies before the body is parsed;
    werkzeug spools a large file part to a temporary file, never to memory. A body larger
    still is refused with the 413 page."""
    if endpoint in _VIDEO_FORMS and request.method == "POST":
        limit = current_app.config["SPEAKER_VIDEO_MAX_BYTES"] + _FORM_BYTES
        request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"] or 0)


def _number() -> int | None:
    """The list asked for (``?list=2``); None for the event's first."""
    number = request.args.get("list", type=int)
    return number if number and number > 0 else None


def _load(slug: str) -> tuple[Event, SpeakersList]:
    event = public_event(slug)
    try:
        return event, lists.public_list(event, _number())
    except errors.NoSpeakersList:
        abort(404)


def _lists(event: Event, speakers_list: SpeakersList) -> dict[str, object]:
    """What a page's list tabs show: the event's public lists, and this page's."""
    return {"lists": lists.public_lists(event), "speakers_list": speakers_list}


@bp.route("/events/<slug>/speakers", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def inscribe(slug: str) -> str | Response | tuple[str, int]:
    reads_first()  # validate without holding SQLite's write lock
    event, speakers_list = _load(slug)
    window = lists.window(speakers_list)
    form = InscriptionForm(event, speakers_list)
    context = {"event": event, "form": form, "window": window,
               "closes_at": lists.closes_at(speakers_list), **_lists(event, speakers_list)}
    if window is not Window.OPEN:
        return render_template("speakers/inscribe.html", **context), 409 if form.is_submitted() else 200
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("speakers/inscribe.html", **context), status
    if form.is_bot:  # a polite answer, and nothing stored or sent
        return redirect(url_for("events.show", slug=slug), code=303)

    data = services.InscriptionData(
        name=form.name.data, delegation=form.delegation.data, category=form.category.data,
        country=form.country.data or None, nhri_a_status=bool(form.nhri_a_status.data),
        on_behalf_of_group=form.on_behalf_of_group, group_name=form.group_name.data or "",
        language=form.language.data, email=form.email.data, email_language=str(get_locale() or "en"),
        statement=form.statement.upload, confidential=bool(form.confidential.data),
        signatories=form.signatories_data(), priority_requested=bool(form.priority_requested.data),
        video=form.video.upload)
    end_read(db.session())  # the write transaction starts with the inscription
    try:
        speaker = services.inscribe(event, data, speakers_list=speakers_list)
        public_id = speaker.public_id  # read before the commit expires it
        db.session.commit()
    except services.AlreadyInscribed:
        db.session.rollback()
        form.delegation.errors = [_("%(delegation)s is already on the speakers list. Use the link in "
                                    "the email we sent to change or withdraw that inscription.",
                                    delegation=data.delegation)]
        return render_template("speakers/inscribe.html", **context), 409
    except services.InvalidInscription as invalid:
        db.session.rollback()
        form[invalid.field].errors = [str(MESSAGES[invalid.field])]
        return render_template("speakers/inscribe.html", **context), 422
    except services.InscriptionClosed as closed:
        db.session.rollback()
        context["window"] = closed.window
        return render_template("speakers/inscribe.html", **context), 409
    session[_JUST_INSCRIBED] = public_id
    return redirect(url_for("speakers.inscribed", slug=slug), code=303)


@bp.get("/events/<slug>/speakers/inscribed")
def inscribed(slug: str) -> str | Response:
    event, speakers_list = _load(slug)
    speaker = services.get_by_public_id(session.get(_JUST_INSCRIBED, ""))
    if speaker is None or speaker.event_id != event.id:
        return redirect(url_for("speakers.inscribe", slug=slug))
    return render_template("speakers/inscribed.html", event=event, speaker=speaker,
                           lineup=services.lineup(speaker.speakers_list))


@bp.errorhandler(413)
def _too_large(_error: Exception) -> tuple[str, int]:
    """A body larger than even a video statement may be: say the limit (nothing was kept)."""
    return render_template("speakers/too_large.html", back=request.url,
                           size=video_megabytes()), 413


@bp.errorhandler(tokens.TokenInvalid)
def _bad_link(error: tokens.TokenInvalid) -> tuple[str, int]:
    """A speaker's link that is tampered, revoked (withdrawn, erased) or too old (410)."""
    expired = isinstance(error, tokens.TokenExpired)
    return render_template("speakers/bad_link.html", expired=expired), 410 if expired else 404


def _own_page(speaker: Speaker, token: str, form: ChangeForm, status: int = 200) -> tuple[str, int]:
    lineup = services.lineup(speaker.speakers_list)
    return render_template("speakers/own.html", speaker=speaker, event=speaker.event, token=token,
                           form=form, withdraw_form=FlaskForm(), lineup=lineup,
                           live_status=screens.own_status(speaker)), status


@bp.route("/s/<token>", methods=["GET", "POST"])
def own(token: str) -> str | Response | tuple[str, int]:
    speaker = services.from_speaker_token(token)  # a bad link: _bad_link answers
    form = ChangeForm(speaker.event, obj=speaker)
    if not form.is_submitted():
        return _own_page(speaker, token, form)
    if not form.validate():
        return _own_page(speaker, token, form, 422)
    try:
        services.change(speaker, language=form.language.data, statement=form.statement.upload,
                        remove_statement=bool(form.remove_statement.data), video=form.video.upload,
                        remove_video=bool(form.remove_video.data))
        db.session.commit()
    except services.TransitionRefused:
        db.session.rollback()
        flash(_("Your inscription can no longer be changed."), "warning")
    except services.InvalidInscription as invalid:
        db.session.rollback()
        form[invalid.field].errors = [str(MESSAGES[invalid.field])]
        return _own_page(speaker, token, form, 422)
    else:
        flash(_("Your changes are saved."), "success")
    return redirect(url_for("speakers.own", token=token), code=303)


@bp.get("/s/<token>/status.json")
@limiter.exempt  # polled every second by the few speakers following from afar
def own_status(token: str) -> Response:
    """The speaker's own live status: their place, time, and whether they are next or speaking."""
    speaker = services.from_speaker_token(token)  # a bad link: _bad_link answers
    response = jsonify(screens.own_status(speaker))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/s/<token>/withdraw")
def withdraw(token: str) -> Response | tuple[str, int]:
    speaker = services.from_speaker_token(token)  # a bad link: _bad_link answers
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(speaker)
        db.session.commit()
    except services.TransitionRefused:
        db.session.rollback()
        flash(_("This inscription can no longer be withdrawn."), "warning")
    else:
        flash(_("Your inscription is withdrawn. We have sent you a confirmation."), "success")
    return redirect(url_for("speakers.own", token=token), code=303)


@bp.get("/events/<slug>/speakers/live", endpoint="live")
def live_page(slug: str) -> str:
    event, speakers_list = _load(slug)
    return render_template("speakers/live.html", event=event, state=screens.live_state(speakers_list),
                           push=livepush.subscribe_url(lists.LIVE_CHANNEL, speakers_list.id),
                           **_lists(event, speakers_list))


@bp.get("/events/<slug>/speakers/live.json")
@limiter.exempt  # no limit applies to it; the check alone cost a tenth of an answer
def live_json(slug: str) -> Response:
    """The same bytes for every viewer until the list changes: 304 when the viewer has them,
    gzip when the viewer takes it (``rsvp serve`` may run without nginx in front)."""
    now, language = now_utc(), str(get_locale() or "en")
    document = feed.kept(slug, _number(), language, now)
    if document is None:
        _event, speakers_list = _load(slug)
        document = feed.document(speakers_list, language, now)
    if request.if_none_match.contains_weak(document.etag):
        response = Response(status=304)
    elif request.accept_encodings["gzip"]:
        response = Response(document.gzipped, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(document.body, mimetype="application/json")
    response.set_etag(document.etag, weak=True)
    # The countdown runs in the browser from started_at, corrected by this clock: sent with
    # every answer, 304 included, since the document itself is the same for everyone.
    response.headers["Server-Now"] = screens.iso(now) or ""
    # Shareable for a second: the same bytes for everyone (no cookie set, nothing personal), so
    # nginx keeps one copy a second for all viewers (deploy/nginx/rsvp.conf).
    response.headers["Cache-Control"] = "public, max-age=1"
    response.vary.update(("Accept-Encoding", "Accept-Language", "Cookie"))
    return response


@bp.record_once
def _globals(state) -> None:
    # The event page asks whether to link here; globals, so included templates see them.
    state.app.jinja_env.globals.update(
        speakers_list_of=lists.speakers_list_of, speakers_window=lists.window,
        speakers_lists_shown=lists.shown_lists,
        SPEAKER_CATEGORY_LABELS=CATEGORY_LABELS, SPEAKER_CATEGORY_SHORT=CATEGORY_SHORT,
        SPEAKER_STATE_LABELS=STATE_LABELS, list_title=list_title)
