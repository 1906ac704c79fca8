"""Registration emails the worker writes just before sending (outbox.queue_later)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.mail import outbox, worker
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations import selfservice, services
from tests.factories import make_event, make_registration
from tests.mail.test_delivery import parts, register


def test_the_worker_writes_the_email_and_keeps_what_it_sent(db_session, smtp):
    event = make_event(title="Bachelet's legacy", join_url="https://meet.example.org/private-room")
    register(event)
    queued = db.session.scalars(sa.select(OutboxMessage)).one()
    assert queued.render is not None and queued.text_body == ""  # the request rendered nothing

    assert worker.send_pending().sent == 1
    (message,) = smtp.inbox.to("mary@example.org")
    text, _html = parts(message)
    assert "Dear Mary Lawlor" in text and "https://meet.example.org/private-room" in text
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, queued.id)
    assert stored.render is None and stored.status is OutboxStatus.SENT
    assert stored.subject == message["Subject"] == "Registration confirmed: Bachelet's legacy"
    assert stored.text_body.replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_a_confirmation_written_after_a_cancellation_has_no_join_link(db_session, smtp):
    event = make_event(join_url="https://meet.example.org/private-room")
    registration = register(event)
    services.cancel(registration)  # before the worker got to the confirmation
    db.session.commit()

    assert worker.send_pending().sent == 2
    confirmed, cancelled = smtp.inbox.to("mary@example.org")
    assert confirmed["Subject"].startswith("Registration confirmed")
    assert cancelled["Subject"].startswith("Registration cancelled")
    for message in (confirmed, cancelled):
        assert "private-room" not in message.as_string()


def test_a_message_with_nothing_left_to_say_or_a_broken_template_fails_alone(app, db_session, smtp,
                                                                               monkeypatch):
    event = make_event()
    register(event)

    def broken() -> outbox.Rendered:
        raise KeyError("a template bug")

    renderers = app.extensions["rsvp.email_renderers"]
    monkeypatch.setitem(renderers, "test-broken", broken)

    outbox.queue_later("registration-confirmed", to="gone@example.org", render="registration",
                       args={"name": "registration-confirmed", "registration_id": 0,
                             "status": "confirmed"})
    outbox.queue_later("registration-confirmed", to="bug@example.org", render="test-broken",
                       args={})
    db.session.commit()

    result = worker.send_pending()
    assert (result.sent, result.failed) == (1, 2)
    assert [m["To"] for m in smtp.inbox.messages] == ["mary@example.org"]
    reasons = dict(db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.last_error)
                                      .where(OutboxMessage.status == OutboxStatus.FAILED)).all())
    assert reasons == {"gone@example.org": "skipped: nothing to send any more",
                       "bug@example.org": "could not be written: KeyError"}


def test_the_links_someone_asks_for_are_written_and_sent_by_the_worker(client, db_session, smtp):
    events = [make_event(title="The Bachelet legacy"), make_event(title="Rights at risk in Hong Kong")]
    for event in events:
        make_registration(event, email="ana@example.org", name="Ana")
    selfservice.request_links("ana@example.org")
    db.session.commit()

    assert worker.send_pending().sent == 1
    (message,) = smtp.inbox.to("ana@example.org")
    assert message["Subject"] == "Your registration links"
    text, html = parts(message)
    links = re.findall(r"http://localhost(/r/[\w.\-]+)", text)
    assert len(links) == 2 and all(link in html for link in links)
    pages = [client.get(link).get_data(as_text=True) for link in links]
    assert all(any(event.title in page for page in pages) for event in events)


def test_a_batch_of_emails_reads_its_registrations_in_one_query(db_session, smtp):
    """Fifty confirmations are written with one read of their people, not fifty; each still says
    its own person's name (the read ahead is what each message's renderer finds)."""
    event = make_event()
    people = [make_registration(event, name=f"Person {n:02d}", email=f"p{n}@example.org")
              for n in range(50)]
    for registration in people:
        services.announce(registration)
    db.session.commit()
    db.session.expunge_all()  # as in the worker: nobody loaded yet

    reads: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        if re.search(r"\bFROM registrations\b", statement):
            reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert worker.send_pending(batch_size=50).sent == 50
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(reads) == 1, reads
    for n in range(50):
        (message,) = smtp.inbox.to(f"p{n}@example.org")
        assert f"Person {n:02d}" in parts(message)[0]
