"""`rsvp mailcatcher`: a local SMTP server for development that keeps every message it receives.

Messages are stored as .eml files in the instance folder (instance/mailcatcher/),
and a line per message is printed, so a newcomer sees real emails without
configuring anything. Nothing is ever relayed.
"""

from __future__ import annotations

import itertools
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class StoreHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._numbers):05d}.eml"
        (self.folder / name).write_bytes(data)
        parsed = message_from_bytes(data, policy=policy.default)
        print(f"mailcatcher: {name} to {', '.join(envelope.rcpt_tos)}: {parsed['subject']}",
              flush=True)
        return "250 Message accepted for delivery"


def serve(folder: Path, host: str, port: int) -> Controller:
    controller = Controller(StoreHandler(folder), hostname=host, port=port)
    controller.start()
    return controller
