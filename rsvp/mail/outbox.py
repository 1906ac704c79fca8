"""queue_email(): an email into the outbox, in the caller's transaction.

A rolled-back transaction sends nothing; a committed one is never lost. The
worker (worker.py) does the sending. queue_email() renders at once;
queue_later() stores what the message needs (a renderer's name and plain
arguments) and the worker renders it just before sending, so a busy request
(a registration holding the event's seat lock) does not wait on templates.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage, recipient_hash
from rsvp.rows import insert_new, insert_row, insert_unless_taken, new_row, row_of
from rsvp.urls import public_domain


@dataclass
class Rendered:
    subject: str
    text_body: str
    html_body: str
    attachments: list[dict[str, str]] = field(default_factory=list)


#: name -> function(**args) giving the message, or None when there is nothing to send any more.
Renderer = Callable[..., "Rendered | None"]
_EXTENSION = "rsvp.email_renderers"


def register_renderers(app: Flask, renderers: Mapping[str, Renderer]) -> None:
    """The functions the worker calls to write messages queued with queue_later(), by name.

    create_app hands over each feature's RENDERERS: nothing is registered by importing a module.
    """
    known = app.extensions.setdefault(_EXTENSION, {})
    clash = set(known) & set(renderers)
    assert not clash, f"email renderers registered twice: {clash}"
    known.update(renderers)


def read_ahead(messages: Sequence[OutboxMessage]) -> list[object]:
    """Load at once what the renderers of ``messages`` will read for each, and return it for the
    caller to hold while it renders: one query a batch, not one a message.

    A renderer reads ahead if it has a ``read_ahead`` attribute: a function given the args of
    each of its messages (a batch: bounded by the worker's claim, not by an event's size).
    """
    args_by_renderer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in messages:
        if message.render is not None:
            args_by_renderer[message.render["renderer"]].append(message.render["args"])
    renderers = current_app.extensions[_EXTENSION]
    kept: list[object] = []
    for name, args in args_by_renderer.items():
        if ahead := getattr(renderers[name], "read_ahead", None):
            kept.extend(ahead(args))
    return kept


def one_line(text: str) -> str:
    """Collapse every run of whitespace, newlines included: nothing can start a second header."""
    return " ".join(text.split())


def render_email(name: str, lang: str, attachments: list[dict[str, str]] | None = None,
                 **context: Any) -> Rendered:
    """templates/mail/<name>/ in ``lang``."""
    context.setdefault("lang", lang)
    with force_locale(lang):
        subject = one_line(render_template(f"mail/{name}/subject.txt", **context))
        text_body = render_template(f"mail/{name}/body.txt", **context)
        html_body = render_template(f"mail/{name}/body.html", **context)
    return Rendered(subject[:300], text_body, html_body, attachments or [])


def queue_email(name: str, *, to: str, lang: str = "en", event: Event | None = None,
                dedupe_key: str | None = None, attachments: list[dict[str, str]] | None = None,
                **context: Any) -> OutboxMessage | None:
    """Render templates/mail/<name>/ in ``lang`` and add the message to the outbox.

    Returns None when a message with ``dedupe_key`` already exists (it is
    never queued twice).
    """
    context.setdefault("event", event)
    return queue_rendered(name, render_email(name, lang, attachments, **context), to=to,
                          event=event, dedupe_key=dedupe_key)


def queue_rendered(name: str, rendered: Rendered, *, to: str, event: Event | None = None,
                   dedupe_key: str | None = None) -> OutboxMessage | None:
    message = _message(name, to, event, dedupe_key)
    _fill(message, rendered)
    return queue_message(message)


def queue_later(name: str, *, to: str, render: str, args: dict[str, Any],
                event: Event | None = None, dedupe_key: str | None = None) -> OutboxMessage | None:
    """Add a message the worker writes with renderer ``render`` called with ``args``.

    ``args`` must be plain JSON values (ids, not objects), and the message's
    content is what the renderer makes of them at sending time.
    """
    return queue_message(later(name, to=to, render=render, args=args, event=event, dedupe_key=dedupe_key))


def queue_later_row(name: str, *, to: str, render: str, args: dict[str, Any],
                    event_id: int | None = None, dedupe_key: str | None = None) -> dict[str, Any] | None:
    """queue_later() without the OutboxMessage object: the row written (with its id), or None
    when ``dedupe_key`` is already queued.

    For a request that never reads its message again (a registration's email): the same row,
    without an ORM object made, added to the session and expired at its commit.
    """
    row = later_row(name, to=to, render=render, args=args, event_id=event_id, dedupe_key=dedupe_key)
    return row if insert_row(db.session(), OutboxMessage, row, ["dedupe_key"]) is not None else None


def later_row(name: str, *, to: str, render: str, args: dict[str, Any],
              event_id: int | None = None, dedupe_key: str | None = None) -> dict[str, Any]:
    """The row queue_later_row() writes, not written (for a writer with a statement of its own)."""
    recipient = one_line(to)
    return row_of(OutboxMessage, {
        "kind": name, "recipient": recipient, "recipient_hash": recipient_hash(recipient),
        "dedupe_key": dedupe_key, "event_id": event_id, "message_id": _new_message_id(),
        "subject": "", "text_body": "", "html_body": "", "attachments": [],
        "render": {"renderer": render, "args": args}})


def later(name: str, *, to: str, render: str, args: dict[str, Any], event: Event | None = None,
          dedupe_key: str | None = None) -> OutboxMessage:
    """The message queue_later() adds, not added yet (for queue_many())."""
    message = _message(name, to, event, dedupe_key)
    message.subject, message.text_body, message.html_body = "", "", ""
    message.attachments = []
    message.render = {"renderer": render, "args": args}
    return message


def queue_many(messages: list[OutboxMessage]) -> int:
    """Add ``messages`` (each with a dedupe key) in one statement; how many were not queued yet.

    For the worker's long passes (reminders): no savepoint and no flush per message,
    so each batch holds SQLite's write lock for a few milliseconds.
    """
    return len(insert_unless_taken(db.session(), OutboxMessage, [new_row(m) for m in messages],
                                   ["dedupe_key"]))


def render_pending(message: OutboxMessage) -> bool:
    """Write a queue_later() message's content into ``message``; False if it is no longer needed.

    The caller decides whether to keep the result (the worker stores it
    before sending; the Emails page shows it on a detached copy).
    """
    if message.render is None:
        return True
    rendered = current_app.extensions[_EXTENSION][message.render["renderer"]](**message.render["args"])
    if rendered is None:
        return False
    _fill(message, rendered)
    message.render = None
    return True


def _new_message_id() -> str:
    """A new Message-ID on the site's own domain, random only.

    Not email.utils.make_msgid(): its left part tells the sending time and process id.
    """
    return f"<{secrets.token_hex(16)}@{public_domain()}>"


def _message(name: str, to: str, event: Event | None, dedupe_key: str | None) -> OutboxMessage:
    return OutboxMessage(kind=name, recipient=one_line(to), dedupe_key=dedupe_key,
                         event_id=event.id if event is not None else None,
                         message_id=_new_message_id())


def _fill(message: OutboxMessage, rendered: Rendered) -> None:
    message.subject = rendered.subject
    message.text_body = rendered.text_body
    message.html_body = rendered.html_body
    message.attachments = rendered.attachments


def queue_message(message: OutboxMessage) -> OutboxMessage | None:
    """Write ``message`` now; None when its dedupe key is already queued.

    One INSERT … ON CONFLICT DO NOTHING on the dedupe key (a message without one
    never conflicts): no savepoint, and nothing left for the caller's flush.
    """
    return message if insert_new(db.session(), message, ["dedupe_key"]) else None
