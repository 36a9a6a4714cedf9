"""Secrets at rest (engine API keys): AES-GCM under the instance's secret key.

The key comes from `PERSONA_INSIGHT_SECRET_KEY` (base64 of 32 bytes) or, when unset, from
`<data dir>/secret.key`, created on first use with mode 0600. Losing the key loses the stored
engine keys (they can be entered again), nothing else.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from persona_insight.config import Settings

_PREFIX = "v1:"


class SecretBox:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the secret key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, token: str, *, context: str) -> str:
        if not token.startswith(_PREFIX):
            raise ValueError("not a sealed secret")
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()


def load_key(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return base64.urlsafe_b64decode(settings.secret_key.get_secret_value() + "==")[:32]
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it a moment ago
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.urlsafe_b64encode(os.urandom(32)))
    return base64.urlsafe_b64decode(path.read_bytes().strip() + b"==")[:32]


def box(settings: Settings) -> SecretBox:
    return SecretBox(load_key(settings))
