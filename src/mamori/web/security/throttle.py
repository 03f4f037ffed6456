"""Throttles of the public endpoints, per client address, on Django's cache framework (Redis when
``MAMORI_REDIS_URL`` is set, the database otherwise — shared by every worker): fixed windows of
``MAMORI_THROTTLES`` rules, each ``(name, methods, path pattern, requests, seconds)``."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from typing import Final

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

CACHE: Final = "throttle"


def _rules() -> Sequence[tuple[str, frozenset[str], re.Pattern[str], int, int]]:
    return [
        (name, frozenset(methods), re.compile(pattern), int(limit), int(seconds))
        for name, methods, pattern, limit, seconds in settings.MAMORI_THROTTLES
    ]


def hit(request: HttpRequest, address: str) -> float | None:
    """Count this request against every rule it matches: None when allowed, else the seconds to wait."""
    wait: float | None = None
    now = time.time()
    for name, methods, pattern, limit, seconds in _rules():
        if request.method not in methods or not pattern.match(request.path_info):
            continue
        window = math.floor(now / seconds)
        key = f"mamori:throttle:{name}:{address}:{window}"
        cache = caches[CACHE]
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds + 1)
            count = 1
        if count > limit:
            left = (window + 1) * seconds - now
            wait = left if wait is None else max(wait, left)
    return wait
