"""The speakers' files on the console: the statement for the interpreters (a download) and the
video statement (a player page, and the file with byte ranges), for the event's organisers only."""

from __future__ import annotations

from pathlib import Path

from flask import abort, render_template, send_file
from werkzeug.wrappers import Response

from rsvp.auth.access import Role, event_role_required
from rsvp.events.models import Event
from rsvp.speakers import screens, statements
from rsvp.speakers.views.console import bp, may_act_on, speaker_of


def _kept(stored_as: str | None) -> Path:
    """Where a speaker's statement or video is kept; 404 when they sent none (or it is gone)."""
    path = statements.path_of(stored_as) if stored_as else None
    if path is None or not path.is_file():
        abort(404)
    return path


@bp.get("/manage/events/<event_id>/speakers/<speaker_id>/statement")
@event_role_required(Role.VIEWER)
def statement(event: Event, speaker_id: str) -> Response:
    """The statement file, as an attachment under the sanitised name it was sent with."""
    speaker = speaker_of(event, speaker_id)
    path = _kept(speaker.statement_stored_as if speaker.statement_filename else None)
    response = send_file(path, mimetype=speaker.statement_content_type, as_attachment=True,
                         download_name=speaker.statement_filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/manage/events/<event_id>/speakers/<speaker_id>/video")
@event_role_required(Role.VIEWER)
def video(event: Event, speaker_id: str) -> str:
    """A speaker's video statement, to play to the room when their turn comes."""
    speaker = speaker_of(event, speaker_id)
    if not speaker.video_stored_as:
        abort(404)
    return render_template("manage/speakers/video.html", event=event, speaker=speaker,
                           name=screens.shown_name(speaker, may_act_on(event)), may_act=may_act_on(event))


@bp.get("/manage/events/<event_id>/speakers/<speaker_id>/video/file")
@event_role_required(Role.VIEWER)
def video_file(event: Event, speaker_id: str) -> Response:
    """The video itself, for the console's player only: inline, with the type its content was
    checked to be, and byte ranges (a browser seeks with them) answered 206."""
    speaker = speaker_of(event, speaker_id)
    path = _kept(speaker.video_stored_as)
    response = send_file(path, mimetype=speaker.video_content_type or "application/octet-stream",
                         conditional=True, max_age=0, etag=True,
                         download_name=speaker.video_filename or path.name)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
