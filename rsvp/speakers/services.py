"""Inscribing on an event's speakers list: one inscription per delegation, the speaker's own link
(change, withdraw), every change of a speaker's state, and the lineup every screen reads. The
lists themselves (settings, window, lock) are rsvp/speakers/lists.py; files, files.py.

Functions here flush, never commit; the caller commits or rolls back. Every
change of a speaker's state goes through transition().
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from rsvp import tokens
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.outbox import Rendered, Renderer
from rsvp.registrations.services import Window
from rsvp.speakers import files, lists, notify, ordering, statements, videos
from rsvp.speakers.errors import (
    AlreadyInscribed,
    InscriptionClosed,
    InvalidInscription,
    NoSpeakersList,
    TransitionRefused,
)
from rsvp.speakers.models import (
    LISTED_STATES,
    STATE_CATEGORIES,
    WAITING_STATES,
    Speaker,
    SpeakerCategory,
    SpeakersList,
    SpeakerState,
)
from rsvp.speakers.ordering import Lineup
from rsvp.timeutil import now_utc


@dataclass(frozen=True)
class InscriptionData:
    name: str
    delegation: str
    #: A SpeakerCategory value; anything else is refused.
    category: str
    language: str
    email: str
    on_behalf_of_group: bool = False
    group_name: str = ""
    country: str | None = None
    nhri_a_status: bool = False
    email_language: str = "en"
    statement: files.Upload | None = None
    #: Their name never on the public list, nor shown to organisers below manager.
    confidential: bool = False
    #: A joint statement's signatories: ("state", "LT") or ("organisation", "CIVICUS").
    signatories: tuple[tuple[str, str], ...] = ()
    #: An NGO asks for priority: honoured inside the NGO category (ignored for anyone else).
    priority_requested: bool = False
    #: A recorded statement, for a speaker who cannot be in the room.
    video: files.VideoUpload | None = None


# -- inscription ----------------------------------------------------------------------------------

def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", folded).strip()


def delegation_key(category: SpeakerCategory, delegation: str, country: str | None,
                   group_name: str | None = None) -> str:
    """What makes two inscriptions the same delegation.

    A State is its country, whatever its mission calls itself; anyone else is
    their name, regardless of case, spacing and punctuation. A statement on
    behalf of a group is a separate inscription of the same delegation.
    """
    if category in STATE_CATEGORIES and country:
        key = f"state:{country.upper()}"
    else:
        key = f"{category.value}:{_normalise(delegation)}"
    if group_name:
        key += f"|group:{_normalise(group_name)}"
    return key[:520]


def _category(value: str) -> SpeakerCategory:
    try:
        return SpeakerCategory(value)
    except ValueError as error:
        raise InvalidInscription("category") from error


#: More than any joint statement has (the largest carry some 160 States).
MAX_SIGNATORIES = 250


def _check_signatories(data: InscriptionData) -> None:
    if data.signatories and not data.on_behalf_of_group:
        raise InvalidInscription("signatories")
    if len(data.signatories) > MAX_SIGNATORIES:
        raise InvalidInscription("signatories")
    for kind, value in data.signatories:
        if kind == "state" and not re.fullmatch(r"[A-Z]{2}", value):
            raise InvalidInscription("signatories")
        if kind == "organisation" and not 0 < len(value.strip()) <= 200:
            raise InvalidInscription("signatories")
        if kind not in ("state", "organisation"):
            raise InvalidInscription("signatories")


def signatories_of(data: InscriptionData) -> list[dict[str, str]]:
    """As stored: in the order given, each once."""
    seen = dict.fromkeys((kind, value.strip()) for kind, value in data.signatories)
    return [{kind: value} for kind, value in seen]


def _check(event: Event, data: InscriptionData, category: SpeakerCategory) -> None:
    for field in ("name", "delegation", "email"):
        if not getattr(data, field).strip():
            raise InvalidInscription(field)
    if data.on_behalf_of_group and not data.group_name.strip():
        raise InvalidInscription("group_name")
    if data.language not in lists.statement_languages(event):
        raise InvalidInscription("language")
    _check_signatories(data)
    needs_country = category in STATE_CATEGORIES or category is SpeakerCategory.NHRI
    if (needs_country and not data.country) or (data.country and not re.fullmatch(r"[A-Z]{2}", data.country)):
        raise InvalidInscription("country")


def inscribe(event: Event, data: InscriptionData, now: datetime | None = None,
             speakers_list: SpeakersList | None = None) -> Speaker:
    """Put a delegation on one of the event's lists (its first without one) and send them their
    place and time.

    :raises NoSpeakersList: the event (or that list) takes no inscriptions.
    :raises InscriptionClosed: before the list opens, after it closes, event over or cancelled.
    :raises InvalidInscription: unknown category, group statement without a group, a language
        the event does not interpret, a State or NHRI without its country, an empty field.
    :raises statements.StatementRejected: the statement file is empty, too large or of a kind
        interpreters cannot open.
    :raises videos.VideoRejected: the video is empty, too large, or not MP4, WebM or Matroska.
    :raises AlreadyInscribed: the delegation is on the list and the event allows one each.
    """
    now = now or now_utc()
    if speakers_list is None:
        speakers_list = lists.public_list(event)
    elif speakers_list.event_id != event.id or not speakers_list.enabled:
        raise NoSpeakersList(event.slug)
    state = lists.window(speakers_list, now)
    if state is not Window.OPEN:
        raise InscriptionClosed(state)
    category = _category(data.category)
    _check(event, data, category)
    kind = statements.check(data.statement.data) if data.statement else None
    video_kind = videos.check(data.video.stream) if data.video else None
    lists.lock_lists(event.id, speakers_list)  # its times as a cut committed just before left them

    group_name = data.group_name.strip() if data.on_behalf_of_group else None
    country = data.country if data.country else None
    speaker = Speaker(
        event=event,
        speakers_list=speakers_list,
        name=data.name.strip(),
        delegation=data.delegation.strip(),
        delegation_key=delegation_key(category, data.delegation, country, group_name),
        category=category,
        country=country,
        nhri_a_status=data.nhri_a_status and category is SpeakerCategory.NHRI,
        on_behalf_of_group=data.on_behalf_of_group,
        group_name=group_name,
        language=data.language,
        email=data.email.strip().lower(),
        email_language=data.email_language,
        confidential=data.confidential,
        signatories=signatories_of(data) if data.on_behalf_of_group else [],
        priority_requested=data.priority_requested and category is SpeakerCategory.NGO,
        state=SpeakerState.INSCRIBED,
        one_per_delegation=speakers_list.one_per_delegation,
        seconds_allowed=speakers_list.seconds_for(category, data.on_behalf_of_group),
        inscribed_at=now,
        updated_at=now,
    )
    try:
        # The partial unique index decides, even when two requests race.
        with db.session.begin_nested():
            db.session.add(speaker)
    except IntegrityError as error:
        raise AlreadyInscribed(speaker.delegation) from error
    if data.statement and kind:
        files.attach_statement(speaker, data.statement, kind, now)
    if data.video and video_kind:
        files.attach_video(speaker, data.video, video_kind, now)
    db.session.flush()
    lists.changed(event.id)
    notify.inscribed(speaker)
    return speaker


def _write_inscribed(speaker_id: int) -> Rendered | None:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        return None
    return notify.render_inscribed(speaker, lineup(speaker.speakers_list))


def change(speaker: Speaker, *, language: str, statement: files.Upload | None = None,
           remove_statement: bool = False, video: files.VideoUpload | None = None, remove_video: bool = False,
           now: datetime | None = None) -> None:
    """What a speaker may change through their link while they wait: the language, the statement
    and the video. Not the name: it is fixed at inscription, and only a substitution the
    organisers record on the delegation's authorisation changes it (live.substitute).

    :raises TransitionRefused: they have spoken, been marked absent, or withdrawn.
    :raises InvalidInscription: a language the event does not interpret.
    :raises statements.StatementRejected: see inscribe().
    :raises videos.VideoRejected: see inscribe().
    """
    now = now or now_utc()
    lists.lock_lists(speaker.event_id, speaker)
    if not speaker.is_waiting:
        raise TransitionRefused(speaker.state.value)
    if language not in lists.statement_languages(speaker.event):
        raise InvalidInscription("language")
    kind = statements.check(statement.data) if statement else None
    video_kind = videos.check(video.stream) if video else None
    speaker.language, speaker.updated_at = language, now
    if statement and kind:
        files.attach_statement(speaker, statement, kind, now)
    elif remove_statement:
        files.drop(speaker, "statement")
    if video and video_kind:
        files.attach_video(speaker, video, video_kind, now)
    elif remove_video:
        files.drop(speaker, "video")
    db.session.flush()
    lists.changed(speaker.event_id)


def transition(speaker: Speaker, allowed: tuple[SpeakerState, ...], target: SpeakerState | None,
               now: datetime, *, when: sa.ColumnElement[bool] | None = None, **values: Any) -> None:
    """Move ``speaker`` to ``target`` (None: keep its state) and set ``values``, only if it is
    still in one of ``allowed`` and ``when`` holds: a conditional UPDATE, so races lose.

    :raises TransitionRefused: the speaker is in another state.
    """
    lists.lock_lists(speaker.event_id)
    conditions = [Speaker.id == speaker.id, Speaker.state.in_(allowed)]
    if when is not None:
        conditions.append(when)
    if target is not None:
        values["state"] = target
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Speaker).where(*conditions).values(updated_at=now, **values)
        .execution_options(synchronize_session=False))
    db.session.refresh(speaker)
    if result.rowcount != 1:
        raise TransitionRefused(speaker.state.value)
    lists.changed(speaker.event_id)


def withdraw(speaker: Speaker, now: datetime | None = None) -> None:
    """Take a waiting speaker off the list (by their link or the organiser); they are told.

    Their statement file and video are deleted once this is committed.

    :raises TransitionRefused: already spoken, speaking, absent or withdrawn.
    """
    now = now or now_utc()
    transition(speaker, WAITING_STATES, SpeakerState.WITHDRAWN, now)
    files.drop(speaker, "statement")
    files.drop(speaker, "video")
    db.session.flush()
    notify.withdrawn(speaker)


def from_speaker_token(token: str) -> Speaker:
    """The speaker a speaker link points to.

    :raises tokens.TokenExpired: the link is too old.
    :raises tokens.TokenInvalid: tampered, wrong purpose, unknown or revoked.
    """
    public_id, version = tokens.verify_record("speaker", token)
    speaker = get_by_public_id(public_id)
    if speaker is None or speaker.token_version != version:
        raise tokens.TokenInvalid("speaker")
    return speaker


def get_by_public_id(public_id: str) -> Speaker | None:
    return db.session.scalar(sa.select(Speaker).where(Speaker.public_id == public_id))


# -- the lineup -----------------------------------------------------------------------------------

def _speakers(speakers_list: SpeakersList, states: tuple[SpeakerState, ...]) -> list[Speaker]:
    return list(db.session.scalars(
        sa.select(Speaker).where(Speaker.list_id == speakers_list.id, Speaker.state.in_(states))
        .order_by(Speaker.inscribed_at, Speaker.id)))


def turn_of(speaker: Speaker | None) -> ordering.Turn | None:
    if speaker is None or speaker.started_at is None:
        return None
    return ordering.Turn(speaker.started_at, speaker.seconds_allowed, speaker.ended_at)


def lineup(speakers_list: SpeakersList, now: datetime | None = None) -> Lineup:
    now = now or now_utc()
    order = ordering.list_order(_speakers(speakers_list, LISTED_STATES))
    current = next((s for s in order if s.id == speakers_list.current_speaker_id), None)
    queue = [s for s in order if s.is_waiting]
    opened_at = min((s.started_at for s in order if s.started_at is not None), default=None)
    table = ordering.timetable(
        [(s.id, s.seconds_allowed) for s in queue], now=now,
        floor_starts_at=speakers_list.floor_start(), floor_minutes=speakers_list.floor_minutes,
        current=turn_of(current), opened_at=opened_at)
    return Lineup(speakers_list, order, current, queue, table)


#: The emails written by the worker (rsvp.mail.outbox.queue_later), handed to create_app.
RENDERERS: dict[str, Renderer] = {"speaker-inscribed": _write_inscribed}
