"""A mail server standing in for the district's SMTP relay (the one thing truly outside): it accepts
every message after a short delay, as a real relay takes some milliseconds, and records the
Message-ID of each, so that the test can count how often each e-mail arrived."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from email import message_from_bytes

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, delay: float):
        self.delay = delay
        self.received: Counter = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message_id = message_from_bytes(envelope.content).get("Message-ID", "")
        with self.lock:
            self.received[message_id.strip()] += 1
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int, delay: float = 0.02):
        self.handler = _Handler(delay)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.port = port

    def start(self) -> "SmtpSink":
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def counts(self) -> Counter:
        with self.handler.lock:
            return Counter(self.handler.received)
