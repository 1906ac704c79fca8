"""Push instead of poll: after a commit that changed what a live screen shows, one short POST to
nginx's nchan publisher, which tells every viewer holding that screen's EventSource open.

Thousands of viewers polling a list every second cost the server thousands of requests a second
even when nothing changes (bench/RESULTS.md). With LIVE_PUBLISH_URL set (RSVP_LIVE_PUBLISH_URL:
the publisher nginx listens on for this machine only, deploy/nginx/rsvp.conf), a change is
announced on the screen's channel; viewers then fetch the JSON they polled, which nginx's
one-second copy answers for all of them at once. Unset (``make run``, no nginx): nothing is
pushed and the pages poll every second as before.

The message says only that the screen changed and its version: nothing personal, nothing in a
language. Channels are keyed digests of the screen's row id, so the public channel names reveal
neither ids nor how many screens exist. Publishing happens after the commit (never for a change
rolled back), and a publisher that is down or wrong is logged, never raised: the change is
saved, and viewers still poll slowly as a safety net.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import socket
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

#: Where viewers subscribe (nginx's nchan subscriber location), and the path the publisher takes
#: after LIVE_PUBLISH_URL's address: both followed by the channel.
SUBSCRIBE_PATH = "/push/"
PUBLISH_PATH = "/push/"
#: Seconds a publish may take before it is given up (it is localhost: milliseconds).
TIMEOUT = 1.0
#: session.info key: channel -> message, published when the session commits.
_PENDING = "rsvp.livepush"


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("LIVE_PUBLISH_URL"))


def channel(kind: str, row_id: int) -> str:
    """The public name of a screen's channel: a digest of ``kind`` and ``row_id`` under the secret key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"livepush:{kind}:{row_id}".encode(), hashlib.blake2b).hexdigest()[:24]


def subscribe_url(kind: str, row_id: int) -> str | None:
    """The EventSource address of the screen's channel, relative to the site; None when pushing is off."""
    return SUBSCRIBE_PATH + channel(kind, row_id) if enabled() else None


def after_commit(session: Session, kind: str, row_id: int, message: str) -> None:
    """Announce ``message`` on the screen's channel once ``session`` commits (nothing if it rolls back)."""
    if enabled():
        session.info.setdefault(_PENDING, {})[channel(kind, row_id)] = message


@event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    # A savepoint released (begin_nested) is no commit yet: a viewer fetching now would read the
    # list as it was.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending and enabled():
        url = current_app.config["LIVE_PUBLISH_URL"]
        for name, message in pending.items():
            publish(url, name, message)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """The whole transaction over without a commit (rolled back, or closed): nothing to announce.
    A savepoint rolled back keeps what its transaction still commits."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (LIVE_PUBLISH_URL=unix:/run/…/push.sock)."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the publisher at ``url`` (http://host:port[/prefix] or unix:/path), and
    the path prefix it takes."""
    if url.startswith("unix:"):
        return _UnixConnection(url[len("unix:"):], TIMEOUT), ""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"LIVE_PUBLISH_URL must be http://host:port or unix:/path, not {url!r}")
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT)
    return connection, parts.path.rstrip("/")


def publish(url: str, name: str, message: str) -> bool:
    """POST ``message`` to channel ``name`` at the publisher ``url``; False (and a warning logged)
    if it did not take it. Never raises: the change it announces is already saved."""
    try:
        connection, prefix = _connection(url)
        try:
            connection.request("POST", f"{prefix}{PUBLISH_PATH}{name}", body=message.encode(),
                               headers={"Content-Type": "text/plain"})
            status = connection.getresponse().status
        finally:
            connection.close()
    except (OSError, ValueError, http.client.HTTPException) as error:
        log.warning("live push: publisher %s unreachable (%s); viewers fall back to polling", url, error)
        return False
    if status not in (200, 201, 202):
        log.warning("live push: publisher %s answered %s; viewers fall back to polling", url, status)
        return False
    return True
