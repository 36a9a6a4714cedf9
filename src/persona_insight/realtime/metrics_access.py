"""Who may read `/metrics`: configured addresses, or anyone presenting the metrics token.

The metrics name projects (their connection counts) and reveal the load of the process, so
they are not public. The address checked is the one uvicorn settled on: behind a proxy
trusted by `PERSONA_INSIGHT_FORWARDED_ALLOW_IPS` that is the forwarded client's, so a request
relayed from the outside by nginx on loopback is not mistaken for a local scraper.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from starlette.requests import Request

from persona_insight.config import Settings
from persona_insight.errors import Forbidden

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def allowed_networks(spec: str) -> tuple[Network, ...]:
    """`127.0.0.1,::1,10.0.0.0/8` → networks; an empty entry is ignored."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def address_allowed(host: str | None, spec: str) -> bool:
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allowed_networks(spec))


def token_matches(request: Request, settings: Settings) -> bool:
    if settings.metrics_token is None:
        return False
    expected = settings.metrics_token.get_secret_value()
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not sent:
        return False
    return hmac.compare_digest(sent.strip().encode(), expected.encode())


def check_metrics_access(request: Request, settings: Settings) -> None:
    if token_matches(request, settings):
        return
    if "authorization" not in request.headers and address_allowed(
        request.client.host if request.client else None, settings.metrics_allow_ips
    ):
        return
    raise Forbidden(
        "metrics are readable from the configured addresses or with the metrics token",
        code="metrics_forbidden",
    )
