"""What the app publishes for the live lists' viewers (rsvp/livepush.py), to a publisher of the
test's own on 127.0.0.1: the list's new version once its transaction commits — not when a
savepoint inside it is released (a viewer fetching then would read the list as it was), nothing
when it rolls back, nothing without the setting; and a publisher that is away costs a warning."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rsvp import livepush
from rsvp.extensions import db
from rsvp.speakers import lists, live
from rsvp.speakers.models import SpeakersList
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.mail.conftest import free_port


class Publisher(ThreadingHTTPServer):
    """Takes every POST, as nchan's publisher location does; keeps (path, body)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                outer.messages.append((self.path, body))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def publisher(app) -> Iterator[Publisher]:
    server = Publisher()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_PUBLISH_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server
    finally:
        app.config["LIVE_PUBLISH_URL"] = ""
        server.shutdown()
        server.server_close()


def channel_path(speakers_list: SpeakersList) -> str:
    return livepush.PUBLISH_PATH + livepush.channel(lists.LIVE_CHANNEL, speakers_list.id)


def test_the_version_is_published_once_the_change_commits(db_session, publisher):
    event = make_event()
    speakers_list = make_speakers_list(event, floor_starts_at=event.starts_at)
    speaker = make_speaker(event)
    db.session.commit()
    publisher.messages.clear()

    live.start(speaker)  # inside: a savepoint, released before the view commits
    db.session.flush()
    assert publisher.messages == []
    db.session.commit()
    db.session.refresh(speakers_list)
    assert publisher.messages == [(channel_path(speakers_list), str(speakers_list.version))]
    # The page names the same channel, where viewers subscribe.
    assert livepush.subscribe_url(lists.LIVE_CHANNEL, speakers_list.id) == (
        livepush.SUBSCRIBE_PATH + channel_path(speakers_list).removeprefix(livepush.PUBLISH_PATH))

    lists.changed(event.id)
    db.session.rollback()
    db.session.commit()
    assert len(publisher.messages) == 1  # the change rolled back: nothing announced


def test_nothing_is_published_without_the_setting(db_session, publisher, app):
    app.config["LIVE_PUBLISH_URL"] = ""
    event = make_event()
    speakers_list = make_speakers_list(event, floor_starts_at=event.starts_at)
    db.session.commit()
    lists.changed(event.id)
    db.session.commit()
    assert publisher.messages == []
    assert livepush.subscribe_url(lists.LIVE_CHANNEL, speakers_list.id) is None


def test_a_publisher_away_is_a_warning_and_the_change_is_saved(db_session, app, caplog):
    app.config["LIVE_PUBLISH_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    try:
        event = make_event()
        speakers_list = make_speakers_list(event, floor_starts_at=event.starts_at)
        db.session.commit()
        before = speakers_list.version
        with caplog.at_level(logging.WARNING, logger="rsvp.livepush"):
            lists.changed(event.id)
            db.session.commit()
        db.session.refresh(speakers_list)
        assert speakers_list.version == before + 1
        assert "viewers fall back to polling" in caplog.text
        assert not livepush.publish("ftp://127.0.0.1/", "0" * 24, "1")  # not a publisher's address
    finally:
        app.config["LIVE_PUBLISH_URL"] = ""
