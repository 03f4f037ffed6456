"""The REST API of incidents, the support desk and claims (interfaces.md §2): shapes, every forbidden path,
idempotency — and, on PostgreSQL, concurrent approvals and payments that pay once and within the limits."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import parallel  # type: ignore[import-not-found]

from mamori.web.accounts.models import Business
from mamori.web.claimsdesk.models import ClaimPayment, LedgerEntry
from mamori.web.demo_incidents import policy_for
from mamori.web.incidents.models import Incident, Vendor
from mamori.web.policies.models import Policy

JST = ZoneInfo("Asia/Tokyo")
TERMS = {"industry": "wholesale", "revenue": 500_000_000, "deductible": 500_000}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a"
    "5d0e4a50000000049454e44ae426082"
)


@pytest.fixture
def policy(holder: User, business: Business, today: dt.date) -> Policy:
    return policy_for(user=holder, business=business, risk=TERMS, start=today - dt.timedelta(days=30), today=today)


def block(hours_ago: float = 2) -> dict[str, Any]:
    discovered = (dt.datetime.now(JST) - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    return {
        "accident_types": ["A1", "A2"],
        "discovered_at": discovered.isoformat(),
        "occurred_at": (discovered - dt.timedelta(hours=1)).isoformat(),
        "country": "JP",
        "attack_confirmed": True,
        "affected_persons": 1500,
        "personal_data": {"improper_purpose": True},
    }


def reported(api: Callable[..., Any], holder: User, policy: Policy) -> str:
    r = api(holder).post("/incidents", {"policy_number": policy.number, "incident": block()})
    assert r.status_code == 201, r.content
    return str(r.json()["id"])


def decided_claim(api: Callable[..., Any], claims: User, incident_id: str, costs: list[dict[str, Any]]) -> str:
    staff = api(claims)
    r = staff.post("/claims", {"incident_id": incident_id, "costs": costs})
    assert r.status_code == 201, r.content
    claim_id = str(r.json()["id"])
    assert staff.post(f"/claims/{claim_id}/decision", {"decision": "pay", "notes": "約款どおり"}).status_code == 200
    return claim_id


@pytest.mark.django_db
def test_report_triage_claim_and_four_eyes_payment_by_the_api(
    api: Callable[..., Any], holder: User, support: User, claims: User, claims2: User, policy: Policy
) -> None:
    r = api(holder, "ja").post("/incidents", {"policy_number": policy.number, "incident": block()})
    assert r.status_code == 201
    body = r.json()
    assert (body["emergency_support"]["available"], body["emergency_support"]["reason"]) == (True, None)
    assert body["regulatory"]["ppc_report_required"] is True
    assert [d["kind"] for d in body["deadlines"]] == ["preliminary", "final"]
    assert body["deadlines"][0]["time_left"].startswith("P")
    desk = api(support)
    queue = desk.get("/cases").json()
    assert [c["incident_id"] for c in queue] == [body["id"]]
    case_id = queue[0]["id"]
    vendor = Vendor.objects.create(category="forensics", name="調査会社A")
    assert desk.post(f"/cases/{case_id}/phase", {"phase": "attacked"}).status_code == 200
    assert desk.post(f"/cases/{case_id}/checklist", {"phase": "attacked", "item": 2}).status_code == 200
    assert desk.post(f"/cases/{case_id}/referrals", {"vendor_id": vendor.pk}).status_code == 201
    filed = desk.post(f"/cases/{case_id}/filings", {"kind": "preliminary"})
    assert filed.status_code == 201
    case = filed.json()
    assert case["deadlines"][0]["filed_at"] is not None
    assert case["phases"][1]["checklist"][2]["done"] is True
    assert [e["kind"] for e in case["timeline"]] == ["opened", "phase", "checklist", "referral", "filed"]

    staff = api(claims)
    costs = [{"item": "RANSOM", "amount": 30_000_000}, {"item": "EX_DATA_RESTORE", "amount": 16_000_000}]
    created = staff.post("/claims", {"incident_id": body["id"], "costs": costs})
    assert created.status_code == 201
    calculation = created.json()["calculation"]
    assert (calculation["payable_total"], calculation["exclusions"]) == (15_500_000, ["X_RANSOM"])
    claim_id = created.json()["id"]
    assert staff.post(f"/claims/{claim_id}/decision", {"decision": "pay", "notes": "ok"}).status_code == 200
    too_much = staff.post(f"/claims/{claim_id}/payments", {"amount": 15_500_001})
    assert too_much.status_code == 409 and too_much.json()["errors"][0]["field"] == "amount"
    payment = staff.post(f"/claims/{claim_id}/payments", {"amount": 15_500_000}, key="pay-1").json()
    assert payment["status"] == "awaiting_approval"
    assert staff.post(f"/claims/{claim_id}/payments", {"amount": 15_500_000}, key="pay-1").json() == payment
    assert ClaimPayment.objects.count() == 1
    assert staff.post(f"/claim-payments/{payment['id']}/approval").status_code == 403
    assert [p["id"] for p in api(claims2).get("/claim-payments").json()] == [payment["id"]]
    approved = api(claims2).post(f"/claim-payments/{payment['id']}/approval", key="approve-1")
    assert approved.status_code == 200 and approved.json()["status"] == "paid"
    assert api(claims2).post(f"/claim-payments/{payment['id']}/approval", key="approve-1").json() == approved.json()
    assert api(claims2).post(f"/claim-payments/{payment['id']}/approval").status_code == 409

    seen = api(holder, "en").get(f"/claims/{claim_id}").json()
    assert (seen["status"], seen["paid"], seen["calculation"]["payable_total"]) == ("decided", 15_500_000, 15_500_000)
    assert "reserve" not in seen and "costs" not in seen
    assert any("Ransom" in s["note"] for s in seen["calculation"]["worksheet"])


@pytest.mark.django_db
def test_bad_reports_are_answered_422_naming_the_field_and_a_draft_keeps_what_was_typed(
    api: Callable[..., Any], holder: User, policy: Policy
) -> None:
    client = api(holder, "ja")
    bad = client.post("/incidents", {"policy_number": policy.number, "incident": {**block(), "country": "日本"}})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["incident.country"]
    assert not Incident.objects.exists()
    typed = {"summary": "朝来たら画面が真っ赤", "discovered_at": "けさ"}
    draft = client.post("/incidents", {"policy_number": policy.number, "incident": typed, "draft": True}).json()
    assert draft["status"] == "draft" and draft["draft"] == typed
    saved = client.client.put(
        f"/api/v1/incidents/{draft['id']}/draft",
        data=json.dumps({"draft": {**typed, "affected_persons": "12"}}),
        content_type="application/json",
        headers=client.headers,
    )
    assert saved.status_code == 200 and saved.json()["draft"]["affected_persons"] == "12"
    failed = client.post(f"/incidents/{draft['id']}/submission", {"incident": {"discovered_at": "けさ"}})
    assert failed.status_code == 422
    assert Incident.objects.get().draft == {**typed, "affected_persons": "12"}
    done = client.post(f"/incidents/{draft['id']}/submission", {"incident": block()})
    assert done.status_code == 200 and done.json()["status"] == "submitted"


@pytest.mark.django_db
def test_every_forbidden_path_of_the_api_is_refused(  # noqa: PLR0913 - one fixture per role tried
    api: Callable[..., Any],
    holder: User,
    holder2: User,
    support: User,
    claims: User,
    osaka: dict[str, User],
    policy: Policy,
) -> None:
    incident_id = reported(api, holder, policy)
    upload = Client().post(
        f"/api/v1/incidents/{incident_id}/attachments",
        data={"file": _file("screen.png", PNG), "kind": "screenshot"},
        headers=api(holder).headers,
    )
    assert upload.status_code == 201, upload.content
    attachment_id = upload.json()["id"]
    claim_id = decided_claim(api, claims, incident_id, [{"item": "EX_FORENSICS", "amount": 2_000_000}])
    case_id = Incident.objects.get().case.pk
    other, them, osaka_desk, osaka_claims = api(holder2), api(holder), api(osaka["support"]), api(osaka["claims"])
    answers = {
        "anonymous incident": Api401(api).get(f"/incidents/{incident_id}"),
        "other holder incident": other.get(f"/incidents/{incident_id}"),
        "other holder claim": other.get(f"/claims/{claim_id}"),
        "other holder attachment": other.get(f"/attachments/{attachment_id}"),
        "other holder report on a policy not theirs": other.post(
            "/incidents", {"policy_number": policy.number, "incident": block()}
        ),
        "holder opens a claim": them.post("/claims", {"incident_id": incident_id, "costs": []}),
        "holder pays": them.post(f"/claims/{claim_id}/payments", {"amount": 1}),
        "holder desk queue": them.get("/cases"),
        "holder calculates": them.post("/claims/calculate", {}),
        "holder vendors": them.get("/vendors"),
        "claims user moves a case": api(claims).post(f"/cases/{case_id}/phase", {"phase": "attacked"}),
        "support opens a claim": api(support).post("/claims", {"incident_id": incident_id, "costs": []}),
        "other team's desk case": osaka_desk.get(f"/cases/{case_id}"),
        "other team's desk phase": osaka_desk.post(f"/cases/{case_id}/phase", {"phase": "attacked"}),
        "other team's claim": osaka_claims.get(f"/claims/{claim_id}"),
        "other team's payment": osaka_claims.post(f"/claims/{claim_id}/payments", {"amount": 1}),
        "other team's attachment": osaka_claims.get(f"/attachments/{attachment_id}"),
        "malformed claim id": api(claims).get("/claims/not-a-uuid"),
        "malformed attachment id": them.get("/attachments/../../etc/passwd"),
    }
    expected = {
        "anonymous incident": 401,
        "holder opens a claim": 403,
        "holder pays": 403,
        "holder desk queue": 403,
        "holder calculates": 403,
        "holder vendors": 403,
        "claims user moves a case": 403,
        "support opens a claim": 403,
    }
    got = {name: r.status_code for name, r in answers.items()}
    assert got == {name: expected.get(name, 404) for name in answers}
    assert b"".join(them.get(f"/attachments/{attachment_id}").streaming_content) == PNG  # streamed (issue 14)
    assert not LedgerEntry.objects.exists()


class Api401:
    """A client without a token."""

    def __init__(self, api: Callable[..., Any]) -> None:
        self.client = api()

    def get(self, path: str) -> Any:
        return self.client.get(path)


def _file(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.django_db
def test_a_refused_upload_is_named_in_the_readers_language_and_the_report_is_kept(
    api: Callable[..., Any], holder: User, policy: Policy
) -> None:
    incident_id = reported(api, holder, policy)
    r = Client().post(
        f"/api/v1/incidents/{incident_id}/attachments",
        data={"file": _file("virus.exe", b"MZ\x90\x00\x03" * 20), "kind": "screenshot"},
        headers={**api(holder).headers, "Accept-Language": "ja"},
    )
    assert r.status_code == 422
    error = r.json()["errors"][0]
    # A screenshot is an image (issue 14): the types allowed for that kind are named.
    assert error["field"] == "file" and "virus.exe" in error["message"] and error["allowed"] == ["PNG", "JPEG"]
    assert Incident.objects.get().status == "SUBMITTED"


# ------------------------------------------------------------------------------------------ PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handlers_approving_the_same_payment_at_once_pay_it_once(
    api: Callable[..., Any], holder: User, claims: User, claims2: User, make_user: Callable[..., User], policy: Policy
) -> None:
    claim_id = decided_claim(
        api, claims, reported(api, holder, policy), [{"item": "EX_DATA_RESTORE", "amount": 20_000_000}]
    )
    payment = api(claims).post(f"/claims/{claim_id}/payments", {"amount": 19_500_000}).json()
    claims3 = make_user("claims_handler", name="claims3", team="tokyo")
    approvers = [api(claims2), api(claims3)]  # two other claims users of the team

    def approve(i: int) -> int:
        client = approvers[i % 2]
        r = Client().post(f"/api/v1/claim-payments/{payment['id']}/approval", headers=client.headers)
        return int(r.status_code)

    results = parallel(6, approve)
    assert sorted(results) == [200] + [409] * 5, results
    assert LedgerEntry.objects.count() == 1
    assert LedgerEntry.objects.get().expense_yen == 19_500_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_retried_at_once_with_the_same_key_pays_once(
    api: Callable[..., Any], holder: User, claims: User, policy: Policy
) -> None:
    claim_id = decided_claim(
        api, claims, reported(api, holder, policy), [{"item": "EX_FORENSICS", "amount": 3_000_000}]
    )
    headers = {**api(claims).headers, "Idempotency-Key": "the-same-payment"}

    def pay(_i: int) -> tuple[int, Any]:
        r = Client().post(
            f"/api/v1/claims/{claim_id}/payments", data=json.dumps({"amount": 1_000_000}),
            content_type="application/json", headers=headers,
        )  # fmt: skip
        return r.status_code, r.json()

    results = parallel(6, pay)
    assert {status for status, _ in results} == {201}, results
    assert len({body["id"] for _, body in results}) == 1
    assert ClaimPayment.objects.count() == LedgerEntry.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claims_of_one_policy_paid_at_once_never_exceed_the_years_expense_limit(
    api: Callable[..., Any], holder: User, claims: User, policy: Policy
) -> None:
    # four claims each calculated at 9,500,000 before any is paid; the year's expense limit is 30,000,000
    claim_ids = [
        decided_claim(api, claims, reported(api, holder, policy), [{"item": "EX_DATA_RESTORE", "amount": 10_000_000}])
        for _ in range(4)
    ]
    headers = api(claims).headers

    def pay(i: int) -> int:
        r = Client().post(
            f"/api/v1/claims/{claim_ids[i]}/payments", data=json.dumps({"amount": 9_500_000}),
            content_type="application/json", headers=headers,
        )  # fmt: skip
        return int(r.status_code)

    results = parallel(4, pay)
    assert sorted(results) == [201, 201, 201, 409], results
    paid = sum(LedgerEntry.objects.filter(policy=policy).values_list("expense_yen", flat=True))
    assert paid == 3 * 9_500_000  # a fourth would be 38,000,000, above the year's 30,000,000


@pytest.mark.django_db
def test_administrators_maintain_the_vendor_directory(api: Callable[..., Any], admin: User, support: User) -> None:
    staff = api(admin, "ja")
    bad = staff.post("/vendors", {"category": "astrologers", "name": "", "fax": "03"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"category", "name", "fax"}
    created = staff.post(
        "/vendors", {"category": "lawyers", "name": "桜田法律事務所", "email": "info@sakurada.example"}
    )
    assert created.status_code == 201
    vendor = created.json()
    assert [v["name"] for v in api(support).get("/vendors?category=lawyers").json()] == ["桜田法律事務所"]
    assert api(support).post("/vendors", {"category": "pr", "name": "x"}).status_code == 403
    r = staff.client.patch(
        f"/api/v1/vendors/{vendor['id']}", data=json.dumps({"active": False}), content_type="application/json",
        headers=staff.headers,
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["active"] is False
    assert api(support).get("/vendors").json() == []
    assert Vendor.objects.count() == 1
