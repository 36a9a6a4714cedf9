"""Strict e-mail address parsing: the domain decides which company an account joins, so an address
must have exactly one reading (`m@acme.example.com@beta.example.org` has two and is refused)."""

from __future__ import annotations

import idna

from persona_insight.errors import InvalidInput

# RFC 5322 dot-atom specials: never in an unquoted local part (quoted local parts are refused).
_LOCAL_FORBIDDEN = frozenset('()<>[]:;@\\,"')
MAX_ADDRESS = 320
MAX_LOCAL = 64


def _invalid() -> InvalidInput:
    return InvalidInput("a valid e-mail address is required", code="invalid_email")


def ascii_domain(domain: str) -> str:
    """The domain as IDNA (punycode), lower case; raises InvalidInput when it is not one."""
    domain = domain.removesuffix(".")
    if not domain or "." not in domain:
        raise _invalid()
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise _invalid() from None
    labels = encoded.split(".")
    if len(encoded) > 253 or any(not label for label in labels) or labels[-1].isdigit():
        raise _invalid()
    return encoded.lower()


def unicode_domain(domain: str) -> str:
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError):
        return domain


def parse_email(raw: str) -> str:
    """The address normalised (`local@domain`, lower case, IDNA domain), or InvalidInput."""
    email = raw.strip()
    if not email or len(email) > MAX_ADDRESS or email.count("@") != 1:
        raise _invalid()
    if any(not c.isprintable() or c.isspace() for c in email):
        raise _invalid()
    local, domain = email.split("@")
    if (
        not local
        or len(local) > MAX_LOCAL
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or any(c in _LOCAL_FORBIDDEN for c in local)
    ):
        raise _invalid()
    return f"{local.lower()}@{ascii_domain(domain)}"
