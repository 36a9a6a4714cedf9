"""The mail that proves a new account's mailbox: a link to `/verify-email/{secret}`.

Sent after the transaction that made the secret commits (a mail for a secret that was rolled back
would be a dead link). Both languages in one mail: the recipient has not chosen one yet.
"""

from __future__ import annotations

import logging
import smtplib

from persona_insight.accounts import mail
from persona_insight.config import Settings

log = logging.getLogger(__name__)

SUBJECT = "Persona Insight: 이메일 주소 확인 / confirm your e-mail address"


def link(settings: Settings, secret: str) -> str:
    return f"{settings.public_url()}/verify-email/{secret}"


def body(settings: Settings, secret: str) -> str:
    url = link(settings, secret)
    hours = settings.email_verification_hours
    return (
        f"아래 링크를 열어 이메일 주소를 확인하세요 ({hours}시간 동안 한 번만 쓸 수 있습니다).\n"
        f"{url}\n\n"
        f"Open the link above to confirm your e-mail address (it works once, for {hours} h).\n\n"
        "이 계정을 만들지 않았다면 이 메일을 무시하세요. / "
        "If you did not sign up, ignore this mail.\n"
    )


async def send_link(settings: Settings, to: str, secret: str) -> bool:
    """Mail the link; False (logged) when the mail server refuses or cannot be reached — the
    account stays unverified, and signing in with its password sends a new link."""
    try:
        await mail.send(settings, to=to, subject=SUBJECT, body=body(settings, secret))
    except (OSError, smtplib.SMTPException) as exc:
        log.error("verification mail to %s not sent: %s", to, type(exc).__name__)
        return False
    return True
