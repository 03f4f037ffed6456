"""Pages whose cost does not grow with the book: the same number of queries with N and 3N copies of the
demo's policyholders (incidents, open cases, claims, payments), a page at a time, filters and order kept.
On PostgreSQL, the lists' queries use their indexes (EXPLAIN)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mamori.web import demo, demo_scale, paging
from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Business
from mamori.web.incidents.models import Case
from mamori.web.policies.models import Policy

pytestmark = pytest.mark.django_db


def _copy(times: int, start: int) -> int:
    """``times`` copies of every demo business with a policy; the next free index."""
    prototypes = list(Business.objects.filter(policies__isnull=False).distinct().values_list("pk", flat=True))
    plan = prototypes * times
    demo_scale.Copier().run(plan, indexes=range(start, start + len(plan)))
    return start + len(plan)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _clients() -> dict[str, Client]:
    """A logged-in page client per staff user, and an API client (``api-…``) with a bearer token."""
    clients = {}
    for name in ("support", "claims", "admin"):
        user = User.objects.get(username=name)
        client = Client()
        client.force_login(user)
        clients[name] = client
        _, token = accounts.api_token_create(user=user, name="scale test")
        clients[f"api-{name}"] = Client(headers={"Authorization": f"Bearer {token}"})
    return clients


def test_a_pages_queries_do_not_grow_with_the_rows() -> None:
    demo.load(out=io.StringIO())
    clients = _clients()
    first_policy = Policy.objects.order_by("number").first()
    assert first_policy is not None
    pages: dict[str, tuple[str, Callable[[], str]]] = {
        "desk": ("support", lambda: reverse("pages:desk")),
        "desk overdue": ("support", lambda: reverse("pages:desk") + "?overdue=1"),
        "claims": ("claims", lambda: reverse("pages:claims")),
        "policies": ("admin", lambda: reverse("pages:policies")),
        "policies filtered": ("admin", lambda: reverse("pages:policies") + "?status=IN_FORCE&industry=manufacturing"),
        "policies by end, page 2": ("admin", lambda: reverse("pages:policies") + "?sort=-end&page=2"),
        "a policy": ("admin", lambda: reverse("pages:policy", kwargs={"number": first_policy.number})),
        "api cases": ("api-support", lambda: "/api/v1/cases"),
        "api policies": ("api-admin", lambda: "/api/v1/policies?limit=20"),
        "api claims": ("api-claims", lambda: "/api/v1/claims"),
    }
    following = _copy(7, 1)
    for who, url in pages.values():  # warm: sessions, tokens, caches of the catalogue
        clients[who].get(url())
    small = {name: _queries(clients[who], url()) for name, (who, url) in pages.items()}
    open_small = Case.objects.filter(status="OPEN").count()
    _copy(14, following)
    assert Case.objects.filter(status="OPEN").count() >= 3 * open_small - 14  # the queue has grown threefold
    assert Case.objects.filter(status="OPEN").count() > paging.PER_PAGE  # and fills more than one page
    large = {name: _queries(clients[who], url()) for name, (who, url) in pages.items()}
    assert large == small


def test_the_desk_is_in_deadline_order_and_pages_carry_the_filters() -> None:
    demo.load(out=io.StringIO())
    _copy(8, 1)
    client = _clients()["support"]
    response = client.get(reverse("pages:desk"))
    rows = list(response.context["rows"])
    assert len(rows) == paging.PER_PAGE
    due = [r["case"].next_deadline_at for r in rows]
    timed = [d for d in due if d is not None]
    assert timed == sorted(timed)
    assert due[: len(timed)] == timed  # cases without a deadline come last
    assert b'data-testid="pager-next"' in response.content
    admin = _clients()["admin"]
    response = admin.get(reverse("pages:policies") + "?industry=manufacturing&sort=-end")
    page = response.context["page"]
    assert all(p.business.industry == "manufacturing" for p in page)
    ends = [p.end_date for p in page]
    assert ends == sorted(ends, reverse=True)
    if page.has_next():
        assert b"industry=manufacturing" in response.content  # the pager keeps the filters


@pytest.mark.postgres
def test_the_lists_queries_use_their_indexes() -> None:
    """With the planner told not to scan whole tables when it need not, each list's query reads an index."""
    demo.load(out=io.StringIO())
    _copy(20, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET enable_seqscan = off")
    support = User.objects.get(username="support")
    from mamori.web.claimsdesk import selectors as claims
    from mamori.web.incidents import selectors as incidents
    from mamori.web.policies import selectors as policies

    queries = {
        "desk": incidents.desk_queue(support)[:50],
        "claims": claims.claims_queue(User.objects.get(username="claims"))[:50],
        "policies by number": policies.policies_list(User.objects.get(username="admin")).order_by("number")[:50],
        "policies by end": policies.policies_list(User.objects.get(username="admin"), status="IN_FORCE").order_by(
            "-end_date", "-number"
        )[:50],
    }
    for name, query in queries.items():
        plan = query.explain()
        assert "Index" in plan, f"{name}: {plan}"
