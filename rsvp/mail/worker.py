"""The email worker: sends the outbox rows it claimed (rsvp.mail.claims) over one SMTP
connection, records what left, retries what did not.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import cast

import flask_mail
import sqlalchemy as sa
from flask import current_app

from rsvp.db import erasing_personal_data, writing
from rsvp.extensions import db
from rsvp.mail import claims, outbox
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.timeutil import now_utc

log = logging.getLogger(__name__)

#: Asked between claims and between messages: has the worker been told to stop (SIGTERM)?
StopRequested = Callable[[], bool]
# Bodies and attachments are encoded with CRLF line ends and, when base64 or
# quoted-printable, lines of 76 characters as RFC 2045 requires: mail filters
# score longer ones as spam (SpamAssassin's BASE64_LENGTH_79_INF).
_BODIES = policy.SMTP
# The message is written out with headers not folded below RFC 5322's hard limit,
# because the standard library folds a long Subject right after "Subject:", which
# mail clients then show with a leading space. (The encoders take their line
# length from the same setting, hence two policies.)
_HEADERS = policy.SMTP.clone(max_line_length=998)


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: PassResult) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


class _Connection(flask_mail.Connection):
    """Flask-Mail's connection with a timeout, so a silent server cannot hang the worker."""

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
        host: smtplib.SMTP | smtplib.SMTP_SSL
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _forget_what_asked(ids: list[int]) -> None:
    """Messages done with (sent, or given up) whose address and words go once done: they go."""
    forgotten: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.forget_after_sending.is_(True),
               OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)))
        .values(recipient="", recipient_hash="", subject="", text_body="", html_body="",
                attachments=[])
        .execution_options(synchronize_session=False))
    if forgotten.rowcount:
        erasing_personal_data(db.session())  # on SQLite the commit then empties the WAL of them


def _finish(message: OutboxMessage, **values: object) -> None:
    """Record an outcome, only if the claim is still ours (not reclaimed after our lease)."""
    # End any read transaction first: on SQLite a write that upgrades a stale read
    # transaction fails at once instead of waiting for the lock.
    db.session.commit()
    with writing():
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claim == message.claim)
            .values(claim=None, lease_expires_at=None, **values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _retry(message: OutboxMessage, reason: str, now: datetime, result: PassResult) -> None:
    config = current_app.config
    attempts = message.attempts + 1
    if attempts >= config["MAIL_MAX_ATTEMPTS"]:
        _fail(message, f"gave up after {attempts} attempts: {reason}", result, attempts)
        return
    delay = min(config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1),
                config["MAIL_RETRY_MAX_SECONDS"])
    _finish(message, status=OutboxStatus.RETRY, attempts=attempts, last_error=reason[:1000],
            next_attempt_at=now + timedelta(seconds=delay))
    result.retried += 1


def _fail(message: OutboxMessage, reason: str, result: PassResult,
          attempts: int | None = None) -> None:
    _finish(message, status=OutboxStatus.FAILED, last_error=reason[:1000],
            attempts=attempts if attempts is not None else message.attempts + 1)
    if message.forget_after_sending:
        with writing():
            _forget_what_asked([message.id])
            db.session.commit()
    result.failed += 1


def build_message(message: OutboxMessage) -> EmailMessage:
    """The MIME message: text and HTML alternatives, then attachments.

    Built with the standard library's modern email API (policy.SMTP), which
    encodes and folds headers correctly and refuses a newline in a header.
    """
    email = EmailMessage(policy=_BODIES)
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, rest = attachment["content_type"].partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        # Every parameter kept, charset too: text attachments are UTF-8 bytes, and without it
        # a reader decodes an accented calendar title as ASCII.
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        data = attachment["data"]
        content = (base64.b64decode(data) if attachment.get("encoding") == "base64"
                   else data.encode("utf-8"))
        email.add_attachment(content, maintype=maintype, subtype=subtype,
                             filename=attachment["filename"], params=extra)
    email.policy = _HEADERS  # every part is encoded: what remains is writing it out
    return email


def _reply_code(error: smtplib.SMTPException) -> int | None:
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, _text = next(iter(error.recipients.values()))
        return code
    return None


#: Messages the server accepted, recorded as sent this many at a time.
SENT_MARKS = 10


class _SentLog:
    """Messages the server accepted, recorded in one UPDATE per SENT_MARKS.

    Recording each message in its own transaction cost more than sending it;
    a worker killed before the record re-sends at most those not recorded yet
    (once its lease has run out). Short, so each holds the write lock briefly.
    """

    def __init__(self) -> None:
        self.messages: list[OutboxMessage] = []

    def add(self, message: OutboxMessage) -> None:
        self.messages.append(message)

    def flush(self) -> None:
        if not self.messages:
            return
        db.session.commit()  # see _finish
        with writing():
            for claim_token in {m.claim for m in self.messages}:
                ids = [m.id for m in self.messages if m.claim == claim_token]
                db.session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids), OutboxMessage.claim == claim_token)
                    .values(status=OutboxStatus.SENT, sent_at=now_utc(), claim=None,
                            lease_expires_at=None, last_error=None,
                            attempts=OutboxMessage.attempts + 1)
                    .execution_options(synchronize_session=False))
                if forget := [m.id for m in self.messages
                              if m.claim == claim_token and m.forget_after_sending]:
                    _forget_what_asked(forget)
            db.session.commit()
        self.messages.clear()


