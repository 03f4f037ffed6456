"""The throttles' counters in the database (no Redis): one upsert per counted request, shared by every
worker and server, exact under concurrent requests, expired rows deleted."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from mamori.web.security import throttle
from mamori.web.security.models import ThrottleCount

QUOTE = {"industry": "retail", "revenue": 50_000_000, "security_measures": 3, "liability_limit": 100_000_000}


@pytest.fixture
def database_store(settings: Any) -> None:
    settings.MAMORI_THROTTLE_STORE = "database"


@pytest.mark.django_db
@pytest.mark.usefixtures("database_store")
def test_the_database_counts_each_request_per_rule_and_address(settings: Any) -> None:
    settings.MAMORI_THROTTLES = [("quote", ("POST",), r"^/(api/v1/quotes|quote/)$", 2, 600)]
    one, other = Client(REMOTE_ADDR="198.51.100.30"), Client(REMOTE_ADDR="198.51.100.31")
    codes = [one.post("/api/v1/quotes", QUOTE, content_type="application/json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert other.post("/api/v1/quotes", QUOTE, content_type="application/json").status_code == 201
    counts = {row.key.split(":")[3]: row.hits for row in ThrottleCount.objects.all()}
    assert counts == {"198.51.100.30": 3, "198.51.100.31": 1}
    assert one.get("/api/v1/health").status_code == 200  # a path no rule names is not counted
    assert ThrottleCount.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("database_store")
def test_expired_counters_are_deleted_and_live_ones_kept() -> None:
    now = dt.datetime.now(tz=dt.UTC)
    ThrottleCount.objects.create(key="old", hits=9, expires=now - dt.timedelta(seconds=5))
    ThrottleCount.objects.create(key="live", hits=4, expires=now + dt.timedelta(seconds=300))
    assert throttle.purge() == 1
    assert list(ThrottleCount.objects.values_list("key", "hits")) == [("live", 4)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_store")
def test_concurrent_requests_are_each_counted_once() -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def count(n: int) -> None:
        try:
            for _ in range(n):
                value = throttle._count("mamori:throttle:quote:203.0.113.9:1", 4_000_000_000)
                with lock:
                    seen.append(value)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=count, args=(25,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(seen) == list(range(1, 201))  # no increment lost, none counted twice
    assert ThrottleCount.objects.get().hits == 200


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_counters_write_no_log() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [ThrottleCount._meta.db_table])
        assert cursor.fetchone() == ("u",)  # UNLOGGED: a counted request waits for no disk flush
