"""Outbox throughput: the worker sending N queued messages vs raw smtplib over one connection.

Both send the same rendered messages (text, HTML, calendar attachment) to the
same local aiosmtpd server in the same run. The baseline is what a script
would do without an outbox: read the rows, build each message with the
standard library's email API, send over one smtplib connection. The ratio is
what the outbox's claims, leases and status records cost on top.
Usage: python bench/outbox.py [N]
"""

from __future__ import annotations

import os
import smtplib
import socket
import sys
import tempfile
import time
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from rsvp import create_app  # noqa: E402
from rsvp.events.models import AttendanceMode, Event, EventFormat, EventStatus  # noqa: E402
from rsvp.extensions import db  # noqa: E402
from rsvp.mail import worker  # noqa: E402
from rsvp.mail.models import OutboxMessage  # noqa: E402
from rsvp.mail.outbox import queue_email  # noqa: E402
from rsvp.registrations import services  # noqa: E402
from rsvp.registrations.models import OrganisationType  # noqa: E402
from rsvp.timeutil import now_utc  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_message(row: OutboxMessage) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = "RSVP <no-reply@localhost>"
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    for attachment in row.attachments:
        message.add_attachment(attachment["data"].encode(), maintype="text", subtype="calendar",
                               filename=attachment["filename"])
    return message


def main(n: int) -> None:
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    folder = tempfile.mkdtemp()
    url = os.environ.get("RSVP_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.db")
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False,
                      "MAIL_BATCH_SIZE": 200})
    with app.app_context():
        if url.startswith("postgresql"):  # a fresh schema each run
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        ics = {"filename": "invite.ics", "content_type": "text/calendar; method=PUBLISH",
               "data": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"}
        for i in range(n):
            queue_email("registration-cancelled", to=f"person{i}@example.org", event=None,
                        attachments=[ics],
                        registration={"name": f"Person {i}"}, when_event="Tuesday, 13:00 CET",
                        when_extra=[], when_yours=None, where="Online", languages="English",
                        manage_url="", join_url=None, event_url="http://127.0.0.1/e")
        db.session.commit()
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for row in db.session.scalars(db.select(OutboxMessage)):
                smtp.send_message(raw_message(row))
        baseline = time.perf_counter() - start

        start = time.perf_counter()
        result = worker.send_pending()
        outbox = time.perf_counter() - start
        assert result.sent == n and counter.count == 2 * n, (result, counter.count)

        written_n = max(n // 5, 1)
        queue_registrations(written_n)
        start = time.perf_counter()
        written = worker.send_pending()
        written_time = time.perf_counter() - start
    controller.stop()
    assert written.sent == written_n and counter.count == 2 * n + written_n, (written, counter.count)
    dialect = url.split(":", 1)[0]
    print(f"outbox send, {n} messages, {dialect}")
    print(f"  raw smtplib, one connection: {n / baseline:8.0f} msg/s")
    print(f"  outbox worker:               {n / outbox:8.0f} msg/s")
    print(f"  ratio (outbox / raw):        {baseline / outbox:8.2f}  (aim: >= 0.8)")
    print(f"RESULT|outbox send, {n} messages ({dialect})|{n / outbox:.0f} msg/s|"
          f"raw smtplib {n / baseline:.0f} msg/s|{baseline / outbox:.2f}|>= 0.8")
    # Registration emails are written by the worker (outbox.queue_later): the templates,
    # calendar file and links a request no longer renders are paid for here.
    print(f"  worker writing and sending {written_n} registration confirmations: "
          f"{written_n / written_time:8.0f} msg/s")
    print(f"RESULT|outbox write + send, {written_n} registration emails ({dialect})|"
          f"{written_n / written_time:.0f} msg/s|raw smtplib {n / baseline:.0f} msg/s (pre-written)|"
          f"{(written_n / written_time) / (n / baseline):.2f}|-")


def queue_registrations(n: int) -> None:
    """``n`` confirmed registrations for one event, each queueing its confirmation to be written."""
    start = now_utc() + timedelta(days=7)
    event = Event(slug="bench", title="Bench event", format=EventFormat.ONLINE,
                  status=EventStatus.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=2),
                  interpretation_languages=["fr"], join_url="https://meet.example.org/bench")
    db.session.add(event)
    db.session.flush()
    for i in range(n):
        services.register(event, services.RegistrationData(
            name=f"Person {i}", email=f"registrant{i}@example.org",
            organisation_type=OrganisationType.NGO, attendance_mode=AttendanceMode.ONLINE))
    db.session.commit()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
