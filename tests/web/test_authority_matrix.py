"""Every role × every action of the authority table × an object of the caller's own and of another business
(or team), through the API and the pages — the expected answer generated from the table itself
(:func:`mamori.authority.check`): allowed → the action is attempted (never 403/404), a role without the
grant → 403, an object outside the caller's scope → 404. A table edit that the services did not follow
fails here. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, TestCase

from mamori import authority
from mamori import catalog as catalog_mod
from mamori.authority import Action, Target
from mamori.errors import Denied, NotVisible
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts import services as account_services
from mamori.web.accounts.models import Agency, Business
from mamori.web.applications import services as applications
from mamori.web.claimsdesk import services as claims_svc
from mamori.web.demo_incidents import policy_for
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import Case
from mamori.web.policies.models import ChangeRequest, Policy, PolicyVersion
from mamori.web.productdb import selectors as productdb
from mamori.web.productdb import services as productdb_services
from mamori.web.productdb.models import ProductVersionRecord
from mamori.web.servicing import services as servicing

JST = ZoneInfo("Asia/Tokyo")
PASSWORD = "correct-horse-battery-7"
EXAMPLE = Path(__file__).parents[1] / "data" / "interface_claim_example.json"
ROLES = ("holder", "agent", "underwriter", "claims", "support", "admin")
SIDES = ("own", "other")


def _block() -> dict[str, Any]:
    discovered = (dt.datetime.now(JST) - dt.timedelta(hours=3)).replace(microsecond=0)
    return {
        "accident_types": ["A1"],
        "discovered_at": discovered.isoformat(),
        "occurred_at": (discovered - dt.timedelta(hours=1)).isoformat(),
        "country": "JP",
        "attack_confirmed": True,
    }


class AuthorityMatrix(TestCase):
    """One world, built once: two businesses (own: the holder's, a client of the agent's agency; other:
    another agency's), each with a policy, an approved and a referred application, a referred change, and
    an incident whose case and claim belong to a team (own: tokyo, the staff's; other: osaka), with a
    payment awaiting approval requested by another claims user."""

    users: ClassVar[dict[str, User]]
    tokens: ClassVar[dict[str, str]]
    world: ClassVar[dict[str, dict[str, Any]]]

    @classmethod
    def setUpTestData(cls) -> None:
        if not ProductVersionRecord.objects.exists():
            productdb_services.product_versions_register(source=catalog_mod.FolderCatalog())
        account_services.ensure_groups()
        productdb.catalog().forget()
        today = productdb.catalog().latest().today()
        agencies = {side: Agency.objects.create(code=f"AG-{side}", name=side) for side in SIDES}
        businesses = {
            side: account_services.business_create(
                name=f"{side} 株式会社", entity="corporation", industry="wholesale", agency=agencies[side]
            )
            for side in SIDES
        }

        def user(name: str, role: str, **kw: Any) -> User:
            return account_services.user_create(
                username=name, password=PASSWORD, role=role, email=f"{name}@example.jp", **kw
            )

        cls.users = {
            "holder": user("holder", roles.POLICYHOLDER, business=businesses["own"]),
            "agent": user("agent", roles.AGENT, agency=agencies["own"]),
            "underwriter": user("underwriter", roles.UNDERWRITER),
            "claims": user("claims", roles.CLAIMS_HANDLER, team="tokyo"),
            "support": user("support", roles.SUPPORT_DESK, team="tokyo"),
            "admin": user("admin", roles.ADMINISTRATOR),
        }
        holders = {
            "own": cls.users["holder"],
            "other": user("holder_b", roles.POLICYHOLDER, business=businesses["other"]),
        }
        requesters = {
            "own": user("claims_b", roles.CLAIMS_HANDLER, team="tokyo"),
            "other": user("claims_osaka", roles.CLAIMS_HANDLER, team="osaka"),
        }
        cls.tokens = {name: account_services.api_token_create(user=u)[1] for name, u in cls.users.items()}
        cls.world = {}
        for side in SIDES:
            holder, business = holders[side], businesses[side]
            policy = policy_for(
                user=holder,
                business=business,
                risk={"industry": "wholesale", "revenue": 500_000_000},
                # a week old, so an incident discovered three hours ago is inside the term at any hour (JST)
                start=today - dt.timedelta(days=7),
                today=today,
            )
            approved = applications.application_submit(
                user=holder,
                inputs={"industry": "wholesale", "revenue": 300_000_000},
                start=today.isoformat(),
                payment="monthly",
                consent=True,
            )
            referred = applications.application_submit(
                user=holder,
                inputs={"industry": "information_communications", "revenue": 300_000_000},
                start=today.isoformat(),
                payment="monthly",
                consent=True,
            )
            change = servicing.policy_change(
                user=holder,
                number=policy.number,
                effective_date=today.isoformat(),
                changes={"liability_limit": 1_000_000_000},
            )
            assert isinstance(change, ChangeRequest)
            incident, _ = incidents.incident_submit(
                user=holder, policy_number=policy.number, block=_block(), summary="x"
            )
            team = "tokyo" if side == "own" else "osaka"
            Case.objects.filter(incident=incident).update(team=team)
            claim, _ = claims_svc.claim_open(
                user=requesters[side], incident_id=incident.pk, costs=[{"item": "LI_DAMAGES", "amount": 50_000_000}]
            )
            claims_svc.claim_decide(user=requesters[side], claim_id=claim.pk, decision="pay", notes="ok")
            payment = claims_svc.payment_request(user=requesters[side], claim_id=claim.pk, amount=20_000_000)
            assert payment.status == "AWAITING_APPROVAL"
            cls.world[side] = {
                "business": business,
                "policy": policy,
                "approved": approved,
                "referred": referred,
                "change": change,
                "case": incident.case,
                "claim": claim,
                "payment": payment,
            }

    # -------------------------------------------------------------------------------------- the cases

    def _target(self, action: Action, side: str) -> Target:  # noqa: PLR0911 - one target per kind of object
        w = self.world[side]
        business: Business = w["business"]
        if action is Action.DECIDE_APPLICATION:
            return accounts.business_target(business, submitted_by=w["referred"].created_by_id)
        if action is Action.DECIDE_CHANGE:
            return accounts.business_target(business, submitted_by=w["change"].requested_by_id)
        if action is Action.WORK_CASE:
            return Target(team=Case.objects.get(pk=w["case"].pk).team)
        if action is Action.HANDLE_CLAIM:
            return Target(team=w["claim"].team)
        if action is Action.APPROVE_CLAIM_PAYMENT:
            return Target(team=w["claim"].team, requested_by=w["payment"].requested_by_id)
        if action in (Action.RECORD_PAYMENT, Action.VENDORS, Action.CALCULATE_CLAIM, Action.AUDIT, Action.PORTFOLIO):
            return authority.NOTHING
        return accounts.business_target(business)

    def _call(self, action: Action, side: str) -> Callable[[Client, dict[str, str]], Any]:
        w, today = self.world[side], productdb.catalog().latest().today().isoformat()
        number = w["policy"].number

        def post(path: str, body: Any) -> Callable[[Client, dict[str, str]], Any]:
            return lambda c, h: c.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=h)

        calls: dict[Action, Callable[[Client, dict[str, str]], Any]] = {
            Action.APPLY: post(
                "/applications",
                {
                    "industry": "wholesale",
                    "revenue": 100_000_000,
                    "business_id": w["business"].pk,
                    "start": today,
                    "payment": "monthly",
                },
            ),
            Action.BIND: post(f"/applications/{w['approved'].pk}/bind", {}),
            Action.CHANGE: post(f"/policies/{number}/changes", {"effective_date": today, "deductible": 300_000}),
            Action.CANCEL: post(f"/policies/{number}/cancellation", {"effective_date": today}),
            Action.RENEW: post(f"/policies/{number}/renewal", {}),
            Action.DECIDE_APPLICATION: post(
                f"/applications/{w['referred'].pk}/decision", {"decision": "decline", "reason": "x"}
            ),
            Action.DECIDE_CHANGE: post(
                f"/change-requests/{w['change'].pk}/decision", {"decision": "decline", "reason": "x"}
            ),
            Action.RECORD_PAYMENT: post(
                "/payments", {"policy_number": number, "amount": 1_000, "paid_date": today, "reference": f"M-{side}"}
            ),
            Action.REPORT_INCIDENT: post("/incidents", {"policy_number": number, "incident": _block()}),
            Action.WORK_CASE: post(f"/cases/{w['case'].pk}/notes", {"text": "連絡済み"}),
            Action.HANDLE_CLAIM: post(f"/claims/{w['claim'].pk}/reserve", {"reserve": 1_000, "reason": "x"}),
            Action.APPROVE_CLAIM_PAYMENT: post(f"/claim-payments/{w['payment'].pk}/approval", {}),
            Action.VENDORS: post("/vendors", {"category": "forensics", "name": "検証用"}),
            Action.CALCULATE_CLAIM: post("/claims/calculate", json.loads(EXAMPLE.read_text(encoding="utf-8"))),
            Action.AUDIT: lambda c, h: c.get("/audit/"),
            Action.PORTFOLIO: lambda c, h: c.get("/portfolio/"),
            Action.BOOKS: lambda c, h: c.get("/api/v1/books/premium", headers=h),
        }
        return calls[action]

    def _expected(self, role: str, action: Action, side: str) -> str:
        refusal = authority.check(accounts.subject_of(self.users[role]), action, self._target(action, side))
        if refusal is None:
            return "allowed"
        return "404" if isinstance(refusal, NotVisible) else "403" if isinstance(refusal, Denied) else "?"

    # -------------------------------------------------------------------------------------- the API

    def test_every_role_every_action_every_scope_answers_as_the_table_says(self) -> None:
        actions = [a for a in Action if a not in authority.PUBLIC]
        seen: dict[str, int] = {"allowed": 0, "403": 0, "404": 0}
        for role in ROLES:
            client = Client()
            client.login(username=role, password=PASSWORD)
            headers = {"Authorization": f"Bearer {self.tokens[role]}"}
            for action in actions:
                for side in SIDES:
                    expected = self._expected(role, action, side)
                    with self.subTest(role=role, action=action.value, side=side, expected=expected):
                        with transaction.atomic():
                            answer = self._call(action, side)(client, headers)
                            transaction.set_rollback(True)
                        seen[expected] += 1
                        if expected == "allowed":
                            assert answer.status_code < 500 and answer.status_code not in (401, 403, 404), (
                                answer.content[:300]
                            )
                        else:
                            assert answer.status_code == int(expected), answer.content[:300]
        # The matrix exercised all three answers (a table that allowed everything would not pass).
        assert all(count > 10 for count in seen.values()), seen

    # -------------------------------------------------------------------------------------- the pages

    def test_the_policy_and_claim_pages_offer_exactly_what_the_table_allows(self) -> None:
        for role in ROLES:
            client = Client()
            client.login(username=role, password=PASSWORD)
            subject = accounts.subject_of(self.users[role])
            for side in SIDES:
                w = self.world[side]
                with self.subTest(role=role, side=side, page="policy"):
                    page = client.get(f"/policies/{w['policy'].number}/")
                    if not Policy.objects.filter(
                        pk=w["policy"].pk, business__in=accounts.visible_businesses(self.users[role])
                    ).exists():
                        assert page.status_code == 404
                    else:
                        html = page.content.decode()
                        target = accounts.business_target(w["business"])
                        assert ('data-testid="ch-submit"' in html) == authority.may(subject, Action.CHANGE, target)
                        assert ('data-testid="cx-submit"' in html) == authority.may(subject, Action.CANCEL, target)
                with self.subTest(role=role, side=side, page="change by page"):
                    with transaction.atomic():
                        before = PolicyVersion.objects.filter(policy=w["policy"]).count()
                        client.post(
                            f"/policies/{w['policy'].number}/change/",
                            {
                                "effective_date": productdb.catalog().latest().today().isoformat(),
                                "deductible": "300000",
                            },
                        )
                        made = PolicyVersion.objects.filter(policy=w["policy"]).count() - before
                        transaction.set_rollback(True)
                    assert made == int(authority.may(subject, Action.CHANGE, accounts.business_target(w["business"])))
                with self.subTest(role=role, side=side, page="claim"):
                    page = client.get(f"/claims/{w['claim'].pk}/")
                    if page.status_code == 200:
                        html = page.content.decode()
                        may_approve = authority.may(
                            subject, Action.APPROVE_CLAIM_PAYMENT, self._target(Action.APPROVE_CLAIM_PAYMENT, side)
                        )
                        assert (f"approve-{w['payment'].pk}" in html) == may_approve
                    else:
                        assert page.status_code == 404
                        assert not authority.may(subject, Action.HANDLE_CLAIM, self._target(Action.HANDLE_CLAIM, side))
