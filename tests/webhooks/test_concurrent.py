"""Two workers delivering at once (two threads, each its own database session): each change is told
once, on SQLite and PostgreSQL alike (rsvp.webhooks.delivery.claim)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.webhooks import services
from rsvp.webhooks.delivery import deliver_webhooks
from rsvp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookType
from tests.factories import make_event, make_speaker
from tests.mail.conftest import free_port
from tests.webhooks.receiver import Receiver

CHANGES = 30


def test_two_workers_tell_each_change_once(app, live_db):
    receiver = Receiver(free_port())
    receiver.start()
    try:
        event = make_event()
        services.add_endpoint(event, receiver.url, [WebhookType.SPEAKER_INSCRIBED], False, "x")
        db.session.commit()
        for n in range(CHANGES):
            make_speaker(event, name=f"Speaker {n}", delegation=f"Delegation {n}")
        db.session.remove()
        app.config["WEBHOOK_BATCH_SIZE"] = 4  # many small claims, so the two workers interleave
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker() -> None:
            with app.app_context():
                try:
                    start.wait()
                    deliver_webhooks()
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        ids = [headers["webhook-id"] for headers, _body in receiver.received]
        assert len(ids) == CHANGES and len(set(ids)) == CHANGES
        statuses = db.session.scalars(sa.select(WebhookDelivery.status)).all()
        assert statuses == [DeliveryStatus.DELIVERED] * CHANGES
    finally:
        app.config["WEBHOOK_BATCH_SIZE"] = 50
        receiver.stop()
