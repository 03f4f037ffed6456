"""Throttles of the public endpoints, per client address: fixed windows of ``MAMORI_THROTTLES`` rules, each
``(name, methods, path pattern, requests, seconds)``. The counters are shared by every worker and server:
in Redis when ``MAMORI_REDIS_URL`` is set (Django's cache framework), else in the database — one upsert
statement per counted request (``ThrottleCount``), the expired rows deleted now and then."""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import re
import time
from collections.abc import Sequence
from typing import Final

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest

from mamori.web.security.models import ThrottleCount

CACHE: Final = "throttle"
#: The share of new windows that also delete the expired counters (the table stays small without a job).
PURGE_SHARE: Final = 0.02

Rule = tuple[str, frozenset[str], re.Pattern[str], int, int]


@functools.lru_cache(maxsize=8)
def _compiled(rules: tuple[tuple[object, ...], ...]) -> Sequence[Rule]:
    return [
        (str(name), frozenset(methods), re.compile(str(pattern)), int(limit), int(seconds))  # type: ignore[call-overload]
        for name, methods, pattern, limit, seconds in rules
    ]


def _rules() -> Sequence[Rule]:
    return _compiled(tuple((n, tuple(m), p, lim, s) for n, m, p, lim, s in settings.MAMORI_THROTTLES))


def hit(request: HttpRequest, address: str) -> float | None:
    """Count this request against every rule it matches: None when allowed, else the seconds to wait."""
    wait: float | None = None
    now = time.time()
    for name, methods, pattern, limit, seconds in _rules():
        if request.method not in methods or not pattern.match(request.path_info):
            continue
        window = math.floor(now / seconds)
        count = _count(f"mamori:throttle:{name}:{address}:{window}", (window + 1) * seconds + 1)
        if count > limit:
            left = (window + 1) * seconds - now
            wait = left if wait is None else max(wait, left)
    return wait


def _count(key: str, expires: float) -> int:
    """Add one to the counter ``key`` (kept until the epoch second ``expires``) and answer its new value."""
    if settings.MAMORI_THROTTLE_STORE == "cache":
        cache = caches[CACHE]
        timeout = max(1, int(expires - time.time()))
        cache.add(key, 0, timeout=timeout)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
    q = connection.ops.quote_name
    table, k, hits, until = q(ThrottleCount._meta.db_table), q("key"), q("hits"), q("expires")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {hits}, {until}) VALUES (%s, 1, %s) "  # noqa: S608 - the model's own table
            f"ON CONFLICT ({k}) DO UPDATE SET {hits} = {table}.{hits} + 1 RETURNING {hits}",
            [key[:200], dt.datetime.fromtimestamp(expires, tz=dt.UTC)],
        )
        row = cursor.fetchone()
    count = int(row[0]) if row else 1
    if count == 1 and random.random() < PURGE_SHARE:  # noqa: S311 - not a secret: when to tidy up
        purge()
    return count


def purge() -> int:
    """Delete the expired database counters (also run by the daily job); the number deleted."""
    deleted, _ = ThrottleCount.objects.filter(expires__lt=dt.datetime.now(tz=dt.UTC)).delete()
    return int(deleted)


def clear() -> None:
    """Forget every counter (tests; an operator after a false alarm)."""
    caches[CACHE].clear()
    ThrottleCount.objects.all().delete()
