"""A real SMTP server on 127.0.0.1 (aiosmtpd, in its own thread) that keeps what it receives."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+/verify-email/(pie_[A-Za-z0-9_-]+)")


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def wait(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} mails arrived"
            time.sleep(0.02)
        return self.messages

    def tokens_to(self, address: str) -> list[str]:
        """The verification secrets mailed to `address`, oldest first."""
        found = []
        for message in self.messages:
            if message["To"] == address:
                body = message.get_body(("plain",))
                assert body is not None
                found += LINK.findall(body.get_content())
        return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", _free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def mail_settings(settings: Any, box: Mailbox, **more: Any) -> Any:
    return settings.model_copy(
        update={"smtp_host": box.host, "smtp_port": box.port, "smtp_tls": "none", **more}
    )
