"""A real SMTP server (aiosmtpd) in the test process, with switchable failures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    #: When set, every DATA command is answered with this reply ("451 ...", "550 ...").
    reply: str | None = None
    #: Seconds every DATA command waits before its answer: a slow server.
    delay: float = 0.0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply:
            return self.reply
        self.messages.append(message_from_bytes(envelope.original_content or b"",
                                                policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app) -> Iterator[SmtpServer]:
    """A running SMTP server the app sends to; ``stop()``/``start()`` simulate an outage."""
    server = SmtpServer()
    server.start()
    state = app.extensions["mail"]
    saved = (state.server, state.port, state.suppress)
    state.server, state.port, state.suppress = "127.0.0.1", server.port, False
    try:
        yield server
    finally:
        server.stop()
        state.server, state.port, state.suppress = saved
