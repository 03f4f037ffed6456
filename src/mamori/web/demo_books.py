"""The demo's history for the books (product.md §8): policies issued over the past quarters and claims paid
and reserved over time, so that the triangles and the monthly close show development, not one diagonal.

Eight incidents of the §6 scenarios (``demo_incidents.json``) are placed on policies bought 20 days before
each discovery, discovered 75 to 340 days before the demo starts. Every step goes through the services (the
core calculates, reserves, pays and closes exactly as for a real claim); only the *times* of the records a
step wrote are then set back to when the step is told to have happened, because the services stamp records
with the present: opened a week after discovery with a first estimate of 60 % of the calculation as the
reserve; decided at 30 days (the reserve then the calculation); 40 % paid at 60 days; paid in full and
closed at 120 days — each only when that is before today. Nothing else is changed; the README says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Agency
from mamori.web.claimsdesk import services as claims
from mamori.web.claimsdesk.models import Claim, ClaimPayment, LedgerEntry, ReserveChange
from mamori.web.demo_incidents import DATA, moved, policy_for
from mamori.web.incidents import services as incidents

#: (days before the demo starts that the incident was discovered, the §6 scenario it re-enacts)
HISTORY = ((340, 6), (300, 1), (260, 3), (215, 7), (170, 1), (130, 6), (100, 2), (75, 3))


def _backdate(claim: Claim, since: dt.datetime, when: dt.datetime) -> None:
    """The records a step wrote for ``claim`` (at or after ``since``) as written at ``when``."""
    ReserveChange.objects.filter(claim=claim, at__gte=since).update(at=when)
    LedgerEntry.objects.filter(claim=claim, at__gte=since).update(at=when)
    ClaimPayment.objects.filter(claim=claim, requested_at__gte=since).update(requested_at=when)
    ClaimPayment.objects.filter(claim=claim, decided_at__gte=since).update(decided_at=when)
    Claim.objects.filter(pk=claim.pk, created_at__gte=since).update(created_at=when)
    Claim.objects.filter(pk=claim.pk, decided_at__gte=since).update(decided_at=when)


def _pay(claim: Claim, amount: int, users: Mapping[str, User]) -> None:
    payment = claims.payment_request(user=users["claims"], claim_id=claim.pk, amount=amount, note="保険金支払（履歴）")
    if payment.status != ClaimPayment.Status.PAID:
        claims.payment_approve(user=users["claims2"], payment_id=payment.pk)


def load(*, users: Mapping[str, User], agency: Agency, now: dt.datetime | None = None) -> None:
    """Create the history (inside the caller's transaction)."""
    now = now or timezone.now()
    scenarios = {s["scenario"]: s for s in json.loads(DATA.read_text(encoding="utf-8"))["incidents"]}
    for n, (days_ago, number) in enumerate(HISTORY, start=1):
        _history(scenarios[number], n, days_ago, users=users, agency=agency, now=now)


def _history(
    scenario: Mapping[str, Any], n: int, days_ago: int, *, users: Mapping[str, User], agency: Agency, now: dt.datetime
) -> None:
    _, block, bi = moved({**scenario, "discovered_hours_ago": days_ago * 24}, now)
    discovered = dt.datetime.fromisoformat(block["discovered_at"])
    business = accounts.business_create(
        name=f"{scenario['business']}（履歴{n}）",
        entity="corporation",
        industry=scenario["industry"],
        email=f"history{n}@example.jp",
        agency=agency,
    )
    risk = {"industry": scenario["industry"], "revenue": scenario["revenue"], **scenario["terms"]}
    start = discovered.date() - dt.timedelta(days=20)
    policy = policy_for(user=users["agent"], business=business, risk=risk, start=start, today=now.date())
    incident, _ = incidents.incident_submit(
        user=users["support"], policy_number=policy.number, block=block,
        summary=f"【履歴】{scenario['summary']}", data_description=scenario["data_description"],
    )  # fmt: skip

    def step(days: int) -> tuple[dt.datetime, dt.datetime] | None:
        when = discovered + dt.timedelta(days=days)
        return (timezone.now(), when) if when < now else None

    opened = step(7)
    claim, _ = claims.claim_open(user=users["claims"], incident_id=incident.pk, costs=scenario["costs"], bi=bi)
    claim.refresh_from_db()
    claims.claim_set_reserve(
        user=users["claims"], claim_id=claim.pk, amount=claim.reserve_yen * 3 // 5, reason="初期見積 / first estimate"
    )
    _backdate(claim, *(opened or (timezone.now(), now)))
    decided = step(30)
    if decided is None:
        return
    claims.claim_decide(user=users["claims"], claim_id=claim.pk, decision="pay", notes="約款どおり / as calculated")
    _backdate(claim, *decided)
    claim.refresh_from_db()
    payable = claim.reserve_yen
    first = step(60)
    if first is None or payable <= 0:
        return
    _pay(claim, payable * 2 // 5, users)
    _backdate(claim, *first)
    settled = step(120)
    if settled is None:
        return
    _pay(claim, payable - payable * 2 // 5, users)
    claims.claim_close(user=users["claims"], claim_id=claim.pk, notes="支払済み / paid")
    _backdate(claim, *settled)
