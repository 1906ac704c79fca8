"""Load and failure, bounded and on loopback only: a registration burst for the last seats,
and PostgreSQL restarted in the middle of one."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.mail.worker import send_pending
from tests.conftest import POSTGRES_URL
from tests.factories import make_event
from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server)

FORM = {"name": "Delegate", "organisation_type": "state", "attendance_mode": "online",
        "consent": "y"}


def burst(base: str, path: str, emails: list[str], clients: int) -> list[int]:
    """POST one registration per address from ``clients`` threads; 0 for a dropped connection."""
    host = urlsplit(base)

    def post(email: str) -> int:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            connection.request("POST", path, urlencode({**FORM, "email": email}),
                               {"Content-Type": "application/x-www-form-urlencoded"})
            return connection.getresponse().status
        except OSError:
            return 0
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(post, emails))


def counts(sql: str) -> dict[str, int]:
    return dict(db.session.execute(sa.text(sql)).all())


@pytest.fixture
def open_server(app, live_server):
    app.config["WTF_CSRF_ENABLED"] = False  # a load generator has no browser session
    yield live_server
    app.config["WTF_CSRF_ENABLED"] = True


def test_1000_registrations_for_100_seats_from_50_clients(app, open_server, smtp):  # noqa: F811
    event = make_event(capacity_online=100)
    emails = [f"burst{n}@example.org" for n in range(1000)]
    statuses = burst(open_server, f"/events/{event.slug}/register", emails, clients=50)
    assert Counter(statuses) == {303: 1000}  # no 5xx, nobody turned away
    db.session.remove()
    assert counts("SELECT status, count(*) FROM registrations GROUP BY status") == {
        "confirmed": 100, "waitlisted": 900}
    send_pending()
    received = Counter(message["To"] for message in smtp.inbox.messages)
    assert set(received) == set(emails) and set(received.values()) == {1}  # each once


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only: set RSVP_TEST_DATABASE_URL")
@pytest.mark.skipif(shutil.which("pg_ctlcluster") is None or os.geteuid() != 0,
                    reason="needs Debian's pg_ctlcluster as root (CI runs as root)")
def test_postgresql_restarted_during_a_burst(app, open_server):
    slug = make_event(capacity_online=50).slug
    db.session.remove()  # hold no connection across the restart
    cluster = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True,
                             check=True).stdout.split()[:2]
    emails = [f"restart{n}@example.org" for n in range(300)]
    restart = threading.Timer(0.5, subprocess.run, args=(["pg_ctlcluster", *cluster, "restart"],),
                              kwargs={"check": True})
    restart.start()
    try:
        statuses = burst(open_server, f"/events/{slug}/register", emails, clients=20)
    finally:
        restart.join()
        db.engine.dispose()  # connections from before the restart are dead
    answers = Counter(statuses)
    assert set(answers) <= {303, 503}, answers  # saved, or a clear "try again": never a 500
    assert answers[303] > 0 and answers[503] > 0  # the restart did land mid-burst
    saved = counts("SELECT status, count(*) FROM registrations GROUP BY status")
    assert sum(saved.values()) == answers[303]  # every "try again" saved nothing
    assert saved.get("confirmed", 0) == min(50, answers[303])
    whole = db.session.execute(sa.text(
        "SELECT count(*) FROM registrations r WHERE EXISTS (SELECT 1 FROM registration_changes c"
        " WHERE c.registration_id = r.id) AND EXISTS (SELECT 1 FROM outbox_messages o"
        " WHERE o.recipient_hash = r.email_hash)")).scalar()
    assert whole == answers[303]  # none half-saved: each with its history and its email
