"""Benchmark: what a web request spends on the work issue 18 moved to background tasks, before and after, in
the same run on the small demo — the baseline is the old path, done in the request:

- a policy's certificates (保険証券, Japanese and English PDFs), made while binding — now a task queued in
  the bind's transaction (one row in the database queue);
- the monthly close's PDF and CSV, made by ``/books/close.pdf`` — now a job queued by the page (a job row, an
  audit row and the task's row);
- an e-mail handed to the mail backend (locmem here: SMTP is slower still) — now a task queued on commit.

The demo is loaded once into a throw-away SQLite file (or the database of ``DATABASE_URL``). Run on demand:

    .venv/bin/python bench/bench_background.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def _median_ms(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="mamori-bench-background-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/db.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mamori.web.config.testing"
    os.environ["MAMORI_TASKS"] = "database"  # the production queue: enqueueing writes a row, runs nothing
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from mamori.web import demo, mail, server
    from mamori.web.books import documents, selectors
    from mamori.web.books import services as books
    from mamori.web.policies import services as policies
    from mamori.web.policies.models import Policy

    server.migrate_and_register()
    demo.load(out=io.StringIO())
    admin = User.objects.get(username="admin")
    policy = Policy.objects.select_related("business", "product_version").order_by("pk").first()
    assert policy is not None
    version = policy.versions.order_by("number").first()
    month = f"{timezone.now().date().replace(day=1) - dt.timedelta(days=1):%Y-%m}"

    def certificates_in_request() -> None:
        with transaction.atomic():
            policies._certificates(policy, version, policies.selectors.version_of(policy))
            transaction.set_rollback(True)  # the version has them already: made, then not kept

    def certificates_queued() -> None:
        with transaction.atomic():
            policies.background.enqueue(policies.certificates_make, policy_id=policy.pk)

    def close_in_request() -> None:
        close = selectors.close(user=admin, month=month)
        documents.close_pdf(close, lang="ja", made_at=timezone.now())
        documents.close_csv(close, "ja")

    def close_queued() -> None:
        books.close_documents_request(user=admin, month=month)

    def mail_in_request() -> None:
        from django.core.mail import send_mail

        send_mail(subject="s", message="m", from_email=None, recipient_list=["a@example.jp"])

    def mail_queued() -> None:
        with transaction.atomic():
            mail.mail_queue(subject="s", message="m", to=["a@example.jp"])

    print(f"median / max of {args.repeat} in ms (request side; the demo, {os.environ['DATABASE_URL'].split(':')[0]})")
    for name, before, after in (
        ("certificates at bind", certificates_in_request, certificates_queued),
        ("close PDF + CSV", close_in_request, close_queued),
        ("one e-mail", mail_in_request, mail_queued),
    ):
        old = _median_ms(before, args.repeat)
        new = _median_ms(after, args.repeat)
        print(f"{name:22} in the request {old[0]:8.1f} / {old[1]:8.1f}   queued {new[0]:7.1f} / {new[1]:7.1f}")


if __name__ == "__main__":
    main()
