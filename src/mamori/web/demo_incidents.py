"""The demo's support desk and claims: a vendor directory, and the eight incidents of product.md §6 as cases
at different stages — just reported at night, triaged, a claim with costs, decided, awaiting a second
approval, paid, closed — each on a policy of its own business whose terms are those of the scenario.

The scenarios are ``demo_incidents.json``: the claim documents of the golden scenarios with their times
moved by whole days, so that each incident was discovered about ``discovered_hours_ago`` before the demo
starts (times of day and every duration kept, so the payouts are the core's numbers for the scenario).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Agency
from mamori.web.applications import services as applications
from mamori.web.billing.models import Installment
from mamori.web.claimsdesk import services as claims
from mamori.web.incidents import selectors as incident_selectors
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import Vendor
from mamori.web.policies.models import Policy
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing

DATA = Path(__file__).with_name("demo_incidents.json")
#: The stages a demo incident is taken to, in order.
STAGES = ("reported", "triaged", "claim", "decided", "awaiting_approval", "paid", "closed")
VENDORS = (
    ("forensics", "株式会社サイバーフォレンジック・ジャパン", "03-0000-0101"),
    ("forensics", "デジタル鑑識研究所", "06-0000-0102"),
    ("lawyers", "丸の内総合法律事務所（個人情報・IT）", "03-0000-0201"),
    ("pr", "株式会社クライシスPR", "03-0000-0301"),
    ("call_centre", "株式会社あんしんコールセンター", "0120-000-401"),
    ("data_recovery", "株式会社データ復旧センター", "03-0000-0501"),
)
_INSTANTS = {"incident": ("occurred_at", "discovered_at", "claim_made_at"), "bi": ("outage_start", "outage_end")}


def load(*, users: Mapping[str, User], agency: Agency, now: dt.datetime | None = None) -> None:
    """Create the vendor directory and the eight §6 incidents (inside the caller's transaction)."""
    for category, name, phone in VENDORS:
        Vendor.objects.get_or_create(category=category, name=name, defaults={"phone": phone, "area": "全国"})
    now = now or timezone.now()
    for scenario_data in json.loads(DATA.read_text(encoding="utf-8"))["incidents"]:
        scenario(scenario_data, users=users, agency=agency, now=now)


def moved(scenario: Mapping[str, Any], now: dt.datetime) -> tuple[int, dict[str, Any], dict[str, Any] | None]:
    """(days moved, incident block, BI inputs) of a scenario discovered about ``discovered_hours_ago`` ago."""
    discovered = dt.datetime.fromisoformat(scenario["incident"]["discovered_at"])
    target = now.astimezone(discovered.tzinfo) - dt.timedelta(hours=scenario["discovered_hours_ago"])
    days = (target.date() - discovered.date()).days
    if discovered + dt.timedelta(days=days) > now:
        days -= 1

    def move(block: Mapping[str, Any] | None, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if block is None:
            return None
        out = dict(block)
        for key in keys:
            if out.get(key):
                out[key] = (dt.datetime.fromisoformat(out[key]) + dt.timedelta(days=days)).isoformat()
        return out

    return days, move(scenario["incident"], _INSTANTS["incident"]) or {}, move(scenario["bi"], _INSTANTS["bi"])


def policy_for(
    *, user: User, business: Any, risk: Mapping[str, Any], start: dt.date, today: dt.date, payment: str = "monthly"
) -> Policy:
    """An in-force policy of ``business`` that started on ``start`` (possibly in the past), every installment
    due by ``today`` paid — as if it had been bought then."""
    quote, _ = quotes.quote_create(raw={**risk, "start": start.isoformat()}, user=user, business=business, today=start)
    app = applications.application_submit(
        user=user,
        quote=quote,
        business_id=business.pk,
        start=start.isoformat(),
        payment=payment,
        consent=True,
        today=start,
    )
    policy, _ = servicing.application_bind(user=user, application_id=app.pk, today=start)
    for installment in Installment.objects.filter(policy=policy, due_date__lte=today).order_by("number"):
        servicing.payment_record(
            user=None,
            policy_number=policy.number,
            amount=installment.amount_yen,
            paid_date=installment.due_date.isoformat(),
            reference=f"DEMO-{policy.number}-{installment.number}",
        )
    return policy


#: When the demo's desk filed each report: this long after discovery (when that is already past).
FILED_AFTER = {
    "preliminary": dt.timedelta(days=2),
    "final": dt.timedelta(days=25),
    "gdpr": dt.timedelta(days=2),
    "card_brands": dt.timedelta(hours=6),
}


def _file_reports(desk: User, case: Any, now: dt.datetime) -> None:
    discovered = case.incident.discovered_at
    for deadline in incident_selectors.deadlines_of(case.incident, now=now):
        at = discovered + FILED_AFTER[deadline["kind"]]
        if at <= now:
            incidents.report_filed(
                user=desk,
                case_id=case.pk,
                kind=deadline["kind"],
                filed_at=at,
                note="デモ: 期限内に提出 / demo: filed in time",
            )


def scenario(
    scenario: Mapping[str, Any],
    *,
    users: Mapping[str, User],
    agency: Agency,
    now: dt.datetime,
    business: Any = None,
) -> None:
    """One §6 incident taken to its stage, on a policy of its own business (``business`` when given: the
    large demo's prototypes)."""
    n = scenario["scenario"]
    days, block, bi = moved(scenario, now)
    if business is None:
        business = accounts.business_create(
            name=scenario["business"],
            entity="corporation",
            industry=scenario["industry"],
            email=f"case{n}@example.jp",
            agency=agency,
        )
    start = dt.date(2026, 4, 1) + dt.timedelta(days=days)  # the golden policies start on 2026-04-01
    risk = {"industry": scenario["industry"], "revenue": scenario["revenue"], **scenario["terms"]}
    policy = policy_for(user=users["agent"], business=business, risk=risk, start=start, today=now.date())
    desk, handler, second = users["support"], users["claims"], users["claims2"]
    incident, _ = incidents.incident_submit(
        user=desk,
        policy_number=policy.number,
        block=block,
        summary=scenario["summary"],
        data_description=scenario["data_description"],
    )
    stage = STAGES.index(scenario["stage"])
    case = incident.case
    if stage >= STAGES.index("triaged"):
        incidents.case_set_phase(user=desk, case_id=case.pk, phase=scenario["phase"])
        incidents.case_tick(user=desk, case_id=case.pk, phase=scenario["phase"], item=0)
        vendor = Vendor.objects.filter(category="forensics").first()
        incidents.case_refer(
            user=desk,
            case_id=case.pk,
            vendor_id=vendor.pk if vendor else None,
            note="初動調査を依頼 / initial investigation requested",
        )
    if stage < STAGES.index("claim"):
        return
    _file_reports(desk, case, now)
    claim, _ = claims.claim_open(user=handler, incident_id=incident.pk, costs=scenario["costs"], bi=bi)
    if stage < STAGES.index("decided"):
        return
    claims.claim_decide(
        user=handler,
        claim_id=claim.pk,
        decision="pay",
        notes="約款どおり算定額を支払う / pay as calculated under the terms",
    )
    claim.refresh_from_db()
    if stage < STAGES.index("awaiting_approval") or claim.reserve_yen <= 0:
        return
    payment = claims.payment_request(user=handler, claim_id=claim.pk, amount=claim.reserve_yen, note="保険金支払")
    if stage >= STAGES.index("paid") and payment.status != "PAID":
        claims.payment_approve(user=second, payment_id=payment.pk)
    if stage >= STAGES.index("closed"):
        claims.claim_close(user=handler, claim_id=claim.pk, notes="支払済み / paid")
        incidents.case_close(user=desk, case_id=case.pk)
