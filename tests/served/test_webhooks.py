"""Webhooks on the real servers: someone registers through the site while the organisation's
receiver is down; the worker process tries, fails, waits, and once the receiver is up delivers
each change once with a valid signature; the organiser's page shows the failed attempts and the
retry that worked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.webhooks import services, signing
from rsvp.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookType
from tests.factories import grant_role, make_event, make_organiser
from tests.mail.conftest import free_port
from tests.served.conftest import RSVP, Served, launch, serving, setting_up
from tests.served.test_sessions import log_in
from tests.webhooks.receiver import Receiver


@pytest.fixture(scope="module", params=["dev", "serve"])
def served_app(request: pytest.FixtureRequest, app: Flask,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The servers, their worker allowed to call this machine's receiver and retrying after 1 s."""
    if not Path(RSVP).exists():
        pytest.skip(f"{RSVP} not found: install the project (make install)")
    with serving(launch(app, tmp_path_factory.mktemp(f"webhooks-{request.param}"), request.param,
                        RSVP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES="true",
                        RSVP_WEBHOOK_RETRY_BASE_SECONDS="1", RSVP_WEBHOOK_RETRY_MAX_SECONDS="2"),
                 request) as served:
        yield served


def _wait_for(what: str, found, timeout: float = 60):  # noqa: ANN001, ANN202 - a test helper
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()  # see what the servers committed
        value = found()
        if value or time.monotonic() > deadline:
            assert value, f"waited in vain for {what}"
            return value
        time.sleep(0.2)


def test_a_receiver_down_for_a_while_gets_each_change_once(served):
    receiver = Receiver(free_port())
    with setting_up():
        event = make_event(title="Told event")
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        endpoint = services.add_endpoint(event, receiver.url, list(WebhookType), True, organiser.email)
        slug, event_id, secret = event.slug, event.public_id, endpoint.secret
    person = served.visitor(language="en")
    page = person.get(f"/events/{slug}/register")
    answer = person.submit(page, f"/events/{slug}/register", {
        "name": "Told Person", "email": "told@example.org", "organisation_type": "ngo",
        "attendance_mode": "online", "consent": "y"})
    assert answer.status_code == 303, answer.text[:2000]

    # Down: the worker tries, gets no answer, and tries again later.
    _wait_for("two failed attempts", lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(WebhookAttempt)) >= 2)
    receiver.start()
    try:
        _wait_for("the delivery", lambda: receiver.received)
        # Marked delivered: the worker's later passes never tell it again.
        _wait_for("the delivery marked delivered", lambda: db.session.scalars(
            sa.select(WebhookDelivery.status)).all() == [DeliveryStatus.DELIVERED])
    finally:
        receiver.stop()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert signing.verify(secret, headers, body)
    told = receiver.events()[0]
    assert told["type"] == "registration.created"
    assert told["data"]["registration"]["person"]["name"] == "Told Person"

    organiser_browser = served.visitor(language="en")
    log_in(organiser_browser, organiser.email)
    log = organiser_browser.get(f"/manage/events/{event_id}/webhooks").text
    assert "Delivered" in log and "no answer" in log and "answered 204" in log
