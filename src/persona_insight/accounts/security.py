"""Password hashing (argon2) and opaque tokens (stored only as their SHA-256)."""

from __future__ import annotations

import functools
import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this keeps a login for an unknown e-mail as slow as for a known one.
    return _hasher.hash("persona-insight-timing-equaliser")


SESSION_PREFIX = "pis_"
TOKEN_PREFIX = "pit_"  # noqa: S105 - a prefix, not a secret
VERIFY_PREFIX = "pie_"  # e-mail verification links


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:
        return False


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
