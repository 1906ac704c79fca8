"""Emails through a real SMTP server: content, calendar files, retries, outages, crashes."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.mail import claims, worker
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.mail.outbox import queue_email
from rsvp.registrations import services
from rsvp.registrations.models import OrganisationType
from rsvp.timeutil import now_utc
from tests.factories import make_event


def register(event, email="mary@example.org", **fields):
    values = {"name": "Mary Lawlor", "email": email, "organisation_type": OrganisationType.UN,
              "attendance_mode": AttendanceMode.ONLINE, "timezone": "Asia/Hong_Kong"}
    values.update(fields)
    registration = services.register(event, services.RegistrationData(**values))
    db.session.commit()
    return registration


def parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def calendar_of(message) -> Calendar:
    (attachment,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_content())


def statuses() -> dict[str, int]:
    rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                              .group_by(OutboxMessage.status))
    return {status.value: count for status, count in rows}


def test_confirmation_email_has_everything_and_the_calendar_has_no_join_link(client, db_session, smtp):
    event = make_event(title="Assessing the National Security Law in Hong Kong",
                       join_url="https://meet.example.org/private-room",
                       display_timezones=["America/New_York"])
    register(event)
    assert smtp.inbox.messages == []  # registering never waits on SMTP
    result = worker.send_pending()
    assert result.sent == 1

    (message,) = smtp.inbox.to("mary@example.org")
    assert message.get_content_type() == "multipart/mixed"
    assert message["Subject"] == f"Registration confirmed: {event.title}"
    text, html = parts(message)
    for body in (text, html):
        assert "Dear Mary Lawlor" in body
        assert "https://meet.example.org/private-room" in body  # confirmed + online
        assert "(Asia/Hong Kong)" in body  # the registrant's own time
        assert "CET" in body or "CEST" in body
    manage = re.search(r"(http://localhost/r/[\w.\-]+)", text).group(1)
    page = client.get(manage.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Mary Lawlor" in page.get_data(as_text=True)

    (entry,) = calendar_of(message).walk("VEVENT")
    assert entry.decoded("dtstart") == event.starts_at
    assert "private-room" not in calendar_of(message).to_ical().decode()
    assert statuses() == {"sent": 1}


def test_waitlisted_and_in_person_attendees_never_get_the_join_link(db_session, smtp):
    full = make_event(capacity_online=0, join_url="https://meet.example.org/private-room")
    hybrid = make_event(format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations",
                        join_url="https://meet.example.org/private-room")
    register(full, "waiting@example.org")
    register(hybrid, "room@example.org", attendance_mode=AttendanceMode.IN_PERSON)
    worker.send_pending()
    (waiting,) = smtp.inbox.to("waiting@example.org")
    (room,) = smtp.inbox.to("room@example.org")
    assert waiting["Subject"].startswith("You are on the waiting list")
    assert "Room XXIV, Palais des Nations" in parts(room)[0]
    for message in (waiting, room):
        assert "private-room" not in message.as_string()


def test_rolled_back_registration_sends_nothing(db_session, smtp):
    event = make_event()
    services.register(event, services.RegistrationData(
        name="A", email="a@example.org", organisation_type=OrganisationType.NGO,
        attendance_mode=AttendanceMode.ONLINE))
    db.session.rollback()
    assert worker.send_pending().sent == 0
    assert smtp.inbox.messages == []


def test_temporary_failure_is_retried_with_backoff_then_delivered(db_session, smtp):
    event = make_event()
    register(event)
    smtp.inbox.reply = "451 4.3.0 Try again later"
    now = now_utc()
    result = worker.send_pending(now)
    assert (result.sent, result.retried) == (0, 1)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status is OutboxStatus.RETRY and message.attempts == 1
    assert message.next_attempt_at >= now + timedelta(seconds=30)
    assert "451" in message.last_error
    assert worker.send_pending(now + timedelta(seconds=5)).sent == 0  # not due yet

    smtp.inbox.reply = None
    assert worker.send_pending(now + timedelta(minutes=1)).sent == 1
    assert len(smtp.inbox.to("mary@example.org")) == 1


def test_permanent_failure_is_marked_failed_with_the_reason(db_session, smtp):
    register(make_event())
    smtp.inbox.reply = "550 5.1.1 Mailbox unavailable"
    result = worker.send_pending()
    assert result.failed == 1
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status is OutboxStatus.FAILED and "550" in message.last_error
    smtp.inbox.reply = None
    assert worker.send_pending(now_utc() + timedelta(days=1)).sent == 0  # never retried


def test_smtp_down_while_200_register_then_every_email_arrives_once(client, db_session, smtp):
    event = make_event(capacity_online=150)
    smtp.stop()
    for n in range(200):
        response = client.post(f"/events/{event.slug}/register", data={
            "name": f"Delegate {n}", "email": f"d{n}@example.org", "organisation_type": "state",
            "attendance_mode": "online", "consent": "y"})
        assert response.status_code == 303  # registration never waits on SMTP
    now = now_utc()
    result = worker.send_pending(now)
    # one batch found the server down; the pass stopped there and nothing was lost
    assert result.sent == 0 and result.retried == 50
    assert statuses() == {"retry": 50, "queued": 150}

    smtp.start()
    later = now + timedelta(hours=2)
    assert worker.send_pending(later).sent == 200
    assert worker.send_pending(later + timedelta(hours=1)).sent == 0
    recipients = [m["To"] for m in smtp.inbox.messages]
    assert sorted(recipients) == sorted(f"d{n}@example.org" for n in range(200))
    subjects = [m["Subject"] for m in smtp.inbox.messages]
    assert subjects.count(f"Registration confirmed: {event.title}") == 150
    assert subjects.count(f"You are on the waiting list: {event.title}") == 50


def test_crashed_workers_messages_are_reclaimed_after_the_lease(app, db_session, smtp):
    event = make_event()
    for n in range(5):
        register(event, f"p{n}@example.org")
    now = now_utc()
    crashed = claims.claim(limit=3, now=now)  # a worker claims, then dies without sending
    assert len(crashed) == 3
    assert worker.send_pending(now).sent == 2  # the others go at once
    lease = timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])
    assert worker.send_pending(now + lease - timedelta(seconds=1)).sent == 0
    assert worker.send_pending(now + lease + timedelta(seconds=1)).sent == 3
    assert sorted(m["To"] for m in smtp.inbox.messages) == [f"p{n}@example.org" for n in range(5)]


def test_a_newline_in_a_name_or_title_never_makes_a_second_header(db_session, smtp):
    event = make_event(title="Rights at risk\r\nBcc: spy@example.net")
    register(event, name="Eve\r\nBcc: spy@example.net")
    queue_email("registration-cancelled", to="x@example.org\r\nBcc: spy@example.net",
                event=event, registration=db.session.scalar(sa.select(services.Registration)),
                when_event="", when_extra=[], when_yours=None, where="", languages="",
                manage_url="", join_url=None, event_url="")
    db.session.commit()
    worker.send_pending()
    assert smtp.inbox.messages
    for message in smtp.inbox.messages:
        assert message["Bcc"] is None
        assert len(message.get_all("Subject")) == 1
        assert "\n" not in message["Subject"]


def test_two_workers_never_send_one_message_twice(app, live_db, smtp):
    event = make_event()
    for n in range(120):
        queue_email("registration-cancelled", to=f"w{n}@example.org", event=event,
                    registration={"name": f"W{n}"},
                    when_event="", when_extra=[], when_yours=None, where="", languages="",
                    manage_url="", join_url=None, event_url="")
    db.session.commit()

    def run_worker(_: int) -> int:
        with app.app_context():
            try:
                return worker.send_pending(batch_size=10).sent
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(pool.map(run_worker, range(2)))
    assert sum(sent) == 120
    recipients = [m["To"] for m in smtp.inbox.messages]
    assert len(recipients) == len(set(recipients)) == 120


def test_every_base64_part_keeps_to_76_characters_a_line_and_still_reads(db_session, smtp):
    """RFC 2045's limit: spam filters score longer lines (SpamAssassin's BASE64_LENGTH_79_INF)."""
    event = make_event(title="Défendre les défenseurs : " + "droits humains, " * 15 + "Genève",
                       format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations")
    register(event, attendance_mode=AttendanceMode.IN_PERSON)  # a calendar file and a QR code
    assert worker.send_pending().sent == 1

    (message,) = smtp.inbox.messages
    encoded = [part for part in message.walk()
               if part.get("Content-Transfer-Encoding", "").lower() == "base64"]
    assert {part.get_content_type() for part in encoded} >= {"text/calendar", "image/png"}
    for part in encoded:
        lines = part.get_payload().splitlines()
        assert max(len(line) for line in lines) <= 76, part.get_content_type()
    (entry,) = calendar_of(message).walk("VEVENT")
    assert str(entry["summary"]) == event.title


def test_message_ids_are_random_on_the_sites_own_domain(app, db_session, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://events.example.org:8443/rsvp")
    register(make_event())
    register(make_event(), email="ana@example.org")
    assert worker.send_pending().sent == 2

    ids = [message["Message-ID"] for message in smtp.inbox.messages]
    for message_id in ids:
        # Nothing of the machine that sent it: not its address, the time or a process id.
        assert re.fullmatch(r"<[0-9a-f]{32}@events\.example\.org>", message_id), message_id
    assert len(set(ids)) == 2


def test_a_claim_made_late_in_a_long_pass_is_not_free_for_another_worker(client, db_session, smtp):
    """A pass of 100,000 reminders outlasts a lease: a batch it claims an hour after it began
    must still be held for the lease's length from the moment of the claim, or a second worker
    takes the same messages at once and everyone gets them twice."""
    queue_email("registration-cancelled", to="mary@example.org", event=make_event(),
                registration={"name": "Mary"}, when_event="", when_extra=[], when_yours=None,
                where="", languages="", manage_url="", join_url=None, event_url="")
    began = now_utc() - timedelta(hours=1)  # when this worker's pass began
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=began - timedelta(minutes=1)))
    db.session.commit()  # due since before the pass, like a reminder queued ahead of it

    (claimed,) = claims.claim(10, began)
    assert claimed.lease_expires_at > now_utc() + timedelta(seconds=60)
    assert claims.claim(10, now_utc()) == []  # the other worker, now: nothing is free

    assert worker.send_batch([claimed], began).sent == 1
    assert [m["To"] for m in smtp.inbox.messages] == ["mary@example.org"]
