"""queue_email(): render an email from its template folder into the outbox, in the caller's transaction.

A rolled-back transaction sends nothing; a committed one is never lost. The
worker (worker.py) does the sending.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.web import public_domain


def one_line(text: str) -> str:
    """Collapse every run of whitespace, newlines included: nothing can start a second header."""
    return " ".join(text.split())


def queue_email(name: str, *, to: str, lang: str = "en", event: Event | None = None,
                dedupe_key: str | None = None, attachments: list[dict[str, str]] | None = None,
                **context: Any) -> OutboxMessage | None:
    """Render templates/mail/<name>/ in ``lang`` and add the message to the outbox.

    Returns None when a message with ``dedupe_key`` already exists (it is
    never queued twice).
    """
    context.setdefault("event", event)
    context.setdefault("lang", lang)
    with force_locale(lang):
        subject = one_line(render_template(f"mail/{name}/subject.txt", **context))
        text_body = render_template(f"mail/{name}/body.txt", **context)
        html_body = render_template(f"mail/{name}/body.html", **context)
    message = OutboxMessage(
        kind=name, recipient=one_line(to), subject=subject[:300], text_body=text_body,
        html_body=html_body, attachments=attachments or [], dedupe_key=dedupe_key,
        event_id=event.id if event is not None else None,
        message_id=make_msgid(domain=public_domain()),
    )
    if dedupe_key is None:
        db.session.add(message)
        return message
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message
