"""Public event pages: upcoming and past listings, the event page, its .ics file, image and documents."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from werkzeug.exceptions import NotFound

from rsvp.events import content, labels, services, uploads
from rsvp.events.calendar import event_ics
from rsvp.i18n import language_in_sentence
from rsvp.registrations import services as registrations
from rsvp.urls import public_domain, public_url
from rsvp.web import cached_for_visitors

bp = Blueprint("events", __name__)


@bp.app_errorhandler(services.EventNotFound)
def _no_such_event(error: services.EventNotFound) -> tuple[str, int]:
    """Every page of an event that is not public (its own, its form, its speakers list): 404."""
    return render_template("errors/error.html", code=404, error=NotFound()), 404


@bp.get("/")
@cached_for_visitors
def upcoming() -> str:
    events = services.upcoming_events()
    return render_template("events/upcoming.html", events=events,
                           window=registrations.window)


@bp.get("/past")
def past() -> str:
    page = request.args.get("page", 1, type=int)
    pagination = services.past_events(page, current_app.config["EVENTS_PER_PAGE"])
    return render_template("events/past.html", pagination=pagination)


@bp.get("/events/<slug>")
@cached_for_visitors
def show(slug: str) -> str:
    event = services.public_event(slug)
    language = content.reader_language()
    text = content.event_text(event, language)
    return render_template(
        "events/show.html",
        event=event,
        text=text,
        phrases=content.phrases_shown(event, language),
        # The page in each language its words are written in (an address built from
        # PUBLIC_BASE_URL, never from the request's Host: the page may be cached).
        in_languages=[(code, public_url("events.show", slug=event.slug, lang=code))
                      for code in content.languages_of(event)],
        description=services.render_markdown(text.description.text),
        documents=content.documents_for(event, language),
        programme=services.programme(event),
        window=registrations.window(event),
        closes_at=registrations.closes_at(event),
        is_over=services.event_is_over(event),
    )


@bp.get("/events/<slug>/event.ics")
def calendar(slug: str) -> Response:
    event = services.public_event(slug)
    event_url = url_for("events.show", slug=slug, _external=True)
    body = event_ics(event, event_url, public_domain(), language=content.reader_language())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@bp.get("/events/<slug>/documents/<document_id>")
def document(slug: str, document_id: str) -> Response:
    """An uploaded document of a public event, at an address that stays while the document does."""
    event = services.public_event(slug)
    found = next((d for d in event.documents if d.public_id == document_id and d.file_name), None)
    if found is None or found.file_name is None:
        abort(404)
    try:
        return uploads.send_stored(found.file_name, f"{event.slug}-{found.language}."
                                   f"{uploads.kind_of(found.file_name)}")
    except FileNotFoundError:
        abort(404)


@bp.get("/events/<slug>/image/<name>")
def image(slug: str, name: str) -> Response:
    """The event's image; a new upload gets a new name, so it may be cached for long."""
    event = services.public_event(slug)
    if not event.image_path or name != event.image_path:
        abort(404)
    try:
        return uploads.send_stored(name, max_age=60 * 60 * 24 * 7)
    except FileNotFoundError:
        abort(404)


@bp.record_once
def _label_globals(state) -> None:
    # Globals, not a context processor: imported macros see globals only.
    state.app.jinja_env.globals.update(
        FORMAT_LABELS=labels.FORMAT_LABELS, TYPE_LABELS=labels.TYPE_LABELS,
        ROLE_HEADINGS=labels.ROLE_HEADINGS, PARTNER_ROLE_HEADINGS=labels.PARTNER_ROLE_HEADINGS,
        PARTNER_KIND_LABELS=labels.PARTNER_KIND_LABELS)
    # The organisers' words in the reader's language, for pages and emails (rsvp.events.content).
    state.app.jinja_env.globals.update(event_text=content.for_reader,
                                       language_in_sentence=language_in_sentence,
                                       phrase=lambda event, text: content.phrase(
                                           event, text, content.reader_language()),
                                       premises_name=labels.premises_name,
                                       pass_holders_walk_in=labels.pass_holders_walk_in,
                                       watch_only=labels.watch_only, own_time=services.own_time)
    state.app.jinja_env.filters["lang_attr"] = content.lang_attribute
    state.app.jinja_env.filters["marked"] = content.marked
    state.app.jinja_env.filters["phrase_text"] = lambda text, event: content.phrase(
        event, text, content.reader_language()).text
