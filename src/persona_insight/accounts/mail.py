"""Outgoing mail over SMTP (the standard library's client, run in a thread).

With no SMTP server configured (the embedded default, `make run`) a message is written to the
server log instead, so that a developer can still follow a verification link.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage

from persona_insight.config import Settings

log = logging.getLogger(__name__)


def _send(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host is not None
    timeout = settings.smtp_timeout_s
    smtp: smtplib.SMTP
    if settings.smtp_tls == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(message)


async def send(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send a plain-text mail, or log it when no SMTP server is configured. Raises OSError or
    smtplib.SMTPException when the server refuses it."""
    if settings.smtp_host is None:
        # No mailer: the operator's console is the mailbox (development only; documented).
        log.warning("no SMTP server configured; mail to %s (%s):\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    await asyncio.to_thread(_send, settings, message)