def write_pending(messages: list[OutboxMessage], result: PassResult) -> list[OutboxMessage]:
    """Render the claimed messages queued to be written later, and store what they say.

    Stored before sending, so a retry sends the same words and the Emails page
    shows what left. Returns the messages still to send: one whose renderer
    finds nothing to say (its registration erased) is failed, not sent.
    """
    ready: list[OutboxMessage] = []
    written: list[dict[str, object]] = []
    read = outbox.read_ahead(messages)  # held while they are written
    for message in messages:
        if message.render is None:
            ready.append(message)
            continue
        try:
            still_needed = outbox.render_pending(message)
        except Exception as error:  # a broken template must not stop every other email
            log.exception("could not write outbox message %s", message.id)
            _fail(message, f"could not be written: {type(error).__name__}", result)
            continue
        if not still_needed:
            _fail(message, "skipped: nothing to send any more", result, attempts=message.attempts)
            continue
        ready.append(message)
        written.append({"mid": message.id, "mclaim": message.claim, "subject": message.subject,
                        "text_body": message.text_body, "html_body": message.html_body,
                        "attachments": message.attachments})
    read.clear()
    if written:
        db.session.commit()  # see _finish
        table = cast(sa.Table, OutboxMessage.__table__)  # Core: one statement, many rows
        with writing():
            db.session.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("mid"), table.c.claim == sa.bindparam("mclaim"))
                .values(render=sa.null()), written)
            db.session.commit()
    return ready


def _not_skipped(messages: list[OutboxMessage], skip: Callable[[OutboxMessage], str | None] | None,
                 result: PassResult) -> list[OutboxMessage]:
    """The messages still to send; those ``skip`` gives a reason for are failed with it, unwritten."""
    kept = []
    for message in messages:
        if reason := skip(message) if skip else None:
            _fail(message, reason, result, attempts=message.attempts)
        else:
            kept.append(message)
    return kept


@contextmanager
def _kept_loaded() -> Iterator[None]:
    """Every row loaded meanwhile stays in the session's identity map until the end.

    The session holds what it loaded weakly, so the event of fifty reminders
    was read again for each of them (to write it, to check it has not started),
    as many queries as messages; kept, it is read once a batch.
    """
    kept: list[object] = []

    def keep(_session: sa.orm.Session, instance: object) -> None:
        kept.append(instance)

    session = db.session()
    sa.event.listen(session, "loaded_as_persistent", keep)
    try:
        yield
    finally:
        sa.event.remove(session, "loaded_as_persistent", keep)
        kept.clear()


def _not_asked() -> bool:
    return False


def send_batch(messages: list[OutboxMessage], now: datetime,
               skip: Callable[[OutboxMessage], str | None] | None = None,
               stop: StopRequested = _not_asked) -> PassResult:
    """Send claimed messages over one connection; classify every failure. Asked to ``stop``,
    it records what it sent and gives back the rest (claims.give_back)."""
    result = PassResult()
    with _kept_loaded():
        pending = write_pending(_not_skipped(messages, skip, result), result)
    db.session.commit()  # nothing stays open while the server answers
    pending, stop_at = claims.renewed(pending, now)
    sent = _SentLog()
    try:
        with _Connection(current_app.extensions["mail"]) as connection:
            while pending and time.monotonic() < stop_at and not stop():
                message = pending[0]
                try:
                    if connection.host is not None:  # None when MAIL_SUPPRESS_SEND is on
                        connection.host.send_message(build_message(message))
                except smtplib.SMTPServerDisconnected:
                    raise
                except smtplib.SMTPException as error:
                    code = _reply_code(error)
                    text = f"SMTP {code}: {error}" if code else f"SMTP error: {error}"
                    if code is not None and 500 <= code < 600:
                        _fail(message, text, result)
                    else:
                        _retry(message, text, now, result)
                else:
                    sent.add(message)
                    result.sent += 1
                    if len(sent.messages) >= SENT_MARKS:
                        sent.flush()
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        # Connection refused, timed out or dropped: nothing more goes through this pass.
        reason = f"connection: {type(error).__name__}: {error}"
        for message in pending:
            _retry(message, reason, now, result)
        pending = []
    finally:
        sent.flush()
    if pending and stop():
        claims.give_back(pending)
    return result


def send_pending(now: datetime | None = None, batch_size: int | None = None,
                 skip: Callable[[OutboxMessage], str | None] | None = None,
                 stop: StopRequested = _not_asked) -> PassResult:
    """One pass: claim and send batches until nothing is due (``rsvp send-pending``), or until
    asked to ``stop``: then no more is claimed, and the batch in hand goes back unsent."""
    now = now or now_utc()
    batch_size = batch_size or current_app.config["MAIL_BATCH_SIZE"]
    total = PassResult()
    while not stop():
        messages = claims.claim(batch_size, now)
        if not messages:
            return total
        result = send_batch(messages, now, skip, stop)
        total.add(result)
        if result.retried and not result.sent:
            return total  # the server is down: wait for the next pass
    return total


def run_worker(poll_seconds: float, tick: Callable[[datetime, StopRequested], PassResult],
               should_stop: StopRequested) -> None:
    """Loop until ``should_stop()``: each pass runs ``tick`` (queue reminders, send what is due),
    which asks ``should_stop`` too, between its batches: a pass of 100,000 reminders lasts
    minutes, and a worker told to stop (a deploy, a shutdown) stops within a batch."""
    while not should_stop():
        now = now_utc()
        try:
            result = tick(now, should_stop)
            if result.sent or result.retried or result.failed:
                log.info("mail pass: sent=%d retried=%d failed=%d",
                         result.sent, result.retried, result.failed)
        except sa.exc.OperationalError:
            db.session.rollback()
            log.exception("database unavailable; retrying")
        finally:
            db.session.remove()
        deadline = time.monotonic() + poll_seconds
        while time.monotonic() < deadline and not should_stop():
            time.sleep(0.2)
