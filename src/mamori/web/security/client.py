"""The client's address: ``REMOTE_ADDR``, or — only when the request came through a proxy listed in
``MAMORI_TRUSTED_PROXIES`` — the right-most address of ``X-Forwarded-For`` that is not itself a trusted
proxy. A client cannot choose its address by sending the header itself."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.MAMORI_TRUSTED_PROXIES))


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: HttpRequest) -> str:
    cached = getattr(request, "_mamori_client_address", None)
    if cached is not None:
        return str(cached)
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    networks = trusted_networks()
    address = remote
    if networks and _trusted(remote, networks):
        forwarded = [p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if p.strip()]
        for hop in reversed(forwarded):
            address = hop
            if not _trusted(hop, networks):
                break
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        address = remote
    request._mamori_client_address = address[:64]
    return address[:64]


def axes_client_ip(request: Any) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: django-axes records the same address as every other throttle."""
    return client_address(request)
